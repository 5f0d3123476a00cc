import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/domain/store.js';
import { wireApp, type WireOptions } from '../../src/main.js';
import { newTransferId } from '../../src/app/ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../../src/app/keys.js';
import { openStore } from '../../src/store/open-store.js';
import { parseAmount } from '../../src/domain/money.js';
import type { StoreFactory } from './stores.js';

/** A real SQLite store in a fresh temp directory, seeded only through the Store API. */
export interface StoreFixture {
  readonly store: Store;
  readonly path: string;
  remove(): Promise<void>;
}

export async function openTempStore(): Promise<StoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-http-'));
  const path = join(dir, 'tirelire.db');
  const store = await openStore({ databaseUrl: path });
  return {
    store,
    path,
    async remove() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeededMain {
  readonly apiKey: string;
  readonly email: string;
  readonly accountId: number;
}

export async function seedMain(store: Store, email: string, openingEur: string): Promise<SeededMain> {
  const apiKey = generateApiKey();
  const outcome = await store.createMainAccount({
    email,
    keyHash: hashApiKey(apiKey),
    openingMicros: microsOf(openingEur),
    transferId: newTransferId(),
    createdAt: new Date(),
    reason: null,
    operator: null,
  });
  if (!outcome.ok) throw new Error(`seeding ${email} failed with code ${outcome.code}`);
  return { apiKey, email, accountId: outcome.account.id };
}

export interface SeededSub {
  readonly token: string;
  readonly email: string;
  /** Set for advanced subaccounts. */
  readonly apiKey: string | null;
}

export async function seedSub(
  store: Store,
  main: SeededMain,
  email: string,
  creditEur: string | null,
  type: 'simple' | 'advanced' = 'simple',
): Promise<SeededSub> {
  const token = generateSubaccountToken();
  const apiKey = type === 'advanced' ? generateApiKey() : null;
  const outcome = await store.createSubaccount({
    keyHash: hashApiKey(main.apiKey),
    type,
    email,
    profile: {},
    token,
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: creditEur === null ? null : parseAmount(creditEur),
    transferId: newTransferId(),
    createdAt: new Date(),
  });
  if (!outcome.ok) throw new Error(`seeding ${email} failed with code ${outcome.code}`);
  return { token, email, apiKey };
}

function microsOf(eur: string): bigint {
  const amount = parseAmount(eur);
  if (amount.kind === 'invalid') throw new Error(`bad amount ${eur}`);
  return amount.kind === 'positive' ? amount.micros : 0n;
}

/** An app in front of a store; remove() closes both and deletes what the store left behind. */
export interface StoreApp {
  readonly store: Store;
  readonly app: FastifyInstance;
  remove(): Promise<void>;
}

export interface AppFixture extends StoreFixture, StoreApp {}

export async function openApp(options: Omit<WireOptions, 'store'> = {}): Promise<AppFixture> {
  const fixture = await openTempStore();
  return { ...fixture, ...(await serve(fixture.store, options, () => fixture.remove())) };
}

/** An app on a store from any factory of stores.ts, for the HTTP suites that run on every store. */
export async function openAppOn(
  factory: StoreFactory,
  options: Omit<WireOptions, 'store'> = {},
): Promise<StoreApp> {
  const subject = await factory.create();
  return { store: subject.store, ...(await serve(subject.store, options, () => subject.dispose())) };
}

async function serve(
  store: Store,
  options: Omit<WireOptions, 'store'>,
  removeStore: () => Promise<void>,
): Promise<Omit<StoreApp, 'store'>> {
  const app = wireApp({ ...options, store });
  await app.ready();
  return {
    app,
    async remove() {
      await app.close();
      await removeStore();
    },
  };
}
