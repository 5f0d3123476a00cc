import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/store.js';
import { isStaleConnection, isUnavailable, toStoreError, withRetry } from '../../src/store/postgres/retry.js';

const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe('PostgreSQL retry policy', () => {
  it('runs again after serialization failures and deadlocks, then succeeds', async () => {
    const failures = [sqlError('40001'), sqlError('40P01')];
    let calls = 0;
    const result = await withRetry(async () => {
      calls += 1;
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return 'done';
    });
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('gives up after the bounded tries with StoreUnavailableError, never the raw SQL error', async () => {
    let calls = 0;
    const run = withRetry(
      async () => {
        calls += 1;
        throw sqlError('40P01');
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    await expect(run).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(calls).toBe(4);
  });

  it('does not retry other errors: a unique violation is a bug and surfaces as is', async () => {
    let calls = 0;
    const error = sqlError('23505');
    await expect(
      withRetry(async () => {
        calls += 1;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it.each([
    [sqlError('08006'), true, false],
    [sqlError('57P01'), true, true],
    [sqlError('57014'), true, false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), true, false],
    [new Error('Connection terminated unexpectedly'), true, true],
    [new Error('timeout expired'), true, false],
    [sqlError('23505'), false, false],
    [new TypeError('x is undefined'), false, false],
  ])('classifies %s (unavailable %s, stale %s)', (error, unavailable, stale) => {
    expect(isUnavailable(error)).toBe(unavailable);
    expect(isStaleConnection(error)).toBe(stale);
    expect(toStoreError(error) instanceof StoreUnavailableError).toBe(unavailable);
  });
});
