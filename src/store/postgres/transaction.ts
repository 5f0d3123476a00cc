import type pg from 'pg';
import { isUnavailable, withRetry } from './retry.js';

export type Queryable = Pick<pg.PoolClient, 'query'>;

/**
 * One READ COMMITTED transaction on a pooled connection, retried on
 * serialization failures and deadlocks. Row locks taken in id order give the
 * isolation the ledger needs without SERIALIZABLE's aborts on the hot account.
 * Any failure rolls back, so nothing is ever half-applied.
 */
export function inTransaction<T>(pool: pg.Pool, work: (client: Queryable) => Promise<T>): Promise<T> {
  return withRetry(async () => {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken = isUnavailable(error);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      // A connection that failed is destroyed instead of going back to the pool:
      // the server rolls back whatever it held when the socket closes.
      client.release(broken);
    }
  });
}

/** A single statement outside an explicit transaction, with the same error mapping. */
export function runQuery<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return withRetry(() => pool.query<R>(text, values as unknown[]));
}
