import type Database from 'better-sqlite3';
import type { LedgerFacts } from '../../domain/verify.js';

/** Reads what `verify` judges: every balance beside the sum of its transfers. */
export function readLedgerFacts(db: Database.Database): LedgerFacts {
  const accounts = db
    .prepare(
      `SELECT a.id, a.email, a.kind, a.balance,
         COALESCE(c.total, 0) - COALESCE(d.total, 0) AS transfer_sum
       FROM accounts a
       LEFT JOIN (SELECT credit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) c ON c.id = a.id
       LEFT JOIN (SELECT debit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) d ON d.id = a.id
       ORDER BY a.id`,
    )
    .all() as { id: bigint; email: string; kind: string; balance: bigint; transfer_sum: bigint }[];
  const malformed = db
    .prepare(
      `SELECT t.id FROM transfers t
       LEFT JOIN accounts d ON d.id = t.debit_account_id
       LEFT JOIN accounts c ON c.id = t.credit_account_id
       WHERE t.amount <= 0 OR t.debit_account_id = t.credit_account_id OR d.id IS NULL OR c.id IS NULL`,
    )
    .all() as { id: string }[];
  const totals = db
    .prepare(
      `SELECT COUNT(*) AS transfers,
         COALESCE(SUM(CASE WHEN kind = 'topup' THEN amount END), 0) AS top_ups,
         COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount END), 0) AS charges
       FROM transfers`,
    )
    .get() as { transfers: bigint; top_ups: bigint; charges: bigint };
  return {
    accounts: accounts.map((a) => ({
      id: Number(a.id),
      email: a.email,
      kind: a.kind,
      balanceMicros: a.balance,
      transferSumMicros: a.transfer_sum,
    })),
    transfers: Number(totals.transfers),
    malformedTransferIds: malformed.map((t) => t.id),
    topUpMicros: totals.top_ups,
    chargeMicros: totals.charges,
  };
}
