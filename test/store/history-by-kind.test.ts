import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import type { Transfer, TransferKind } from '../../src/domain/transfers.js';
import { transferListing as postgresListing } from '../../src/store/postgres/listings.js';
import { postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { transferListing as sqliteListing } from '../../src/store/sqlite/listings.js';
import { creditsAmong, operatorCommand, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { createPostgresStore, POSTGRES_URL } from '../helpers/postgres-factory.js';
import { sqliteStoreEachTest } from '../helpers/sqlite-file.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * A tree's history filtered by a kind other than add and remove reads a
 * partial index of those few kinds, not every transfer of the tree (the
 * stores' migrations: transfers_main_few).
 */
async function operatorTransfers(store: Store, main: SeededMain, kinds: readonly ('topup' | 'charge')[]) {
  for (const kind of kinds) {
    const outcome = await store.operatorTransfer(operatorCommand(kind, main.accountId, 10_000n));
    expect(outcome.ok).toBe(true);
  }
}

/** Every page of the tree's history of `kind`, `limit` at a time, in order. */
async function allPages(store: Store, mainAccountId: number, kind: TransferKind): Promise<Transfer[]> {
  const items: Transfer[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listTransfers({ mainAccountId, kind, limit: 2, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

await describeEachStore('a tree’s history by kind', (current) => {
  it('pages through the transfers of one kind, newest first, every one once', async () => {
    const { store } = current();
    const main = await seedMain(store, '100');
    const other = await seedMain(store, '100');
    const subs = [await seedSub(store, main, '1'), await seedSub(store, main, '1')];
    await operatorTransfers(store, main, ['topup', 'charge']);
    await creditsAmong(store, main, subs, 6);
    await operatorTransfers(store, other, ['topup']);
    await operatorTransfers(store, main, ['topup', 'topup', 'charge']);
    await creditsAmong(store, main, subs, 3);

    const whole = await allPages(store, main.accountId, 'add');
    const everything = (await store.listTransfers({ mainAccountId: main.accountId, limit: 100 })).items;
    for (const kind of ['topup', 'charge', 'add', 'remove'] as const) {
      const pages = kind === 'add' ? whole : await allPages(store, main.accountId, kind);
      expect(pages.map((transfer) => transfer.id)).toEqual(
        everything.filter((transfer) => transfer.kind === kind).map((transfer) => transfer.id),
      );
    }
    // The opening top-up and three more; the other tree's is not there.
    expect((await allPages(store, main.accountId, 'topup')).length).toBe(4);
  });
});

describe('SQLite: a tree’s history of a few kind reads the partial index', () => {
  let db: Database.Database;
  sqliteStoreEachTest('tirelire-by-kind-', (opened) => {
    db = opened;
  });

  const plan = (kind: TransferKind) => {
    const { sql, params } = sqliteListing({ mainAccountId: 2, kind, limit: 100 });
    const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return rows.map((row) => row.detail).join('\n');
  };

  it('for each of topup, charge, autotopup and close, and not for add', () => {
    for (const kind of ['topup', 'charge', 'autotopup', 'close'] as const) {
      expect(plan(kind)).toMatch(/USING INDEX transfers_main_few/);
    }
    expect(plan('add')).not.toMatch(/transfers_main_few/);
  });
});

const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('PostgreSQL: a tree’s history of a few kind reads the partial index', () => {
  let subject: Awaited<ReturnType<typeof createPostgresStore>>;
  let client: pg.Client;
  beforeEach(async () => {
    subject = await createPostgresStore();
    client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${subject.schema}` });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
    await subject.dispose();
  });

  it('on a tree of 20,000 adds and a few top-ups, analysed', async () => {
    const main = await seedMain(subject.store, '100');
    const sub = await seedSub(subject.store, main, '1');
    await operatorTransfers(subject.store, main, ['topup', 'topup']);
    // Bulk adds straight in SQL: only their kind and tree matter to the plan.
    await client.query(
      `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
         credit_balance_after, main_account_id, subaccount_id, created_at)
       SELECT gen_random_uuid(), 'add', $1, $2, 1, 0, 0, $1, $2, now() FROM generate_series(1, 20000)`,
      [main.accountId, sub.accountId],
    );
    await client.query('ANALYZE transfers');
    const { text, values } = postgresListing({ mainAccountId: main.accountId, kind: 'topup', limit: 100 });
    const explained = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
    expect(explained.rows.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/transfers_main_few/);
  });
});
