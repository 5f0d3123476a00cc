import pg from 'pg';

export interface PostgresStoreOptions {
  /** Schema holding the tables; created by migrate(). Tests use one per run to stay isolated. */
  readonly schema?: string;
  /** Connections per process; default 10 (main.ts and the CLI pass PGPOOL_MAX, read by src/config.ts). */
  readonly poolMax?: number;
  /** How long to wait for a new connection before answering "unavailable". */
  readonly connectTimeoutMs?: number;
  /** How long a call may queue for a free pooled connection when all are busy. */
  readonly acquireTimeoutMs?: number;
  /** Server-side limit on one statement, so a stuck database cannot hold a request forever. */
  readonly statementTimeoutMs?: number;
  /** Called with errors of idle connections (the database restarted, the network dropped). */
  readonly onIdleError?: (error: Error) => void;
  /** Run migrations when opening; default true. */
  readonly migrate?: boolean;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Only plain lower-case names: they need no quoting in SQL nor in the startup `options`. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  return schema;
}

export function poolMaxFrom(options: PostgresStoreOptions): number {
  const value = options.poolMax ?? 10;
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid pool size: ${String(value)}`);
  return value;
}

/**
 * pg-pool uses one setting both to give up connecting and to give up queueing
 * for a busy pool. A hot account under load queues for longer than a dead
 * database should take to notice, so the client carries its own, shorter
 * connect timeout and the pool's applies to the queue.
 */
function clientWithConnectTimeout(connectTimeoutMs: number): NonNullable<pg.PoolConfig['Client']> {
  return class extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      const base = typeof config === 'string' ? { connectionString: config } : (config ?? {});
      super({ ...base, connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

export function createPool(url: string, options: PostgresStoreOptions): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const config: pg.PoolConfig = {
    connectionString: url,
    max: poolMaxFrom(options),
    Client: clientWithConnectTimeout(options.connectTimeoutMs ?? 2_000),
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // The client-side limit catches a database that stops answering without closing the socket.
    query_timeout: statementTimeoutMs + 2_000,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs * 3,
    keepAlive: true,
    application_name: 'tirelire',
    // Queries go out without waiting for the answer to the one before, so that a transaction can
    // send several statements in one round trip (inPipelinedTransaction). Code that awaits each
    // query in turn behaves exactly as without.
    pipeline: true,
  };
  if (options.schema !== undefined) config.options = `-c search_path=${checkSchemaName(options.schema)}`;
  const pool = new pg.Pool(config);
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash
  // the process. The pool already dropped that client and opens a fresh one on demand.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
