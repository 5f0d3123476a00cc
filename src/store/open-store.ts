import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../domain/store.js';
import { openSqliteStore } from './sqlite/open.js';

export const DEFAULT_DATABASE_URL = './data/tirelire.db';

export interface OpenStoreOptions {
  readonly databaseUrl?: string | undefined;
  /** PostgreSQL connections per process (config PGPOOL_MAX; the pool's default 10 when absent). */
  readonly poolMax?: number | undefined;
  /** PostgreSQL: how soon a connection out that long has its session checked (config PG_SILENT_AFTER_MS; pool.ts). */
  readonly silentAfterMs?: number | undefined;
  /** SQLite: writes that may wait for a turn beside the writer thread (config WRITE_QUEUE_MAX). */
  readonly writeQueueMax?: number | undefined;
}

/**
 * Chooses the store from a database URL: postgres:// or postgresql:// selects
 * PostgreSQL; `sqlite:PATH` or a plain file path selects the embedded store.
 * The store is migrated before it is returned. On SQLite, credit/add and
 * credit/remove commit on a writer thread (sqlite/credit-writer.ts).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url =
    options.databaseUrl === undefined || options.databaseUrl === ''
      ? DEFAULT_DATABASE_URL
      : options.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres/open.js');
    return openPostgresStore(url, {
      ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }),
      ...(options.silentAfterMs === undefined ? {} : { silentAfterMs: options.silentAfterMs }),
    });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openSqliteStore(path, {
    creditThread: true,
    ...(options.writeQueueMax === undefined ? {} : { maxWaitingWrites: options.writeQueueMax }),
  });
}
