import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

export interface SqliteFile {
  readonly db: Database.Database;
  /** Closes the connection and deletes the file's folder. */
  remove(): void;
}

/** A new SQLite file, not migrated, in a folder of its own under the system's temporary folder. */
export function newSqliteFile(prefix: string): SqliteFile {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = openSqliteDatabase(join(dir, 'tirelire.db'));
  return {
    db,
    remove() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A new SQLite file for each test of the suite, handed to `opened` before the
 * test (beforeEach) and removed after it (afterEach).
 */
export function sqliteFileEachTest(prefix: string, opened: (db: Database.Database) => void): void {
  let file: SqliteFile | undefined;
  beforeEach(() => {
    file = newSqliteFile(prefix);
    opened(file.db);
  });
  afterEach(() => file?.remove());
}

/**
 * As sqliteFileEachTest, the file migrated and a store on it (its own
 * connection, no writer thread), both handed to `opened`.
 */
export function sqliteStoreEachTest(
  prefix: string,
  opened: (db: Database.Database, store: SqliteStore) => void,
): void {
  let store: SqliteStore | undefined;
  sqliteFileEachTest(prefix, (db) => {
    migrate(db);
    store = new SqliteStore(db, null);
    opened(db, store);
  });
  // Runs before the file's removal (after-hooks run last registered first): closes what the store opened.
  afterEach(() => store?.close());
}

/** Applies the first `version` migrations and records them, as a build of that schema version left the file. */
export function migrateTo(db: Database.Database, version: number): void {
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER)');
  MIGRATIONS.slice(0, version).forEach((sql, index) => {
    db.exec(sql);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(index + 1);
  });
}
