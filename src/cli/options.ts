import { userInfo } from 'node:os';

import { Option, type Command } from 'commander';

import { readConfig, type Config } from '../config.js';
import type { Store } from '../domain/store.js';
import { openStore } from '../store/open-store.js';
import { processOutput, type Output } from './output.js';

let config: Config | undefined;

/** The environment, read once per command, when a command first needs it (src/config.ts). */
export function cliConfig(): Config {
  return (config ??= readConfig());
}

export interface CommonOptions {
  readonly db?: string;
  readonly json?: boolean;
}

export interface AuditOptions {
  readonly operator: string;
  readonly reason?: string;
}

/** Every command takes --db and --json (CONTRACT.md section 1). */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: file path, sqlite:PATH or postgres://… (overrides DATABASE_URL)')
    .option('--json', 'print one JSON object on stdout');
}

/** The name kept on the ledger transfer: who did it, from which OS account by default. */
export function withAuditOptions(command: Command): Command {
  return command
    .option('--reason <text>', 'why, kept forever on the ledger transfer or the audit trail')
    .addOption(
      new Option('--operator <name>', 'operator name kept on the ledger transfer or the audit trail').default(
        defaultOperator(),
      ),
    );
}

/** Containers may run under a uid with no passwd entry, where userInfo() throws. */
export function defaultOperator(): string {
  try {
    return userInfo().username;
  } catch {
    return cliConfig().user ?? 'unknown';
  }
}

/** --db, then DATABASE_URL; openStore falls back to ./data/tirelire.db and creates ./data. */
export function resolveDatabaseUrl(db: string | undefined): string | undefined {
  return db ?? cliConfig().databaseUrl;
}

/**
 * Opens the store, runs one command against it and always closes it, so a
 * failed command leaves no open handle keeping the process alive.
 */
export async function withStore(
  options: CommonOptions,
  run: (store: Store, output: Output) => Promise<number>,
): Promise<number> {
  const output = processOutput(options.json === true);
  const { pgPoolMax, writeQueueMax } = cliConfig();
  const store = await openStore({
    databaseUrl: resolveDatabaseUrl(options.db),
    poolMax: pgPoolMax,
    writeQueueMax,
  });
  try {
    return await run(store, output);
  } finally {
    await store.close();
  }
}
