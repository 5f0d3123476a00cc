import { decideCreditBatch } from '../../domain/credit-batch.js';
import type { CreditBatchCommand, CreditBatchOutcome } from '../../domain/transfers.js';
import { lockAccounts } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import type { Queryable } from './transaction.js';

/**
 * A batch inside the caller's transaction, in two round trips: one locking
 * read, the decisions in memory by the ledger rules, one set-based write.
 */
export async function applyCreditBatchInTransaction(
  client: Queryable,
  batch: CreditBatchCommand,
): Promise<CreditBatchOutcome> {
  const draft = newDraft();
  const tokens = batch.commands.map((command) => command.tokenSubaccount);
  await lockAccounts(client, draft, [batch.keyHash], tokens, batch.commands[0]?.createdAt ?? new Date());
  const outcome = decideCreditBatch(draft, batch);
  await writeLedger(client, draft.changes());
  return outcome;
}
