import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open.js';

/** The real, built command: `npm test` builds first (pretest). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'tirelire.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  /** stderr without the line naming the database, which every command writes first. */
  readonly stderr: string;
  /** That line (`tirelire: database: …` or `{"database":…}`), or null when the command wrote none. */
  readonly database: string | null;
}

const DATABASE_LINE = /^(tirelire: database: .*|\{"database":.*)\n/;

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does it for you)');
  }
}

/** Runs `tirelire ARGS` to completion, with DATABASE_URL unset unless `env` sets it. */
export function tirelire(args: readonly string[], env: Record<string, string> = {}, cwd = ROOT): CliRun {
  const inherited = { ...process.env };
  delete inherited['DATABASE_URL'];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
  return splitDatabaseLine(result);
}

/** As `tirelire`, without blocking the test's event loop: for commands that run beside a load it drives. */
export function tirelireAsync(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const inherited = { ...process.env };
  delete inherited['DATABASE_URL'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) =>
    child.once('close', (status) => resolve(splitDatabaseLine({ status, stdout, stderr }))),
  );
}

function splitDatabaseLine(run: { status: number | null; stdout: string; stderr: string }): CliRun {
  const database = DATABASE_LINE.exec(run.stderr);
  return {
    ...run,
    stderr: database === null ? run.stderr : run.stderr.slice(database[0].length),
    database: database?.[1] ?? null,
  };
}

/**
 * Parses --json output as any client would; exactness of money is checked on
 * the raw text by the tests (`"credit":0.3`), since JSON.parse reads floats.
 */
export function jsonOf(run: CliRun): Record<string, unknown> {
  const lines = run.stdout.split('\n').filter((line) => line !== '');
  if (lines.length !== 1) throw new Error(`expected one JSON line on stdout, got: ${run.stdout}`);
  const value: unknown = JSON.parse(lines[0]!);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a JSON object, got: ${lines[0]}`);
  }
  return value as Record<string, unknown>;
}

export interface TempDatabase {
  readonly path: string;
  /** Opens a second connection, as a server beside the CLI would. */
  withStore<T>(use: (store: Store) => Promise<T>): Promise<T>;
  remove(): void;
}

/**
 * A fresh folder with a migrated, empty ledger in it, as `tirelire migrate`
 * leaves one (the CLI's commands refuse a file that does not exist), or,
 * with `create: false`, only the path, for the tests of that refusal.
 */
export function tempDatabase(options: { readonly create?: boolean } = {}): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-cli-'));
  const path = join(dir, 'ledger.db');
  if (options.create !== false) {
    const db = openSqliteDatabase(path);
    migrate(db);
    db.close();
  }
  return {
    path,
    async withStore(use) {
      const store = await openStore({ databaseUrl: path });
      try {
        return await use(store);
      } finally {
        await store.close();
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
