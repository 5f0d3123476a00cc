import { decideOperatorTransfer } from '../../domain/ledger-rules.js';
import type { OperatorTransferCommand, OperatorTransferOutcome } from '../../domain/transfers.js';
import { expireDue, lockAccountsById, readUsage } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import type { Queryable } from './transaction.js';

/**
 * A top-up or a charge between the funding account and a customer account.
 * A subaccount's parent is locked too: every transaction writing a transfer
 * of main account M holds M's row, so M's history and events commit in order
 * and a reader paging them can never miss a row committed late.
 */
export async function operatorTransferInTransaction(
  client: Queryable,
  command: OperatorTransferCommand,
): Promise<OperatorTransferOutcome> {
  const draft = newDraft();
  await lockAccountsById(client, draft, [command.accountId], true);
  await expireDue(client, draft, command.createdAt);
  if (draft.account(command.accountId) !== null) {
    await readUsage(client, draft, command.accountId, command.createdAt);
  }
  const outcome = decideOperatorTransfer(draft, command);
  await writeLedger(client, draft.changes());
  return outcome;
}
