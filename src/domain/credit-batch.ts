import { guardCredit } from './answers/credit-answer.js';
import type { ClaimBook } from './idempotency.js';
import type { LedgerDraft } from './ledger-draft.js';
import { checkMainCaller, decideCredit } from './ledger-rules.js';
import type { CreditBatchCommand, CreditBatchOutcome, CreditCommand, CreditOutcome } from './transfers.js';

/**
 * Group commit: add/remove commands of any callers in one transaction, in
 * order, each under its own Idempotency-Key and decided on its own against
 * the balances the commands before it left (one refused does not stop the
 * others). `book` holds the records of the commands' keys.
 */
export function decideCredits(
  draft: LedgerDraft,
  book: ClaimBook,
  commands: readonly CreditCommand[],
): CreditOutcome[] {
  return commands.map((command) => guardCredit(book, command, () => decideCredit(draft, command)));
}

/**
 * `credit/batch`: one caller's commands in order, each against the balances
 * the commands before it left (the same rules as a single transfer). The key
 * is checked once (10, 4). An all-or-nothing batch with a refusal, or a batch
 * already known to fail (`none`), leaves the draft as it found it.
 */
export function decideCreditBatch(draft: LedgerDraft, batch: CreditBatchCommand): CreditBatchOutcome {
  const main = checkMainCaller(draft.byKeyHash(batch.keyHash));
  if (typeof main === 'number') return { ok: false, code: main };
  const start = draft.mark();
  const openingMicros = main.balanceMicros;
  const outcomes = batch.commands.map((command) => decideCredit(draft, command));
  const applied =
    batch.apply === 'each' || (batch.apply === 'all-or-nothing' && outcomes.every((outcome) => outcome.ok));
  if (!applied) draft.rollback(start);
  return {
    ok: true,
    applied,
    outcomes,
    mainBalanceMicros: applied ? draft.balanceOf(main.id) : openingMicros,
  };
}
