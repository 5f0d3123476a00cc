import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../domain/store.js';
import {
  locateDatabase,
  postgresTarget,
  SchemaMissingError,
  withoutPassword,
  type DatabaseLocation,
} from './database-location.js';
import { backupSqliteFile, type BackupReport } from './sqlite/backup.js';
import { openSqliteStore } from './sqlite/open.js';
import { isTirelireDatabase } from './sqlite/probe.js';

export {
  DEFAULT_DATABASE_URL,
  locateDatabase,
  SchemaMissingError,
  type DatabaseLocation,
} from './database-location.js';
export type { BackupReport } from './sqlite/backup.js';

export interface OpenStoreOptions {
  readonly databaseUrl?: string | undefined;
  /** PostgreSQL connections per process (config PGPOOL_MAX; the pool's default 10 when absent). */
  readonly poolMax?: number | undefined;
  /** PostgreSQL: how soon a connection out that long has its session checked (config PG_SILENT_AFTER_MS; pool.ts). */
  readonly silentAfterMs?: number | undefined;
  /** SQLite: writes that may wait for a turn beside the writer thread (config WRITE_QUEUE_MAX). */
  readonly writeQueueMax?: number | undefined;
  /**
   * Refuse a SQLite file that does not exist instead of creating it (and its
   * folder), or a PostgreSQL schema without Tirelire's tables instead of
   * creating them. The CLI's commands other than serve and migrate open this
   * way, so a typo in --db or a run from another folder cannot start an empty ledger.
   */
  readonly mustExist?: boolean | undefined;
}

/** A SQLite file that the command was not allowed to create; its message names the path. */
export class DatabaseMissingError extends Error {
  constructor(readonly path: string) {
    super(`no database at ${path} (create it with \`tirelire migrate --db ${path}\`, or pass --create)`);
    this.name = 'DatabaseMissingError';
  }
}

/** An existing file that holds no Tirelire ledger (empty, or another program's); its message names it. */
export class NotALedgerError extends Error {
  constructor(readonly path: string) {
    super(
      `${path} is not a Tirelire database (empty, or no Tirelire schema): check --db, or run \`tirelire migrate --db ${path}\``,
    );
    this.name = 'NotALedgerError';
  }
}

/**
 * Chooses the store from a database URL (database-location.ts). The store is
 * migrated before it is returned. On SQLite, credit/add and credit/remove
 * commit on a writer thread (sqlite/credit-writer.ts).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const location = locateDatabase(options.databaseUrl);
  if (location.engine === 'postgres') return openPostgres(location.url, options);
  const { path } = location;
  if (path !== ':memory:') {
    if (options.mustExist === true && !existsSync(path)) throw new DatabaseMissingError(path);
    if (options.mustExist === true && !isTirelireDatabase(path)) throw new NotALedgerError(path);
    mkdirSync(dirname(path), { recursive: true });
  }
  return openSqliteStore(path, {
    creditThread: true,
    ...(options.writeQueueMax === undefined ? {} : { maxWaitingWrites: options.writeQueueMax }),
  });
}

/** An unreachable database is named by host, port and database, with its cause, never its password. */
async function openPostgres(url: string, options: OpenStoreOptions): Promise<Store> {
  const { openPostgresStore, NoLedgerInSchemaError } = await import('./postgres/open.js');
  try {
    return await openPostgresStore(url, {
      ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }),
      ...(options.silentAfterMs === undefined ? {} : { silentAfterMs: options.silentAfterMs }),
      ...(options.mustExist === true ? { mustExist: true } : {}),
    });
  } catch (error) {
    if (error instanceof NoLedgerInSchemaError) throw new SchemaMissingError(error.schema, url);
    const cause = rootCause(error);
    throw new Error(`cannot use PostgreSQL at ${postgresTarget(url)}: ${withoutPassword(url, cause)}`, {
      cause: error,
    });
  }
}

/** The innermost cause's message ("connect ECONNREFUSED 10.0.0.5:5432"), not a wrapper's. */
function rootCause(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause !== undefined; depth++) {
    current = current.cause;
  }
  const code = (current as { code?: unknown } | null)?.code;
  const message = current instanceof Error ? current.message : String(current);
  return message === '' && typeof code === 'string' ? code : message;
}

/**
 * `tirelire backup`: an online copy of a SQLite store. PostgreSQL has its own
 * tools for that (pg_dump, or base backups and WAL archiving), so it gets none.
 */
export async function backupStore(
  location: DatabaseLocation,
  destination: string,
): Promise<BackupReport | 'postgres'> {
  if (location.engine === 'postgres') return 'postgres';
  if (location.path === ':memory:' || !existsSync(location.path))
    throw new DatabaseMissingError(location.path);
  return backupSqliteFile(location.path, destination);
}
