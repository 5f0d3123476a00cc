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
  retryWhileBusy(() => db.pragma('journal_mode = WAL'));
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
  return db;
}

const BUSY_RETRIES = 50;
const BUSY_PAUSE_MS = 20;

/**
 * Runs `step` again, after a short pause, while it fails with SQLITE_BUSY,
 * up to about a second. SQLite's busy handler (busy_timeout) does not cover
 * one case: two connections that both read a file and then both want its
 * exclusive lock, as two processes switching the same new file to WAL at
 * once do. SQLite refuses one at once rather than let them wait on each
 * other; once the other has switched, that one's retry finds WAL and has
 * nothing left to do.
 */
export function retryWhileBusy<T>(step: () => T): T {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return step();
    } catch (error) {
      if (attempt >= BUSY_RETRIES || !isBusy(error)) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BUSY_PAUSE_MS);
    }
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY';
}
