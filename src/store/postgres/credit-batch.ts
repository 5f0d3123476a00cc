import { planCreditBatch, type BatchSubaccount } from '../../domain/credit-batch.js';
import type { CreditBatchCommand, CreditBatchOutcome } from '../../domain/transfers.js';
import { writeLedger } from './ledger-write.js';
import { ACCOUNT_COLUMNS, type AccountRow, toCaller, toId } from './rows.js';
import type { Queryable } from './transaction.js';

/** The caller and the subaccounts a batch names, locked in id order like every other locking read. */
const LOCK_SQL = `SELECT ${ACCOUNT_COLUMNS}, key_hash FROM accounts
  WHERE key_hash = $1 OR token = ANY($2::text[]) ORDER BY id FOR UPDATE`;

type LockedRow = AccountRow & { key_hash: string | null };

/**
 * A batch inside the caller's transaction, in two round trips: one locking
 * read, the decisions in memory by the ledger rules, one set-based write.
 */
export async function applyCreditBatchInTransaction(
  client: Queryable,
  batch: CreditBatchCommand,
): Promise<CreditBatchOutcome> {
  const tokens = [...new Set(batch.commands.map((command) => command.tokenSubaccount))];
  const locked = await client.query<LockedRow>(LOCK_SQL, [batch.keyHash, tokens]);
  const callerRow = locked.rows.find((row) => row.key_hash === batch.keyHash);
  const subaccounts = new Map<string, BatchSubaccount>();
  for (const row of locked.rows) {
    if (row.token === null) continue;
    subaccounts.set(row.token, {
      id: toId(row.id),
      parentId: row.parent_id === null ? null : toId(row.parent_id),
      kind: row.kind,
      token: row.token,
      balanceMicros: BigInt(row.balance),
    });
  }
  const caller = callerRow === undefined ? null : toCaller(callerRow);
  const plan = planCreditBatch(caller, subaccounts, batch.commands, batch.apply);
  await writeLedger(client, plan.transfers, plan.balances);
  return plan.outcome;
}
