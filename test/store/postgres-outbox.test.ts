import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { move, registerEndpoint, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { createPostgresStore, POSTGRES_URL, schemaPool } from '../helpers/postgres-factory.js';

/**
 * PostgreSQL's webhook outbox: while no endpoint is enabled a ledger write
 * adds nothing to it, and the first endpoint's registration waits for the
 * writes in flight and holds the next ones until it commits, so that it gets
 * exactly the events committed after it (store-webhooks.test.ts holds the
 * rest on both stores).
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

describe.skipIf(!reachable)('PostgreSQL webhook outbox', () => {
  let subject: Awaited<ReturnType<typeof createPostgresStore>>;
  let store: Store;
  let pool: pg.Pool;
  let main: SeededMain;
  let token: string;

  beforeEach(async () => {
    subject = await createPostgresStore();
    store = subject.store;
    pool = schemaPool(subject.schema, 2);
    main = await seedMain(store, '100');
    token = (await seedSub(store, main)).token;
  });
  afterEach(async () => {
    await pool.end();
    await subject.dispose();
  });

  const outboxRows = async () =>
    Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM event_outbox')).rows[0]!.n);

  /** An operator's endpoint for every event; resolves once it is committed, with when. */
  async function register(): Promise<number> {
    await registerEndpoint(store, null);
    return performance.now();
  }

  /** A transfer of 1 EUR; resolves once it is committed, with when. */
  async function transfer(): Promise<number> {
    await move(store, 'add', main.keyHash, token, '1');
    return performance.now();
  }

  it('adds nothing to the outbox while no endpoint is enabled, and every event once one is', async () => {
    await transfer();
    await transfer();
    expect(await outboxRows()).toBe(0);
    await register();
    await transfer();
    expect(await outboxRows()).toBe(1);
    expect(await store.fanOutEvents(new Date(), 100)).toBe(1);
  });

  /** Every INSERT into `table` takes 400 ms more, inside its statement and so its transaction. */
  const slowInserts = (table: string) =>
    subject.exec(`CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.4); RETURN NULL; END $$;
      CREATE TRIGGER slow AFTER INSERT ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION slow();`);

  /** Starts `first`, then `second` 100 ms later; answers when each had committed. */
  async function overlapping(first: () => Promise<number>, second: () => Promise<number>) {
    const firstDone = first();
    await delay(100);
    return Promise.all([firstDone, second()]);
  }

  it('a write that starts while the first endpoint registers waits for it, and its event reaches it', async () => {
    await slowInserts('webhook_endpoints');
    const [registeredAt, transferredAt] = await overlapping(register, transfer);
    expect(transferredAt).toBeGreaterThan(registeredAt);
    expect(await outboxRows()).toBe(1);
    expect(await store.fanOutEvents(new Date(), 100)).toBe(1);
    const [delivery] = await store.claimDeliveries(new Date(Date.now() + 1000), 10, 30_000, []);
    expect(delivery?.event.type).toBe('transfer.created');
  });

  it('the first endpoint waits for a write in flight, whose event, committed before it, goes to no one', async () => {
    await slowInserts('transfers');
    const [transferredAt, registeredAt] = await overlapping(transfer, register);
    expect(registeredAt).toBeGreaterThan(transferredAt);
    expect(await outboxRows()).toBe(0);
    expect(await store.fanOutEvents(new Date(), 100)).toBe(0);
  });
});
