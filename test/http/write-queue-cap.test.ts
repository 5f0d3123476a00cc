import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { StoreUnavailableError } from '../../src/domain/store.js';
import { wireApp } from '../../src/main.js';
import { ThreadCreditWriter } from '../../src/store/sqlite/credit-writer.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { firstSettled, heldStore } from '../helpers/held-store.js';
import { openTempStore } from '../helpers/http-fixture.js';

/**
 * WRITE_QUEUE_MAX: past it, a write is refused at once with 503 and
 * Retry-After instead of waiting in a queue that grows without end, and a
 * refused write changes nothing. Queues are filled by holding the real store
 * back (a promise the test settles), never by sleeping.
 */

test('credit commands past WRITE_QUEUE_MAX get 503 with Retry-After; the rest are served, and only they move money', async () => {
  const fixture = await openTempStore();
  const held = heldStore(fixture.store);
  const app = wireApp({ store: held.store, writeQueueMax: 2 });
  try {
    const main = await seedMain(fixture.store, '100');
    const sub = await seedSub(fixture.store, main);
    const add = () =>
      app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/add',
        payload: { apiKey: main.apiKey, tokenSubaccount: sub.token, credit: '1' },
      });
    // One command in the held transaction: the queue behind it is empty.
    const inTransaction = add();
    await held.firstEntered;
    // Two wait (the cap), two are refused at once.
    const behind = [add(), add(), add(), add()];
    const refused = await firstSettled(behind, 2);
    for (const answer of refused) {
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ success: false, code: 503 });
      expect(answer.headers['retry-after']).toBe('1');
    }
    held.open();
    const served = await Promise.all([inTransaction, ...behind]);
    expect(served.map((answer) => answer.statusCode).sort()).toEqual([200, 200, 200, 503, 503]);
    const caller = await fixture.store.authenticate(main.keyHash);
    expect(caller?.balanceMicros).toBe(97_000_000n);
    const report = await fixture.store.verify();
    expect(report.ok).toBe(true);
    // The opening top-up and three adds: nothing of the refused ones.
    expect(report.transfers).toBe(4);
  } finally {
    await app.close();
    await fixture.remove();
  }
});

test('writes past the cap of the SQLite writer turn queue are refused as unavailable, and not written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-turns-'));
  const path = join(dir, 'tirelire.db');
  const db = openSqliteDatabase(path);
  migrate(db);
  const store = new SqliteStore(db, new ThreadCreditWriter(path, undefined, 2));
  try {
    const main = await seedMain(store, '10');
    const first = await seedSub(store, main);
    // A credit starts the writer thread: from now on the event loop's writes wait for a turn.
    const [credited] = await store.applyCredits([creditCommand('add', main.keyHash, first.token, '1')]);
    expect(credited).toMatchObject({ ok: true });
    // Three writes asked for in one turn of the event loop: the thread can give no turn meanwhile.
    const writes = [seedSub(store, main, '1'), seedSub(store, main, '1'), seedSub(store, main, '1')];
    const results = await Promise.allSettled(writes);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const [, , third] = results;
    expect(third?.status === 'rejected' && third.reason).toBeInstanceOf(StoreUnavailableError);
    const report = await store.verify();
    expect(report.ok).toBe(true);
    // Opening top-up, the credit, two subaccounts opened with 1 EUR each: not the third.
    expect(report.transfers).toBe(4);
    expect((await store.authenticate(main.keyHash))?.balanceMicros).toBe(7_000_000n);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
