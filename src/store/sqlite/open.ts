import Database from 'better-sqlite3';
import { ThreadCreditWriter } from './credit-writer.js';
import { migrate } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * Opens (creating if needed) the SQLite file with the durability settings of
 * the contract: WAL, and synchronous=FULL so an acknowledged transfer has been
 * fsynced. Runs the migrations. With `creditThread` (the server's choice,
 * open-store.ts), credit/add and credit/remove commit on a writer thread with
 * its own connection to the file (credit-writer.ts), off the event loop.
 */
export function openSqliteStore(
  path: string,
  options: { creditThread?: boolean; maxWaitingWrites?: number } = {},
): SqliteStore {
  const db = openSqliteDatabase(path);
  migrate(db);
  const thread = options.creditThread === true && path !== ':memory:' && path !== '';
  return new SqliteStore(
    db,
    thread ? new ThreadCreditWriter(path, undefined, options.maxWaitingWrites) : null,
  );
}

/** A connection with the store's settings; the caller migrates (or knows it was). */
export function openSqliteDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
  return db;
}
