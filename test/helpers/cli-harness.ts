import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Store } from '../../src/domain/store.js';
import { openStore } from '../../src/store/open-store.js';

/** The real, built command: `npm test` builds first (pretest). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'bin', 'tirelire.js');

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does it for you)');
  }
}

/** Runs `tirelire ARGS` to completion, with DATABASE_URL unset unless `env` sets it. */
export function tirelire(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const inherited = { ...process.env };
  delete inherited['DATABASE_URL'];
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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

export function tempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-cli-'));
  const path = join(dir, 'ledger.db');
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
