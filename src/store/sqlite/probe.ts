import { statSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * Whether a file is a Tirelire ledger: an SQLite database holding the
 * migrations table. An empty file (`touch ledger.db`) or another program's
 * database is not one, and a command that may not create a ledger must not
 * silently migrate one into it.
 */
export function isTirelireDatabase(path: string): boolean {
  if (statSync(path).size === 0) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    return table !== undefined;
  } catch {
    // Not an SQLite file at all ("file is not a database").
    return false;
  } finally {
    db?.close();
  }
}
