import { errorMessage, httpStatusOf, type ErrorCode, type Language } from '../errors.js';
import type { TextAnswer } from '../idempotency.js';

/**
 * The bytes of an error answer, the one renderer of them: sendError
 * (src/http/errors.ts) sends these, and stores record them for idempotent
 * replays. `param` names the refused parameter of a code 22.
 */
export function errorAnswer(code: ErrorCode, language: Language, param?: string): TextAnswer {
  const answer = { success: false, code, message: errorMessage(code, language) };
  return {
    status: httpStatusOf(code),
    body: JSON.stringify(param === undefined ? answer : { ...answer, param }),
  };
}

/**
 * A refusal and, for code 22, the parameter it refuses (Stripe's `param`):
 * the field name as the request spelled it (`limit`, `expiresIn`,
 * `operations[3].direction`). Added after `message`, so every field the
 * contract names keeps its place.
 */
export interface Refusal {
  readonly code: ErrorCode;
  readonly param?: string | undefined;
}
