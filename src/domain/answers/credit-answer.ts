import type { ErrorCode, Language } from '../errors.js';
import { replayedAnswer, type ClaimBook, type IdempotencyGuard, type TextAnswer } from '../idempotency.js';
import { formatMicros } from '../money.js';
import type { CreditCommand, CreditKey, CreditOutcome } from '../transfers.js';
import { errorAnswer } from './error-answer.js';

/**
 * The bytes of the answers of credit/add and credit/remove. They live in the
 * domain, next to the rules that decide them, because a store renders them
 * inside the transaction for an idempotency record, and the SQLite store does
 * that on its writer thread, where nothing of the HTTP layer is loaded.
 */

/**
 * The success answer's bytes, written directly: the text the JSON serializer
 * (src/http/json.ts) makes of `{ success, code, credit, subaccountCredit,
 * currency, transferId }` with both balances as exact decimal numbers, without
 * building and walking an object on every transfer (src/http/credit-json.test.ts).
 */
export function successJson(outcome: Extract<CreditOutcome, { ok: true }>): string {
  return (
    `{"success":true,"code":200,"credit":${formatMicros(outcome.mainBalanceMicros)},` +
    `"subaccountCredit":${formatMicros(outcome.subaccountBalanceMicros)},"currency":"EUR",` +
    `"transferId":${JSON.stringify(outcome.transferId)}}`
  );
}

export function creditAnswer(outcome: CreditOutcome, language: Language): TextAnswer {
  return outcome.ok ? { status: 200, body: successJson(outcome) } : errorAnswer(outcome.code, language);
}

/** Codes 10 and 4 refuse the caller itself: no record, so a fixed key or resumed account runs. */
export function recordUnlessCallerRefused(outcome: { ok: boolean; code?: ErrorCode }): boolean {
  return outcome.ok || (outcome.code !== 10 && outcome.code !== 4);
}

export function creditGuard(key: CreditKey): IdempotencyGuard<CreditOutcome> {
  return {
    claim: key.claim,
    render: (outcome) => creditAnswer(outcome, key.language),
    record: recordUnlessCallerRefused,
  };
}

/**
 * A credit outcome as text, so a replayed command gives its batch the
 * original outcome (balances as decimal strings: JSON has no bigint).
 */
export function encodeCreditOutcome(outcome: CreditOutcome): string {
  if (!outcome.ok) return JSON.stringify({ ok: false, code: outcome.code });
  return JSON.stringify({
    ok: true,
    transferId: outcome.transferId,
    main: outcome.mainBalanceMicros.toString(),
    sub: outcome.subaccountBalanceMicros.toString(),
  });
}

export function decodeCreditOutcome(text: string): CreditOutcome {
  const value = JSON.parse(text) as {
    ok: boolean;
    code?: Extract<CreditOutcome, { ok: false }>['code'];
    transferId?: string;
    main?: string;
    sub?: string;
  };
  if (!value.ok) return { ok: false, code: value.code! };
  return {
    ok: true,
    transferId: value.transferId!,
    mainBalanceMicros: BigInt(value.main!),
    subaccountBalanceMicros: BigInt(value.sub!),
  };
}

/**
 * Runs one credit command of a group commit or a batch under its key, if it
 * has one: 24 for another request under the key, the record's outcome and
 * bytes for the same request, else `run` and a fresh record (with the
 * outcome encoded, for a batch that replays it).
 */
export function guardCredit(
  book: ClaimBook,
  command: CreditCommand,
  run: () => CreditOutcome,
): CreditOutcome {
  if (command.idempotency === undefined) return run();
  const guard = creditGuard(command.idempotency);
  const check = book.check(guard.claim);
  if (check.kind === 'conflict' || (check.kind === 'replay' && check.record.outcome === null)) {
    return { ok: false, code: 24 };
  }
  if (check.kind === 'replay') {
    return { ...decodeCreditOutcome(check.record.outcome!), answer: replayedAnswer(check.record) };
  }
  const outcome = run();
  return { ...outcome, answer: book.settle(guard, outcome, encodeCreditOutcome(outcome)) };
}
