import { assessLedger, type LedgerFacts, type VerifyReport } from '../../domain/verify.js';
import { type Int8, toId } from './rows.js';
import type { Queryable } from './transaction.js';

// Sums of bigint are numeric in PostgreSQL and come back as integral text: exact through BigInt().
const ACCOUNTS_SQL = `SELECT a.id, a.email, a.kind, a.balance,
    COALESCE(c.total, 0) - COALESCE(d.total, 0) AS transfer_sum
  FROM accounts a
  LEFT JOIN (SELECT credit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) c ON c.id = a.id
  LEFT JOIN (SELECT debit_account_id AS id, SUM(amount) AS total FROM transfers GROUP BY 1) d ON d.id = a.id
  ORDER BY a.id`;

const MALFORMED_SQL = `SELECT t.id FROM transfers t
  LEFT JOIN accounts d ON d.id = t.debit_account_id
  LEFT JOIN accounts c ON c.id = t.credit_account_id
  WHERE t.amount <= 0 OR t.debit_account_id = t.credit_account_id OR d.id IS NULL OR c.id IS NULL
  ORDER BY t.seq`;

const TOTALS_SQL = `SELECT COUNT(*) AS transfers,
    COALESCE(SUM(CASE WHEN kind = 'topup' THEN amount END), 0) AS top_ups,
    COALESCE(SUM(CASE WHEN kind = 'charge' THEN amount END), 0) AS charges
  FROM transfers`;

interface FactRow {
  id: Int8;
  email: string;
  kind: string;
  balance: Int8;
  transfer_sum: string;
}

/**
 * Reads what `verify` judges; the judgement itself is the domain's, the same
 * for both stores. Must run in one snapshot (REPEATABLE READ) so that
 * transfers committing meanwhile cannot look like breaches.
 */
export async function readLedgerFacts(client: Queryable): Promise<LedgerFacts> {
  const accounts = await client.query<FactRow>(ACCOUNTS_SQL);
  const malformed = await client.query<{ id: string }>(MALFORMED_SQL);
  const totals = await client.query<{ transfers: Int8; top_ups: string; charges: string }>(TOTALS_SQL);
  const total = totals.rows[0]!;
  return {
    accounts: accounts.rows.map((row) => ({
      id: toId(row.id),
      email: row.email,
      kind: row.kind,
      balanceMicros: BigInt(row.balance),
      transferSumMicros: BigInt(row.transfer_sum),
    })),
    transfers: Number(total.transfers),
    malformedTransferIds: malformed.rows.map((row) => row.id),
    topUpMicros: BigInt(total.top_ups),
    chargeMicros: BigInt(total.charges),
  };
}

export async function verifyInTransaction(client: Queryable): Promise<VerifyReport> {
  return assessLedger(await readLedgerFacts(client));
}
