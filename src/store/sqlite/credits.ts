import { decideCredits } from '../../domain/credit-batch.js';
import type { CreditCommand, CreditOutcome } from '../../domain/transfers.js';
import type { SqliteClaims } from './claims.js';
import { readAccounts } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import type { Statements } from './statements.js';

/**
 * The group-commit transaction's work (on the writer thread's connection, or
 * the store's own): the records of the commands' keys, the callers and
 * subaccounts they name, the decisions, then what they wrote.
 */
export function applyCreditsInTransaction(
  s: Statements,
  claims: SqliteClaims,
  commands: readonly CreditCommand[],
): CreditOutcome[] {
  const opened = claims.open(commands.map((command) => command.idempotency?.claim));
  const draft = newDraft();
  readAccounts(
    s,
    draft,
    commands.map((command) => command.keyHash),
    commands.map((command) => command.tokenSubaccount),
    commands[0]?.createdAt ?? new Date(),
  );
  const outcomes = decideCredits(draft, opened.book, commands);
  writeLedger(s, draft.changes());
  claims.close(opened);
  return outcomes;
}
