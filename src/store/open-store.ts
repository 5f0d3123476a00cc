import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from '../domain/store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export const DEFAULT_DATABASE_URL = './data/tirelire.db';

/**
 * Chooses the store from a database URL: postgres:// or postgresql:// selects
 * PostgreSQL; `sqlite:PATH` or a plain file path selects the embedded store.
 * The store is migrated before it is returned. On SQLite, credit/add and
 * credit/remove commit on a writer thread (sqlite/credit-writer.ts).
 */
export async function openStore(options: { databaseUrl?: string | undefined }): Promise<Store> {
  const url =
    options.databaseUrl === undefined || options.databaseUrl === ''
      ? DEFAULT_DATABASE_URL
      : options.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.js');
    return openPostgresStore(url);
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return openSqliteStore(path, { creditThread: true });
}
