import type Database from 'better-sqlite3';
import { ledgerStatsOf, type LedgerKindRow, type LedgerStats } from '../../domain/ledger-stats.js';

// One statement, so one snapshot: the open accounts by kind, then the transfers by kind.
const LEDGER_STATS_SQL = `
  SELECT 'account' AS what, kind, COUNT(*) AS count, COALESCE(SUM(balance), 0) AS total,
    SUM(CASE WHEN low_balance IS NOT NULL AND balance - held < low_balance THEN 1 ELSE 0 END) AS below
  FROM accounts WHERE closed_at IS NULL GROUP BY kind
  UNION ALL
  SELECT 'transfer', kind, COUNT(*), SUM(amount), 0 FROM transfers GROUP BY kind`;

/** What /metrics shows of the ledger (the judgement of the rows is the domain's). */
export function readLedgerStats(db: Database.Database): LedgerStats {
  return ledgerStatsOf(db.prepare(LEDGER_STATS_SQL).all() as LedgerKindRow[]);
}
