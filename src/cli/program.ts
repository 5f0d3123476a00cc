import { Command, InvalidArgumentError } from 'commander';

import { packageVersion, parsePort } from '../config.js';
import { addAccountCommands } from './account-commands.js';
import { addBackupCommand } from './backup-command.js';
import { addHoldCommands } from './hold-commands.js';
import { runDemo, type DemoOptions } from './demo.js';
import { withAuditOptions, withCommonOptions, withStore, type CommonOptions } from './options.js';
import { writeFailure } from './output.js';
import { addHistoryCommand } from './read-commands.js';
import { runVerify } from './verify-command.js';

const HELP_FOOTER = `
Store: --db, else DATABASE_URL, else ./data/tirelire.db (a file path, sqlite:PATH or postgres://…).
Only serve and migrate (or --create) create a SQLite file; every command names its database on stderr.
Amounts: decimal EUR, at most 6 decimals, no exponent. With --json, money is an exact JSON number (12.5).
Exit codes: 0 done; 1 refused or failed (one line on stderr with the error code); 2 usage error.`;

interface ServeOptions {
  readonly db?: string;
  readonly host?: string;
  readonly port?: number;
}

/**
 * The whole `tirelire` command tree. Actions report their exit code through
 * `setExitCode` rather than calling process.exit, so pending writes to stdout
 * and the store's close always finish first.
 */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('tirelire')
    .description('Tirelire: a prepaid-credit ledger speaking the Mailpartner subaccount API')
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ outputError: writeUsageError })
    .addHelpText('after', HELP_FOOTER);

  program
    .command('serve')
    .description('serve the HTTP API (same as npm start)')
    .option('--db <url>', 'database: file path, sqlite:PATH or postgres://… (overrides DATABASE_URL)')
    .option('--host <host>', 'listen address (default HOST or 127.0.0.1)')
    .option('--port <port>', 'listen port (default PORT or 8080)', parsePortOption)
    .action((options: ServeOptions) => serve(options));

  withCommonOptions(program.command('migrate').description('create or upgrade the database schema')).action(
    async (options: CommonOptions) => setExitCode(await migrate(options)),
  );
  addAccountCommands(program, setExitCode);
  addHistoryCommand(program, setExitCode);
  addHoldCommands(program, setExitCode);
  addBackupCommand(program, setExitCode);
  withCommonOptions(program.command('verify').description('check every ledger invariant')).action(
    async (options: CommonOptions) => setExitCode(await runVerify(options)),
  );
  withAuditOptions(
    withCommonOptions(program.command('demo').description('seed a main account and two subaccounts')),
  )
    .option(
      '--url <base>',
      'the server to seed through, and the printed curl line (default from HOST and PORT)',
    )
    .option('--admin-token <token>', 'its operator token (default TIRELIRE_ADMIN_TOKEN)')
    .action(async (options: DemoOptions) => setExitCode(await runDemo(options)));
  return program;
}

/**
 * Commander's own messages (unknown option, missing value): as they are, or
 * with --json one JSON object like every other failure.
 */
function writeUsageError(text: string, write: (text: string) => void): void {
  if (process.argv.includes('--json')) writeFailure(true, { message: text.trim().replace(/^error: /, '') });
  else write(text);
}

function parsePortOption(text: string): number {
  const port = parsePort(text);
  if (port === null) throw new InvalidArgumentError('expected a port 0–65535');
  return port;
}

/** Loaded on demand: the other commands need no HTTP server in memory. */
async function serve(options: ServeOptions): Promise<void> {
  const { startServer } = await import('../main.js');
  await startServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.db === undefined ? {} : { databaseUrl: options.db }),
  });
}

function migrate(options: CommonOptions): Promise<number> {
  return withStore(
    options,
    async (store, output) => {
      // Opening already migrates; asking again is harmless and states the intent.
      await store.migrate();
      output.result({ ok: true, engine: store.engine }, [`schema up to date (${store.engine})`]);
      return 0;
    },
    true,
  );
}
