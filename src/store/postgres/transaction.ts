import pg from 'pg';
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

/** A statement with its parameters, to be sent later in one text with others. */
export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A transaction whose BEGIN travels with its first statement and whose COMMIT travels with the statements queued for it. */
export interface PipelinedTransaction extends Queryable {
  /** Runs `statement` just before COMMIT, in COMMIT's round trip; if it fails, the transaction rolls back. */
  beforeCommit(statement: Statement): void;
}

/**
 * `inTransaction` in two round trips fewer: `BEGIN` goes out in one text with
 * the first statement, and `COMMIT` in one text with the statements queued by
 * `beforeCommit`. Several statements in one text need the simple query
 * protocol, which takes no parameters, so the values of those statements are
 * inlined as escaped literals (`inlineStatement`). An error in any of them
 * skips the rest of the text (COMMIT included) and leaves the transaction
 * aborted: it is rolled back and retried exactly like `inTransaction`'s.
 */
export function inPipelinedTransaction<T>(
  pool: pg.Pool,
  work: (tx: PipelinedTransaction) => Promise<T>,
): Promise<T> {
  return withRetry(async () => {
    const tx = new Pipeline(pool);
    try {
      const result = await work(tx);
      await tx.commit();
      return result;
    } catch (error) {
      await tx.rollback(error);
      throw error;
    } finally {
      tx.release();
    }
  });
}

class Pipeline implements PipelinedTransaction {
  private opened: { client: pg.PoolClient; failed: { broken: boolean }; onError: () => void } | undefined;
  private readonly tail: string[] = [];

  constructor(private readonly pool: pg.Pool) {}

  readonly query = (async (text: string, values?: unknown[]) => {
    if (this.opened !== undefined) return this.opened.client.query(text, values);
    const results = await this.open(inlineStatement({ text, values: values ?? [] }));
    return results[1];
  }) as Queryable['query'];

  beforeCommit(statement: Statement): void {
    this.tail.push(inlineStatement(statement));
  }

  async commit(): Promise<void> {
    if (this.opened !== undefined) {
      await this.opened.client.query([...this.tail, 'COMMIT'].join(';\n'));
    } else if (this.tail.length > 0) {
      await this.open([...this.tail, 'COMMIT'].join(';\n'));
    }
  }

  async rollback(error: unknown): Promise<void> {
    if (this.opened === undefined) return;
    const { client, failed } = this.opened;
    failed.broken ||= isUnavailable(error);
    if (!failed.broken) await client.query('ROLLBACK').catch(() => (failed.broken = true));
  }

  /** A connection that failed is destroyed: the server rolls back whatever it held when the socket closes. */
  release(): void {
    if (this.opened === undefined) return;
    const { client, failed, onError } = this.opened;
    client.removeListener('error', onError);
    client.release(failed.broken);
  }

  /**
   * Sends `BEGIN; text` on a live connection. As in `beginOnLiveConnection`, a
   * pooled connection found dead changed nothing and the next is tried; any
   * other failure leaves the connection to `rollback` and `release`.
   */
  private async open(text: string): Promise<pg.QueryResult[]> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect().catch((error: unknown) => Promise.reject(toStoreError(error)));
      const failed = { broken: false };
      const onError = () => (failed.broken = true);
      client.on('error', onError);
      try {
        const results = (await client.query(`BEGIN;\n${text}`)) as unknown as pg.QueryResult[];
        this.opened = { client, failed, onError };
        return results;
      } catch (error) {
        if (attempt <= staleLimit(this.pool) && isStaleConnection(error)) {
          client.removeListener('error', onError);
          client.release(true);
          continue;
        }
        this.opened = { client, failed, onError };
        throw error;
      }
    }
  }
}

/**
 * `text` with each `$n` replaced by its value as an escaped SQL literal, for
 * the simple query protocol. Values are written as pg writes parameters
 * (strings as they are, dates in ISO 8601, arrays as array literals), so each
 * literal reads as the parameter would, casts included. Statements with
 * values must have no `$n` inside their own string literals or identifiers.
 */
export function inlineStatement({ text, values }: Statement): string {
  // Without values pg sends the text as it is, a `$1` inside a literal included.
  if (values.length === 0) return text;
  return text.replace(/\$(\d+)/g, (_match, position: string) => {
    const index = Number(position) - 1;
    if (index < 0 || index >= values.length) throw new RangeError(`no value for $${position}`);
    return sqlLiteral(values[index]);
  });
}

function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) return quoted(`{${value.map(arrayElement).join(',')}}`);
  return quoted(scalarText(value));
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${scalarText(value).replace(/[\\"]/g, '\\$&')}"`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  throw new TypeError(`cannot inline a ${typeof value} in SQL`);
}

/**
 * pg.escapeLiteral doubles quotes and backslashes (E'' when there are any), so
 * the text is one literal whatever `standard_conforming_strings` says. A NUL
 * would end the query text of the protocol message early: such text is
 * refused, as PostgreSQL refuses it as a parameter.
 */
function quoted(text: string): string {
  if (text.includes('\0')) throw new TypeError('a SQL literal cannot hold a NUL character');
  return pg.escapeLiteral(text);
}
