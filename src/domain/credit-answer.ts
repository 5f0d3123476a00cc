import { errorAnswer, type ErrorCode, type Language } from './errors.js';
import type { IdempotencyClaim, IdempotencyGuard, StoredAnswer } from './idempotency.js';
import { formatMicros } from './money.js';
import type { CreditOutcome } from './transfers.js';

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

export function creditAnswer(outcome: CreditOutcome, language: Language): StoredAnswer {
  return outcome.ok ? { status: 200, body: successJson(outcome) } : errorAnswer(outcome.code, language);
}

/** Codes 10 and 4 refuse the caller itself: no record, so a fixed key or resumed account runs. */
export function recordUnlessCallerRefused(outcome: { ok: boolean; code?: ErrorCode }): boolean {
  return outcome.ok || (outcome.code !== 10 && outcome.code !== 4);
}

/**
 * What a credit command carries when its request had an Idempotency-Key:
 * plain data (no function), so that a command can be handed to another
 * thread; `creditGuard` turns it into the guard the store runs.
 */
export interface CreditKey {
  readonly claim: IdempotencyClaim;
  /** The language the answer is written in, recorded with it. */
  readonly language: Language;
}

export function creditGuard(key: CreditKey): IdempotencyGuard<CreditOutcome> {
  return {
    claim: key.claim,
    render: (outcome) => creditAnswer(outcome, key.language),
    record: recordUnlessCallerRefused,
  };
}
