import { decideCreditBatch } from '../../domain/credit-batch.js';
import type { CreditBatchCommand, CreditBatchOutcome } from '../../domain/transfers.js';
import { readAccounts } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import type { Statements } from './statements.js';

/**
 * A batch inside the caller's transaction: the caller and each distinct
 * subaccount read once, every decision made in memory by the ledger rules,
 * then one row per transfer and one balance update per account moved.
 */
export function applyCreditBatchInTransaction(s: Statements, batch: CreditBatchCommand): CreditBatchOutcome {
  const draft = newDraft();
  const tokens = batch.commands.map((command) => command.tokenSubaccount);
  readAccounts(s, draft, [batch.keyHash], tokens, batch.commands[0]?.createdAt ?? new Date());
  const outcome = decideCreditBatch(draft, batch);
  writeLedger(s, draft.changes());
  return outcome;
}
