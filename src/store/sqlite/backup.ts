import { existsSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** better-sqlite3 takes the pages of the next step from the progress callback; this many is all of them. */
const ALL_PAGES = 0x7fffffff;

export interface BackupReport {
  readonly pages: number;
}

/**
 * A consistent copy of a live SQLite store through SQLite's online backup
 * API: a read-only connection of its own copies every page of one snapshot
 * (the WAL included) while the server goes on writing, and restarts when a
 * write lands during the copy. The copy is written beside its destination
 * and renamed into place when complete, so a destination file is never half
 * a backup.
 *
 * SQLite restarts a backup taken in steps whenever another connection writes
 * between two steps, so under a steady load a step-wise copy of a large file
 * might never end. The whole copy is one step instead: one read snapshot,
 * which in WAL mode never blocks the server's writers (this process, the
 * CLI's, is the one that waits).
 */
export async function backupSqliteFile(source: string, destination: string): Promise<BackupReport> {
  if (existsSync(destination)) throw new Error(`${destination} already exists: choose a new file name`);
  const partial = `${destination}.partial`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    const { totalPages } = await db.backup(partial, { progress: () => ALL_PAGES });
    renameSync(partial, destination);
    return { pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
