import pg from 'pg';
import { dropIdleConnections } from './pool.js';
import { isSilentConnection, isStaleConnection, isUnavailable, toStoreError, withRetry } from './retry.js';

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
    const [connection] = await onLiveConnection(pool, (client) => client.query(begin));
    try {
      const result = await work(connection.client);
      await connection.client.query('COMMIT');
      return result;
    } catch (error) {
      await connection.rollback(error);
      throw error;
    } finally {
      connection.release();
    }
  });
}

/** A statement under the timeout `longStatements` set. */
export type LongQuery = <R extends pg.QueryResultRow>(
  text: string,
  values?: readonly unknown[],
) => Promise<pg.QueryResult<R>>;

/**
 * Inside a transaction: lifts the pool's statement timeout (10 s, pool.ts) to
 * `timeoutMs` until it ends, for statements that read or rewrite a whole
 * ledger (verify, a migration), and runs them with pg's read timeout matching.
 */
export async function longStatements(client: Queryable, timeoutMs: number): Promise<LongQuery> {
  await client.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
  // pg reads query_timeout from a query's config too (its types leave it out).
  return (text, values = []) =>
    client.query({ text, values: [...values], query_timeout: timeoutMs + 2_000 } as pg.QueryConfig);
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
    const [connection, result] = await onLiveConnection(pool, (client) =>
      client.query<R>(text, values as unknown[]),
    );
    connection.release();
    return result;
  });
}

/** A connection checked out of the pool, and whether it failed (then it is destroyed, not pooled again). */
class Connection {
  private broken = false;
  // A checked-out client whose connection dies emits 'error' besides failing its
  // query; unheard, that event would crash the process.
  private readonly onError = () => (this.broken = true);

  constructor(
    readonly client: pg.PoolClient,
    private readonly pool: pg.Pool,
  ) {
    client.on('error', this.onError);
  }

  /** After a failure: rolls back what the server may hold, unless the connection itself failed. */
  async rollback(error: unknown): Promise<void> {
    if (isSilentConnection(error)) dropIdleConnections(this.pool);
    this.broken ||= isUnavailable(error);
    if (!this.broken) await this.client.query('ROLLBACK').catch(() => (this.broken = true));
  }

  /** A connection that failed is destroyed: the server rolls back whatever it held when the socket closes. */
  release(destroy = false): void {
    this.client.removeListener('error', this.onError);
    this.client.release(this.broken || destroy);
  }
}

/**
 * Takes a pooled connection and sends `first` on it. Pooled connections may
 * have died while idle (the database restarted) without the pool knowing yet;
 * the first statement on one fails at once and changed nothing, so trying the
 * next is safe and spares the client a 503 once the database is back. There
 * are at most as many dead ones as the pool holds. Any other failure rolls
 * back and releases the connection before it is thrown.
 */
async function onLiveConnection<T>(
  pool: pg.Pool,
  first: (client: pg.PoolClient) => Promise<T>,
): Promise<[Connection, T]> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect().catch((error: unknown) => Promise.reject(toStoreError(error)));
    const connection = new Connection(client, pool);
    try {
      return [connection, await first(client)];
    } catch (error) {
      if (attempt <= staleLimit(pool) && isStaleConnection(error)) {
        connection.release(true);
        continue;
      }
      await connection.rollback(error);
      connection.release();
      throw error;
    }
  }
}

function staleLimit(pool: pg.Pool): number {
  return (pool.options.max ?? 10) + 1;
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
  private opened: Connection | undefined;
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
    await this.opened?.rollback(error);
  }

  release(): void {
    this.opened?.release();
  }

  /** Sends `BEGIN` and `statements` on a live connection and answers their results (BEGIN's left out). */
  private async open(statements: readonly Statement[]): Promise<pg.QueryResult[]> {
    const [connection, results] = await onLiveConnection(this.pool, (client) =>
      sendAll(client, [BEGIN, ...statements]),
    );
    this.opened = connection;
    return results.slice(1);
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
