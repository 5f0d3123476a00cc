import { expect, test } from 'vitest';
import { CreditQueue, CreditQueueFullError } from '../../src/app/credit-queue.js';
import { readConfig } from '../../src/config.js';
import { heapGrowthFlag } from '../../src/heap-growth.js';
import { wireApp } from '../../src/main.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { firstSettled, heldStore } from '../helpers/held-store.js';
import { openTempStore } from '../helpers/http-fixture.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * A server pushed past its bound (issue 18, "Overload"): what it refuses is a
 * 503 with Retry-After and the contract's body, refused before any money
 * moves, so a retry with the same Idempotency-Key applies it once; what it
 * accepts is all in the ledger. The queue is filled by holding the real
 * store's transaction (a promise the test settles) and aged by a clock the
 * test turns: no sleep, no timing.
 */

const UNAVAILABLE = {
  success: false,
  code: 503,
  message: 'Service momentanément indisponible, réessayez plus tard',
};

await describeEachStore('a server past its bound', (current) => {
  test('refuses with 503, Retry-After and the contract body before money moves; a retry with the same key applies once', async () => {
    const { store } = current();
    const held = heldStore(store);
    const app = wireApp({ store: held.store, writeQueueMax: 2 });
    try {
      const main = await seedMain(store, '100');
      const sub = await seedSub(store, main);
      const add = (key: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/subaccount/credit/add',
          headers: { 'idempotency-key': key },
          payload: { apiKey: main.apiKey, tokenSubaccount: sub.token, credit: '1' },
        });
      const inTransaction = add('k0');
      await held.firstEntered;
      // Two wait behind the held transaction (WRITE_QUEUE_MAX); the other three are refused.
      const behind = ['k1', 'k2', 'k3', 'k4', 'k5'].map(add);
      const refused = await firstSettled(behind, 3);
      for (const answer of refused) {
        expect(answer.statusCode).toBe(503);
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.json()).toEqual(UNAVAILABLE);
      }
      // Refused before its body is read: a body that is not JSON gets the 503, not code 21.
      const unread = await app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/add',
        headers: { 'content-type': 'application/json' },
        payload: '{not json',
      });
      expect(unread.statusCode).toBe(503);
      // Nothing of the refused ones moved: the balance is still the opening one.
      expect((await store.authenticate(main.keyHash))?.balanceMicros).toBe(100_000_000n);
      held.open();
      const answers = await Promise.all([inTransaction, ...behind]);
      expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 200, 200, 503, 503, 503]);
      expect((await store.authenticate(main.keyHash))?.balanceMicros).toBe(97_000_000n);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toContain('tirelire_store_errors_total{kind="overload"} 4');

      // A refused request retried with its key is applied, once; its next retry is a replay.
      const refusedKey = ['k1', 'k2', 'k3', 'k4', 'k5'][
        answers.slice(1).findIndex((a) => a.statusCode === 503)
      ]!;
      const retried = await add(refusedKey);
      expect(retried.statusCode).toBe(200);
      const replayed = await add(refusedKey);
      expect(replayed.body).toBe(retried.body);
      expect(replayed.headers['idempotent-replayed']).toBe('true');
      expect((await store.authenticate(main.keyHash))?.balanceMicros).toBe(96_000_000n);
      const report = await store.verify();
      expect(report.ok).toBe(true);
      // The opening top-up and the four accepted adds: nothing of the refused ones.
      expect(report.transfers).toBe(5);
    } finally {
      await app.close();
    }
  });
});

test('the queue refuses once its oldest command has stayed past WRITE_QUEUE_MAX_WAIT_MS for 100 ms, and accepts again once the store took it', async () => {
  const fixture = await openTempStore();
  const held = heldStore(fixture.store);
  let nowMs = 0;
  const queue = new CreditQueue(held.store, { maxWaitMs: 50, clock: () => nowMs });
  try {
    const main = await seedMain(fixture.store, '100');
    const sub = await seedSub(fixture.store, main);
    const add = () => queue.submit(creditCommand('add', main.keyHash, sub.token, '1'));
    const inTransaction = add();
    await held.firstEntered;
    const waiting = add();
    nowMs = 50;
    expect(queue.overloaded()).toBe(false);
    const alsoWaiting = add();
    // Past the bound, but for no longer than a burst takes to be absorbed: still accepted.
    nowMs = 150;
    expect(queue.overloaded()).toBe(false);
    // Past it for longer than 100 ms: a standing queue, refused.
    nowMs = 151;
    expect(queue.overloaded()).toBe(true);
    await expect(add()).rejects.toBeInstanceOf(CreditQueueFullError);
    held.open();
    const outcomes = await Promise.all([inTransaction, waiting, alsoWaiting]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    // The store took every command: nothing waits, the next is accepted whatever the clock says.
    nowMs = 1_000;
    expect(queue.overloaded()).toBe(false);
    expect(await add()).toMatchObject({ ok: true });
    expect((await fixture.store.authenticate(main.keyHash))?.balanceMicros).toBe(96_000_000n);
  } finally {
    await fixture.remove();
  }
});

test('WRITE_QUEUE_MAX_WAIT_MS and EVENT_LOOP_DELAY_MAX_MS: defaults, overrides, 0 where it means off, nonsense refused', () => {
  const bounds = (env: Record<string, string>) => {
    const config = readConfig(env);
    return { waitMs: config.writeQueueMaxWaitMs, loopMs: config.eventLoopDelayMaxMs };
  };
  expect(bounds({})).toEqual({ waitMs: 50, loopMs: 0 });
  expect(bounds({ WRITE_QUEUE_MAX_WAIT_MS: '20', EVENT_LOOP_DELAY_MAX_MS: '80' })).toEqual({
    waitMs: 20,
    loopMs: 80,
  });
  expect(() => bounds({ WRITE_QUEUE_MAX_WAIT_MS: '0' })).toThrow(/WRITE_QUEUE_MAX_WAIT_MS/);
  expect(() => bounds({ EVENT_LOOP_DELAY_MAX_MS: '50ms' })).toThrow(/EVENT_LOOP_DELAY_MAX_MS/);
});

test('HEAP_GROWING_PERCENT: 50 by default, 0 leaves V8 its own factor, so does node --heap-growing-percent, nonsense refused', () => {
  const percent = (env: Record<string, string>) => readConfig(env).heapGrowingPercent;
  expect(percent({})).toBe(50);
  expect(percent({ HEAP_GROWING_PERCENT: '0' })).toBe(0);
  expect(percent({ HEAP_GROWING_PERCENT: '300' })).toBe(300);
  expect(() => percent({ HEAP_GROWING_PERCENT: '301' })).toThrow(/HEAP_GROWING_PERCENT must be at most 300/);
  expect(() => percent({ HEAP_GROWING_PERCENT: '1.5' })).toThrow(/HEAP_GROWING_PERCENT/);

  expect(heapGrowthFlag(50, [])).toBe('--heap-growing-percent=50');
  expect(heapGrowthFlag(0, [])).toBeNull();
  expect(heapGrowthFlag(50, ['--heap-growing-percent=20'])).toBeNull();
  expect(heapGrowthFlag(50, ['--heap_growing_percent', '20'])).toBeNull();
  expect(heapGrowthFlag(50, ['--max-old-space-size=512'])).toBe('--heap-growing-percent=50');
});
