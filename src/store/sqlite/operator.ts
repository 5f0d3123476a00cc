import { decideOperatorTransfer } from '../../domain/ledger-rules.js';
import type { OperatorTransferCommand, OperatorTransferOutcome } from '../../domain/transfers.js';
import { expireDue, readAccountById, readFunding, readUsage } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import type { Statements } from './statements.js';

/**
 * Inside a write transaction: a top-up or a charge between the funding
 * account and a customer account, with the main account of its tree (its
 * events, its automatic top-ups) and the usage counters a charge counts in.
 */
export function operatorTransferInTransaction(
  s: Statements,
  command: OperatorTransferCommand,
): OperatorTransferOutcome {
  const draft = newDraft();
  readFunding(s, draft);
  readAccountById(s, draft, command.accountId);
  expireDue(s, draft, command.createdAt);
  if (draft.account(command.accountId) !== null) readUsage(s, draft, command.accountId, command.createdAt);
  const outcome = decideOperatorTransfer(draft, command);
  writeLedger(s, draft.changes());
  return outcome;
}
