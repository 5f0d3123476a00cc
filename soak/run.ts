import { postgresReachable } from '../src/store/postgres/schema-admin.js';
import { formatReport, runBank, type BankOptions } from './bank.js';

/**
 * `npm run soak`: the bank test on SQLite, PostgreSQL or both. Exits 1 on any
 * violation, 2 on a bad setting or an unreachable PostgreSQL.
 *   SOAK_SECONDS (60)  SOAK_STORE=sqlite|postgres|both (both)
 *   SOAK_PROCESSES (3, PostgreSQL only)  SOAK_CLIENTS (16)
 *   DATABASE_URL: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test)
 *   SOAK_WITHOUT_KEYS=1: clients retry without their Idempotency-Key, to watch the checks fail
 */
const POSTGRES_URL = process.env['DATABASE_URL']?.startsWith('postgres')
  ? process.env['DATABASE_URL']
  : 'postgres://postgres@127.0.0.1:5432/test';

function count(name: string, fallback: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > max)
    throw new Error(`${name} must be 1–${max}, got "${text}"`);
  return value;
}

function engines(): BankOptions['engine'][] {
  const store = process.env['SOAK_STORE'] ?? 'both';
  if (store === 'both') return ['sqlite', 'postgres'];
  if (store === 'sqlite' || store === 'postgres') return [store];
  throw new Error(`SOAK_STORE must be sqlite, postgres or both, got "${store}"`);
}

async function main(): Promise<number> {
  const seconds = count('SOAK_SECONDS', 60, 86_400);
  const processes = count('SOAK_PROCESSES', 3, 32);
  const clients = count('SOAK_CLIENTS', 16, 1_000);
  let violations = 0;
  for (const engine of engines()) {
    if (engine === 'postgres' && !(await postgresReachable(POSTGRES_URL))) {
      console.error(
        `soak: PostgreSQL is not reachable at ${POSTGRES_URL} (set DATABASE_URL or SOAK_STORE=sqlite)`,
      );
      return 2;
    }
    const report = await runBank({
      engine,
      seconds,
      processes,
      clients,
      postgresUrl: POSTGRES_URL,
      sendIdempotencyKeys: process.env['SOAK_WITHOUT_KEYS'] !== '1',
      log: (line) => console.error(`  ${line}`),
    });
    console.log(formatReport(report));
    violations += report.violations.length;
  }
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`soak: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 2;
  },
);
