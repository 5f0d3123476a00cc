import type { Store } from '../src/domain/store.js';
import { newTransferId } from '../src/app/ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../src/app/keys.js';
import { openStore } from '../src/store/open-store.js';
import { openPostgresStore } from '../src/store/postgres/open.js';
import { settleTables, withPgClient } from './handwritten-schema.js';

/** Where a Tirelire target keeps its ledger: a SQLite file, or a PostgreSQL schema of its own. */
export type TirelireDatabase =
  | { readonly engine: 'sqlite'; readonly path: string }
  | { readonly engine: 'postgres'; readonly url: string; readonly schema: string };

export function openBenchStore(database: TirelireDatabase): Promise<Store> {
  return database.engine === 'sqlite'
    ? openStore({ databaseUrl: database.path })
    : openPostgresStore(database.url, { schema: database.schema });
}

/** The URL the server is given: a SQLite path, or PostgreSQL's with the schema on it (`?schema=`). */
export function serverDatabaseUrl(database: TirelireDatabase): string {
  if (database.engine === 'sqlite') return database.path;
  const url = new URL(database.url);
  url.searchParams.set('schema', database.schema);
  return url.toString();
}

/**
 * The environment of `node dist/main.js` on `database`. The per-key rate limit
 * stays on (its cost is measured) but set above any rate reached here: a 429
 * is a cheap answer and would flatter the figures.
 */
export function serverEnv(database: TirelireDatabase, logLevel: string): NodeJS.ProcessEnv {
  return { DATABASE_URL: serverDatabaseUrl(database), LOG_LEVEL: logLevel, RATE_LIMIT_MAX: '999999999' };
}

export interface TirelireSeed {
  readonly apiKey: string;
  readonly tokens: readonly string[];
  readonly mainAccountId: number;
}

/** Main accounts seeded by this process: two in one millisecond still get distinct emails. */
let mainsSeeded = 0;

/** One main account and its subaccounts, made through the Store API. */
export interface SeededMain extends TirelireSeed {
  readonly subaccountIds: readonly number[];
}

/** Seeds a main account holding `openingMicros` and `subaccounts` simple subaccounts of it. */
export async function seedMainAccount(
  store: Store,
  subaccounts: number,
  openingMicros: bigint,
): Promise<SeededMain> {
  const apiKey = generateApiKey();
  const keyHash = hashApiKey(apiKey);
  const main = await store.createMainAccount({
    email: `bench-${process.pid}-${Date.now()}-${(mainsSeeded += 1)}@bench.invalid`,
    keyHash,
    openingMicros,
    transferId: newTransferId(),
    createdAt: new Date(),
    reason: 'benchmark',
    operator: 'bench',
  });
  if (!main.ok) throw new Error(`seeding the main account failed with code ${main.code}`);
  const tokens: string[] = [];
  const subaccountIds: number[] = [];
  for (let index = 0; index < subaccounts; index += 1) {
    const token = generateSubaccountToken();
    const sub = await store.createSubaccount({
      keyHash,
      type: 'simple',
      email: `sub-${index}-${token}@bench.invalid`,
      profile: {},
      token,
      subaccountKeyHash: null,
      creditToAttribute: null,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    if (!sub.ok) throw new Error(`seeding subaccount ${index} failed with code ${sub.code}`);
    tokens.push(token);
    subaccountIds.push(sub.account.id);
  }
  return { apiKey, tokens, subaccountIds, mainAccountId: main.account.id };
}

/** Seeds one main account and its subaccounts through the Store API, before the server starts. */
export async function seedTirelire(
  database: TirelireDatabase,
  subaccounts: number,
  openingMicros: bigint,
): Promise<SeededMain> {
  const store = await openBenchStore(database);
  let seeded: SeededMain;
  try {
    await store.migrate();
    seeded = await seedMainAccount(store, subaccounts, openingMicros);
  } finally {
    await store.close();
  }
  if (database.engine === 'postgres') {
    const tables = ['accounts', 'transfers', 'events', 'event_outbox'].map(
      (table) => `${database.schema}.${table}`,
    );
    await withPgClient(database.url, (client) => settleTables(client, tables));
  }
  return seeded;
}

export interface LedgerCheck {
  readonly balanceMicros: bigint;
  /** `tirelire verify` on the store after the run: invariants 1–4. */
  readonly verifyOk: boolean;
  readonly verifyProblems: number;
}

/** Reads the main account's balance and verifies the ledger, with the server stopped. */
export async function inspectTirelire(
  database: TirelireDatabase,
  mainAccountId: number,
): Promise<LedgerCheck> {
  const store = await openBenchStore(database);
  try {
    const account = await store.getAccount(mainAccountId);
    if (account === null) throw new Error(`main account ${mainAccountId} not found after the run`);
    const report = await store.verify();
    return {
      balanceMicros: account.balanceMicros,
      verifyOk: report.ok,
      verifyProblems: report.problems.length,
    };
  } finally {
    await store.close();
  }
}
