import { userInfo } from 'node:os';

import { Option, type Command } from 'commander';

import { readConfig, type Config } from '../config.js';
import type { Store } from '../domain/store.js';
import { locateDatabase, openStore } from '../store/open-store.js';
import { processOutput, type Output } from './output.js';

let config: Config | undefined;

/** The environment, read once per command, when a command first needs it (src/config.ts). */
export function cliConfig(): Config {
  return (config ??= readConfig());
}

export interface CommonOptions {
  readonly db?: string;
  readonly json?: boolean;
  /** Create the SQLite database when it does not exist (serve and migrate always may). */
  readonly create?: boolean;
}

export interface AuditOptions {
  readonly operator: string;
  readonly reason?: string;
}

/** Every command takes --db and --json (CONTRACT.md section 1). */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--db <url>', 'database: file path, sqlite:PATH or postgres://… (overrides DATABASE_URL)')
    .option('--json', 'print one JSON object on stdout (and JSON lines on stderr)')
    .option('--create', 'create the SQLite database if it does not exist (else refused)');
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

/** --db, then DATABASE_URL; openStore falls back to ./data/tirelire.db. */
export function resolveDatabaseUrl(db: string | undefined): string | undefined {
  return db ?? cliConfig().databaseUrl;
}

/**
 * Says which database the command uses, opens the store, runs one command
 * against it and always closes it, so a failed command leaves no open handle
 * keeping the process alive. Only `migrate` (`creates`) and an explicit
 * --create may bring a new SQLite file into being; a database that cannot be
 * opened is one line (or JSON object) on stderr and exit code 1.
 */
export async function withStore(
  options: CommonOptions,
  run: (store: Store, output: Output) => Promise<number>,
  creates = false,
): Promise<number> {
  const output = processOutput(options.json === true);
  const { pgPoolMax, writeQueueMax } = cliConfig();
  const databaseUrl = resolveDatabaseUrl(options.db);
  output.database(locateDatabase(databaseUrl).label);
  let store: Store;
  try {
    store = await openStore({
      databaseUrl,
      poolMax: pgPoolMax,
      writeQueueMax,
      mustExist: !(creates || options.create === true),
    });
  } catch (error) {
    output.error((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '');
    return 1;
  }
  try {
    return await run(store, output);
  } finally {
    await store.close();
  }
}
