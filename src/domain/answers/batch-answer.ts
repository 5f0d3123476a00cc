import { errorMessage, httpStatusOf, type ErrorCode, type Language } from '../errors.js';
import type { IdempotencyGuard, StoredAnswer } from '../idempotency.js';
import { formatMicros } from '../money.js';
import type { BatchAnswerSpec, BatchKey, CreditBatchOutcome, CreditOutcome } from '../transfers.js';
import { recordUnlessCallerRefused, successJson } from './credit-answer.js';
import { errorAnswer } from './error-answer.js';
import { utf8Of } from './utf8.js';

/**
 * The bytes of a `credit/batch` answer (README, "Batch"). In the domain, as
 * plain data in, because a store renders them inside the transaction for an
 * idempotency record (SQLite's batches run on the event loop's connection, not
 * on its writer thread: docs/architecture.md).
 */
export function batchGuard(key: BatchKey): IdempotencyGuard<CreditBatchOutcome> {
  return {
    claim: key.claim,
    render: (outcome) => batchAnswer(outcome, key),
    record: recordUnlessCallerRefused,
  };
}

/**
 * The store's outcome (commands it decided) merged back with the operations
 * refused before it: what the route sends, and what a keyed batch's record
 * keeps. A refused caller's answer is text; a batch's results are UTF-8
 * bytes, written piece by piece into one array (`utf8Of`): an answer of 1000
 * results (about 150 kB) is past V8's largest ordinary object, so any string
 * of all of it would be a large object with pages of its own, mapped and
 * faulted in anew, and Node's HTTP copies a string body once more to put its
 * headers in front (docs/benchmarks.md, "A batch's answer as bytes").
 */
export function batchAnswer(outcome: CreditBatchOutcome, spec: BatchAnswerSpec): StoredAnswer {
  if (!outcome.ok) return errorAnswer(outcome.code, spec.language);
  const decided = outcome.outcomes[Symbol.iterator]();
  const results = spec.earlyCodes.map((code) => (code === null ? decided.next().value! : { code }));
  const applied = outcome.applied || spec.apply === 'each';
  return renderBatch(spec.language, results, applied, outcome.mainBalanceMicros);
}

/**
 * Written by hand: up to 1000 results, and money as bare exact JSON numbers
 * (formatMicros), which JSON.stringify cannot write and lossless-json writes
 * several times slower.
 */
function renderBatch(
  language: Language,
  results: readonly (CreditOutcome | { readonly code: ErrorCode })[],
  applied: boolean,
  mainBalanceMicros: bigint,
): StoredAnswer {
  const failure = applied ? undefined : results.find((result) => !('ok' in result && result.ok));
  const firstCode = failure === undefined ? null : (failure as { code: ErrorCode }).code;
  const head =
    firstCode === null
      ? '{"success":true,"code":200'
      : `{"success":false,"code":${firstCode},"message":${JSON.stringify(errorMessage(firstCode, language))}`;
  const pieces = [`${head},"results":[`];
  results.forEach((result, index) => {
    if (index > 0) pieces.push(',');
    if ('ok' in result && result.ok) pieces.push(applied ? successJson(result) : refusal(31, language));
    else pieces.push(refusal(result.code, language));
  });
  pieces.push(`],"credit":${formatMicros(mainBalanceMicros)}}`);
  return { status: firstCode === null ? 200 : httpStatusOf(firstCode), body: utf8Of(pieces) };
}

function refusal(code: ErrorCode, language: Language): string {
  return `{"success":false,"code":${code},"message":${JSON.stringify(errorMessage(code, language))}}`;
}
