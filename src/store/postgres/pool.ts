import pg from 'pg';
import { watchSilence } from './silence-watch.js';

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
  /**
   * How long a connection may stay out before the database is asked whether
   * its session is still alive (config PG_SILENT_AFTER_MS; silence-watch.ts):
   * how soon a connection that went silent (a half-open TCP connection after
   * a failover) is found dead and its request answered 503.
   */
  readonly silentAfterMs?: number;
  /** Called with errors of idle connections (the database restarted, the network dropped). */
  readonly onIdleError?: (error: Error) => void;
  /**
   * Refuse a schema that holds no Tirelire ledger yet (SchemaMissingError)
   * instead of creating it: the CLI's commands other than serve and migrate.
   */
  readonly mustExist?: boolean;
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

export const DEFAULT_SILENT_AFTER_MS = 1_000;
/** What the store's connections call themselves in `pg_stat_activity`. */
export const POOL_APPLICATION_NAME = 'tirelire';
/** How long an idle pooled connection stays quiet before TCP starts probing it. */
const KEEPALIVE_IDLE_MS = 1_000;

export function createPool(url: string, options: PostgresStoreOptions): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
  const config: pg.PoolConfig = {
    connectionString: url,
    max: poolMaxFrom(options),
    Client: clientWithConnectTimeout(connectTimeoutMs),
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    // The last resort against a database that stops answering without closing the socket; the
    // silence watch below finds such a connection much sooner.
    query_timeout: statementTimeoutMs + 2_000,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: statementTimeoutMs * 3,
    // Probes find an idle connection whose host went away (a failover) before a request takes it.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    application_name: POOL_APPLICATION_NAME,
    // Queries go out without waiting for the answer to the one before, so that a transaction can
    // send several statements in one round trip (inPipelinedTransaction). Code that awaits each
    // query in turn behaves exactly as without.
    pipeline: true,
  };
  if (options.schema !== undefined) config.options = `-c search_path=${checkSchemaName(options.schema)}`;
  const pool = new pg.Pool(config);
  trackIdle(pool);
  watchSilence(pool, {
    connectionString: url,
    suspectAfterMs: options.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS,
    // A healthy database connects and answers in milliseconds; the watch's whole check stays within 3 s.
    probeTimeoutMs: Math.min(connectTimeoutMs, 1_500),
  });
  // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash
  // the process. The pool already dropped that client and opens a fresh one on demand.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/** Each pool's idle connections, as its events tell them (pg-pool keeps its own list private). */
const idleOf = new WeakMap<pg.Pool, Set<pg.PoolClient>>();

function trackIdle(pool: pg.Pool): void {
  const idle = new Set<pg.PoolClient>();
  idleOf.set(pool, idle);
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => idle.add(client));
  pool.on('acquire', (client) => idle.delete(client));
  pool.on('remove', (client) => idle.delete(client));
}

/**
 * Closes the pool's idle connections. Called when a connection went silent
 * (its statement timed out): the others took the same path, which is likely
 * dead too (a failover), and a request taking one would wait out the whole
 * timeout again. Destroying the socket makes pg-pool drop the connection at
 * once (its idle 'error' handler); fresh ones are opened on demand.
 */
export function dropIdleConnections(pool: pg.Pool): void {
  const idle = idleOf.get(pool);
  if (idle === undefined) return;
  for (const client of [...idle]) {
    idle.delete(client);
    client.connection.stream.destroy();
  }
}
