import { setTimeout as delay } from 'node:timers/promises';
import { StoreUnavailableError } from '../../domain/store.js';
import { SILENT_MESSAGE } from './silence-watch.js';

/** SQLSTATEs after which the transaction was rolled back by the server and can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * SQLSTATEs meaning "the database cannot serve us right now": connection
 * exceptions (class 08), shutdown, too many connections, a statement timeout,
 * a read-only server (a replica after failover).
 */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '53400', '57014', '25006']);

/** Errors raised by the socket itself, below any SQL. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

// pg reports a lost or timed-out connection with plain Errors carrying only a message.
const DRIVER_MESSAGE =
  /timeout exceeded when trying to connect|timeout expired|Connection terminated|Query read timeout|Client has encountered a connection error|not queryable|Client was closed/i;

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(sqlState(error) ?? '');
}

export function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = sqlState(error) ?? '';
  if (code.startsWith('08') || UNAVAILABLE.has(code) || NETWORK.has(code)) return true;
  return error instanceof Error && DRIVER_MESSAGE.test(error.message);
}

// What a connection that died while idle in the pool fails its next query with.
const STALE_MESSAGE =
  /Connection terminated unexpectedly|not queryable|Client has encountered a connection error/i;

/** The connection was lost (not refused): a fresh connection may well work at once. */
export function isStaleConnection(error: unknown): boolean {
  const code = sqlState(error);
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === '57P01') return true;
  return error instanceof Error && STALE_MESSAGE.test(error.message);
}

/** The connection went silent: found dead by the silence watch, or past pg's own query_timeout. */
export function isSilentConnection(error: unknown): boolean {
  return (
    error instanceof Error && (error.message === SILENT_MESSAGE || error.message === 'Query read timeout')
  );
}

/** Turns infrastructure failures into the store's one documented error; anything else is a bug. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  return new StoreUnavailableError('PostgreSQL is unavailable', { cause: error });
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 5 };

/**
 * Runs `work` again after a serialization failure or a deadlock, with
 * exponential backoff and full jitter so that the transactions that collided
 * do not collide again. When the tries run out the caller gets
 * StoreUnavailableError (a 503 to retry later), never the raw SQL error.
 */
export async function withRetry<T>(work: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isRetryable(error)) throw toStoreError(error);
      if (attempt >= policy.attempts) {
        throw new StoreUnavailableError('PostgreSQL kept aborting the transaction', { cause: error });
      }
      await delay(Math.random() * policy.baseDelayMs * 2 ** attempt);
    }
  }
}
