import type { ErrorCode } from '../domain/errors.js';

/** Thrown while reading a request (e.g. an unreadable body) to answer one code. */
export class ApiError extends Error {
  constructor(readonly code: ErrorCode) {
    super(`answer code ${code}`);
    this.name = 'ApiError';
  }
}
