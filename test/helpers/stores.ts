import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { openSqliteStore } from '../../src/store/sqlite/open.js';
import { postgresFactory } from './postgres-factory.js';

/** A store under test, with a raw SQL door for tamper tests. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Runs SQL straight on the database, bypassing the store. */
  exec(sql: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  /** false when the engine cannot be reached here (never in CI). */
  available(): Promise<boolean>;
  create(): Promise<StoreUnderTest>;
}

function sqliteStoreFactory(name: string, creditThread: boolean): StoreFactory {
  return {
    name,
    available: async () => true,
    create: () => createSqliteStore(creditThread),
  };
}

async function createSqliteStore(creditThread: boolean): Promise<StoreUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-store-'));
  const path = join(dir, 'tirelire.db');
  const store = openSqliteStore(path, { creditThread });
  return {
    store,
    async exec(sql) {
      const raw = new Database(path);
      try {
        raw.exec(sql);
      } finally {
        raw.close();
      }
    },
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sqliteFactory = sqliteStoreFactory('sqlite', false);
/** As the server opens it: credit commands commit on the writer thread (credit-writer.ts). */
export const sqliteThreadFactory = sqliteStoreFactory('sqlite (credit writer thread)', true);

/** Every store the contract suite runs against. */
export const storeFactories: StoreFactory[] = [sqliteFactory, sqliteThreadFactory, postgresFactory];

/**
 * A describe block per store of `storeFactories` (PostgreSQL skipped only
 * when unreachable outside CI), each test on a fresh store: `current()` is it.
 */
export async function describeEachStore(
  title: string,
  body: (current: () => StoreUnderTest) => void,
): Promise<void> {
  for (const factory of storeFactories) {
    const available = await factory.available();
    if (!available && process.env['CI']) throw new Error(`${factory.name} must be reachable in CI`);
    describe.skipIf(!available)(`${title}: ${factory.name}`, () => {
      let subject: StoreUnderTest;
      beforeEach(async () => {
        subject = await factory.create();
      });
      afterEach(async () => subject.dispose());
      body(() => subject);
    });
  }
}
