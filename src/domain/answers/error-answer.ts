import { errorMessage, httpStatusOf, type ErrorCode, type Language } from '../errors.js';
import type { StoredAnswer } from '../idempotency.js';

/**
 * The bytes of an error answer, the one renderer of them: sendError
 * (src/http/errors.ts) sends these, and stores record them for idempotent
 * replays.
 */
export function errorAnswer(code: ErrorCode, language: Language): StoredAnswer {
  return {
    status: httpStatusOf(code),
    body: JSON.stringify({ success: false, code, message: errorMessage(code, language) }),
  };
}
