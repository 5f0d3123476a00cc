import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { move, registerEndpoint, seedMain, seedSub } from '../helpers/fixtures.js';
import { sqliteStoreEachTest } from '../helpers/sqlite-file.js';

/**
 * On SQLite every write is a turn of the one writer (with the server's
 * writer thread, a pause of its group commit and an fsync on the event loop),
 * so the webhook fan-out does not run while no endpoint is enabled: a server
 * without webhooks spends no write on them. The first endpoint then starts
 * from the events committed after it (store-webhooks.test.ts, on both stores).
 */
describe('SQLite webhook fan-out without an enabled endpoint', () => {
  let db: Database.Database;
  let store: SqliteStore;
  sqliteStoreEachTest('tirelire-fanout-', (opened, storeOn) => {
    db = opened;
    store = storeOn;
  });

  /** Rows this connection has changed since it opened: a write shows here, a read does not. */
  const changes = () => db.prepare('SELECT total_changes()').pluck().get() as bigint;

  async function treeWithTransfers() {
    const main = await seedMain(store, '50');
    const sub = await seedSub(store, main);
    for (let index = 0; index < 3; index += 1) await move(store, 'add', main.keyHash, sub.token, '1');
    return main;
  }

  const register = (id: string, ownerAccountId: number) => registerEndpoint(store, ownerAccountId, { id });

  it('writes nothing while no endpoint exists', async () => {
    await treeWithTransfers();
    const before = changes();
    expect(await store.fanOutEvents(new Date(), 100)).toBe(0);
    expect(changes()).toBe(before);
    expect(await store.webhookBacklog()).toEqual({ events: 0, deliveries: 0 });
  });

  it('writes nothing while the only endpoint is disabled, and hands out again once one is enabled', async () => {
    const main = await treeWithTransfers();
    await register('we_disabled', main.accountId);
    db.prepare("UPDATE webhook_endpoints SET status = 'disabled'").run();
    const sub = await seedSub(store, main);
    await move(store, 'add', main.keyHash, sub.token, '1');
    const before = changes();
    expect(await store.fanOutEvents(new Date(), 100)).toBe(0);
    expect(changes()).toBe(before);

    await register('we_enabled', main.accountId);
    await move(store, 'add', main.keyHash, sub.token, '1');
    expect(await store.fanOutEvents(new Date(), 100)).toBe(1);
    const claimed = await store.claimDeliveries(new Date(), 100, 30_000, []);
    expect(claimed.map((delivery) => [delivery.endpoint.id, delivery.event.type])).toEqual([
      ['we_enabled', 'transfer.created'],
    ]);
  });
});
