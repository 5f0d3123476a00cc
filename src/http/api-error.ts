import type { ErrorCode } from '../domain/errors.js';

/**
 * Thrown while reading a request (e.g. an unreadable body) to answer one
 * code; `logFields` go on the request's log line (which limit refused it).
 */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly logFields: Readonly<Record<string, string>> = {},
    /** For code 22: the parameter refused, answered as `param`. */
    readonly param?: string,
  ) {
    super(`answer code ${code}`);
    this.name = 'ApiError';
  }
}
