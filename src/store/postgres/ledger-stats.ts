import type pg from 'pg';
import { ledgerStatsOf, type LedgerKindRow, type LedgerStats } from '../../domain/ledger-stats.js';
import { runQuery } from './transaction.js';

// One statement, so one snapshot: the open accounts by kind, then the transfers by kind.
// Sums of bigint are numeric and counts bigint: both come back as integral text, exact through BigInt().
const LEDGER_STATS_SQL = `
  SELECT 'account' AS what, kind, count(*) AS count, COALESCE(sum(balance), 0) AS total,
    count(*) FILTER (WHERE low_balance IS NOT NULL AND balance - held < low_balance) AS below,
    COALESCE(sum(event_sequence), 0) AS events
  FROM accounts WHERE closed_at IS NULL GROUP BY kind
  UNION ALL
  SELECT 'transfer', kind, count(*), sum(amount), 0, 0 FROM transfers GROUP BY kind`;

/** What /metrics shows of the ledger (the judgement of the rows is the domain's). */
export async function readLedgerStats(pool: pg.Pool): Promise<LedgerStats> {
  const found = await runQuery<LedgerKindRow & pg.QueryResultRow>(pool, LEDGER_STATS_SQL);
  return ledgerStatsOf(found.rows);
}
