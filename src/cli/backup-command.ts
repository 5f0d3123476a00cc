import { resolve } from 'node:path';

import type { Command } from 'commander';

import { backupStore, DatabaseMissingError, locateDatabase } from '../store/open-store.js';
import { resolveDatabaseUrl } from './options.js';
import { processOutput } from './output.js';

interface BackupOptions {
  readonly db?: string;
  readonly json?: boolean;
  readonly to: string;
}

/**
 * `tirelire backup --to FILE`: a consistent copy of the SQLite store, taken
 * while the server goes on serving (docs/operators.md says how to restore it).
 * PostgreSQL is backed up with its own tools; the command says which.
 */
export function addBackupCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('backup')
    .description('copy the SQLite store while the server runs (PostgreSQL: use pg_dump)')
    .option('--db <url>', 'database: file path, sqlite:PATH or postgres://… (overrides DATABASE_URL)')
    .option('--json', 'print one JSON object on stdout (and JSON lines on stderr)')
    .requiredOption('--to <file>', 'the copy to write; must not exist yet')
    .action(async (options: BackupOptions) => setExitCode(await backup(options)));
}

async function backup(options: BackupOptions): Promise<number> {
  const output = processOutput(options.json === true);
  const location = locateDatabase(resolveDatabaseUrl(options.db));
  output.database(location.label);
  const destination = resolve(options.to);
  try {
    const report = await backupStore(location, destination);
    if (report === 'postgres') {
      output.error(
        'backup copies SQLite stores only: back PostgreSQL up with pg_dump (docs/operators.md, "Backup and restore")',
      );
      return 1;
    }
    output.result({ ok: true, to: destination, pages: report.pages }, [
      `backup written to ${destination} (${report.pages} pages); check it with: tirelire verify --db ${destination}`,
    ]);
    return 0;
  } catch (error) {
    if (error instanceof DatabaseMissingError) output.error(error.message);
    else output.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
