/**
 * Every code Tirelire answers besides 200, by name, at run time:
 * `if (result.code === ErrorCodes.INSUFFICIENT_CREDIT)`. The server's table
 * (src/domain/errors.ts, with each code's HTTP status and messages) is the
 * source; test/sdk/client-package.test.ts keeps these names equal to it both
 * ways. Codes are never reused for another meaning, so a name is stable.
 */
export const ErrorCodes = {
  API_KEY_REQUIRED: 1,
  CREDIT_REQUIRED: 2,
  SUBACCOUNT_REQUIRED: 3,
  NOT_AUTHORIZED: 4,
  CREDIT_NOT_POSITIVE: 5,
  /** The available balance is 0 (or less): nothing at all can be taken. */
  BALANCE_EMPTY: 6,
  SUBACCOUNT_NOT_FOUND: 7,
  /** The available balance is positive but smaller than the amount. */
  INSUFFICIENT_CREDIT: 8,
  INCORRECT_API_KEY: 10,
  INVALID_AMOUNT: 20,
  MALFORMED_BODY: 21,
  INVALID_PARAMETER: 22,
  EMAIL_IN_USE: 23,
  IDEMPOTENCY_KEY_REUSED: 24,
  IDEMPOTENCY_KEY_IN_PROGRESS: 25,
  INVALID_IDEMPOTENCY_KEY: 26,
  TRANSFER_NOT_FOUND: 27,
  INVALID_BATCH: 28,
  OPERATOR_TOKEN_INVALID: 29,
  ACCOUNT_NOT_FOUND: 30,
  /** In an atomic batch: this operation was fine, another one was refused. */
  BATCH_NOT_APPLIED: 31,
  SPENDING_CAP_REACHED: 32,
  HOLD_NOT_FOUND: 33,
  HOLD_NOT_PENDING: 34,
  CAPTURE_EXCEEDS_HOLD: 35,
  PENDING_HOLDS: 36,
  WEBHOOK_NOT_FOUND: 37,
  WEBHOOK_URL_REFUSED: 38,
  TOO_MANY_WEBHOOKS: 39,
  UNKNOWN_RESOURCE: 404,
  REQUEST_TIMEOUT: 408,
  BODY_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

/** A code of a refusal or failure (every code but 200). */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
