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

/**
 * A statement with its parameters, to be sent later. A `name` makes it a
 * prepared statement: PostgreSQL parses and plans it once per connection.
 * Only constant texts are named (one name, one text).
 */
export interface Statement {
  readonly name?: string | undefined;
  readonly text: string;
  readonly values: readonly unknown[];
}

/** A transaction whose BEGIN travels with its first statement and whose COMMIT travels with the statements queued for it. */
export interface PipelinedTransaction extends Queryable {
  /** Runs `statement` just before COMMIT, in COMMIT's round trip; if it fails, the transaction rolls back. */
  beforeCommit(statement: Statement): void;
}

/**
 * `inTransaction` in two round trips fewer: `BEGIN` is sent together with the
 * first statement, and `COMMIT` together with the statements queued by
 * `beforeCommit`, without waiting for the answers in between (pg's pipeline
 * mode, `createPool`). Each statement keeps its bound parameters. An error in
 * any of them aborts the transaction, so the statements after it fail and
 * the COMMIT behind them only rolls back; the first error is thrown, and the
 * transaction is rolled back and retried exactly like `inTransaction`'s.
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

const BEGIN: Statement = { text: 'BEGIN', values: [] };
const COMMIT: Statement = { text: 'COMMIT', values: [] };

class Pipeline implements PipelinedTransaction {
  private opened: { client: pg.PoolClient; failed: { broken: boolean }; onError: () => void } | undefined;
  private readonly tail: Statement[] = [];

  constructor(private readonly pool: pg.Pool) {}

  readonly query = (async (text: string | pg.QueryConfig, values?: unknown[]) => {
    const statement: Statement =
      typeof text === 'string'
        ? { text, values: values ?? [] }
        : { name: text.name, text: text.text, values: text.values ?? [] };
    if (this.opened !== undefined) return sendStatement(this.opened.client, statement);
    const results = await this.open([statement]);
    return results[0];
  }) as Queryable['query'];

  beforeCommit(statement: Statement): void {
    this.tail.push(statement);
  }

  async commit(): Promise<void> {
    if (this.opened === undefined && this.tail.length === 0) return;
    const results =
      this.opened === undefined
        ? await this.open([...this.tail, COMMIT])
        : await sendAll(this.opened.client, [...this.tail, COMMIT]);
    // Every statement before it succeeded, so the transaction was not aborted; a COMMIT answered
    // by ROLLBACK would mean otherwise, and nothing was written.
    const committed = results.at(-1)!.command;
    if (committed !== 'COMMIT') throw new Error(`COMMIT answered ${committed}`);
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
   * Sends `BEGIN` and `statements` on a live connection and answers their
   * results (BEGIN's left out). As in `beginOnLiveConnection`, a pooled
   * connection found dead changed nothing and the next is tried; any other
   * failure leaves the connection to `rollback` and `release`.
   */
  private async open(statements: readonly Statement[]): Promise<pg.QueryResult[]> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect().catch((error: unknown) => Promise.reject(toStoreError(error)));
      const failed = { broken: false };
      const onError = () => (failed.broken = true);
      client.on('error', onError);
      try {
        const results = await sendAll(client, [BEGIN, ...statements]);
        this.opened = { client, failed, onError };
        return results.slice(1);
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

/** Sends one statement (prepared when it is named) with its bound parameters. */
export function sendStatement(client: Queryable, { name, text, values }: Statement): Promise<pg.QueryResult> {
  return client.query({ name, text, values: [...values] });
}

/**
 * Sends every statement at once on a pipelining connection and waits for all
 * of the answers, so that none is still in flight when the connection is used
 * or released next; rejects with the first error (the later ones only say
 * that the transaction is aborted). The socket is corked meanwhile so that
 * the statements leave in one write, not one system call each.
 */
async function sendAll(client: pg.PoolClient, statements: readonly Statement[]): Promise<pg.QueryResult[]> {
  const { stream } = client.connection;
  stream.cork();
  let answers: Promise<pg.QueryResult>[];
  try {
    answers = statements.map((statement) => sendStatement(client, statement));
  } finally {
    stream.uncork();
  }
  const settled = await Promise.allSettled(answers);
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<pg.QueryResult>).value);
}
