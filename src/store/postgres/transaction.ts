import type pg from 'pg';
import { isStaleConnection, isUnavailable, toStoreError, withRetry } from './retry.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * One READ COMMITTED transaction on a pooled connection, retried on
 * serialization failures and deadlocks. Row locks taken in id order give the
 * isolation the ledger needs without SERIALIZABLE's aborts on the hot account.
 * Any failure rolls back, so nothing is ever half-applied.
 */
export function inTransaction<T>(
  pool: pg.Pool,
  work: (client: Queryable) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  return withRetry(async () => {
    const { client, failed, onError } = await beginOnLiveConnection(pool, begin);
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      failed.broken ||= isUnavailable(error);
      if (!failed.broken) await client.query('ROLLBACK').catch(() => (failed.broken = true));
      throw error;
    } finally {
      // A connection that failed is destroyed instead of going back to the pool:
      // the server rolls back whatever it held when the socket closes.
      client.removeListener('error', onError);
      client.release(failed.broken);
    }
  });
}

/**
 * Takes a connection and opens the transaction. Pooled connections may have
 * died while idle (the database restarted) without the pool knowing yet; BEGIN
 * on one changes nothing, so trying the next is safe and spares the client a
 * 503 once the database is back. Each dead one fails at once, and there are at
 * most as many as the pool holds.
 */
async function beginOnLiveConnection(
  pool: pg.Pool,
  begin: string,
): Promise<{ client: pg.PoolClient; failed: { broken: boolean }; onError: () => void }> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect().catch((error: unknown) => Promise.reject(toStoreError(error)));
    const failed = { broken: false };
    // A checked-out client whose connection dies emits 'error' besides failing its
    // query; unheard, that event would crash the process.
    const onError = () => (failed.broken = true);
    client.on('error', onError);
    try {
      await client.query(begin);
      return { client, failed, onError };
    } catch (error) {
      client.removeListener('error', onError);
      client.release(true);
      if (attempt > staleLimit(pool) || !isStaleConnection(error)) throw error;
    }
  }
}

function staleLimit(pool: pg.Pool): number {
  return (pool.options.max ?? 10) + 1;
}

/**
 * A single statement outside an explicit transaction. Every caller's
 * statement is a read or an idempotent update, so it may run again after a
 * stale pooled connection failed it.
 */
export function runQuery<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return withRetry(async () => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await pool.query<R>(text, values as unknown[]);
      } catch (error) {
        if (attempt > staleLimit(pool) || !isStaleConnection(error)) throw error;
      }
    }
  });
}
