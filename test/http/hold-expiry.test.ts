import { afterEach, describe, expect, test } from 'vitest';
import { expireDueHolds } from '../../src/app/hold-expiry-sweeper.js';
import { openAppOn, seedMain } from '../helpers/http-fixture.js';
import type { StoreApp } from '../helpers/http-fixture.js';
import { availableOrSkip, codeOf, requests, serverStores, SURFACE_TOKEN } from '../helpers/surface.js';

/**
 * A hold's expiry (contract section 9): an expired hold cannot be captured
 * (34), its amount is available again at once, and hold.expired is told once:
 * by the sweep wired in main.ts when nothing else touches the hold, or by the
 * transaction that finds it due first.
 */

/** Polls until `check` holds (a deadline, not a sleep, is what the test waits on). */
async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`hold expiry: ${factory.name}`, () => {
    let fixture: StoreApp | undefined;
    afterEach(async () => {
      await fixture?.remove();
      fixture = undefined;
    });

    async function setUp(holdSweepIntervalMs: number) {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN, holdSweepIntervalMs });
      const http = requests(fixture);
      const main = await seedMain(fixture.store, 'expiry@example.com', '10');
      const store = fixture.store;
      const expiredEvents = () =>
        store.listEvents({ accountId: main.accountId, after: 0, limit: 100, types: ['hold.expired'] });
      const available = async () =>
        ((await http.get(`/v1/me?apiKey=${main.apiKey}`)).json() as { credits: { balance: string } }).credits
          .balance;
      const placed = await http.post(`/admin/v1/accounts/${main.accountId}/holds`, {
        credit: '9',
        expiresIn: 1,
      });
      expect(placed.statusCode).toBe(200);
      const holdId = (placed.json() as { hold: { id: string } }).hold.id;
      return { http, main, store, holdId, expiredEvents, available };
    }

    test('the sweep tells hold.expired once for a 1 s hold nobody touches; capture is 34 and the credit is back', async () => {
      const { http, store, holdId, expiredEvents, available } = await setUp(50);
      expect(await available()).toBe('1.000');
      const events = await eventually(expiredEvents, (found) => found.length > 0);
      expect(events).toHaveLength(1);
      expect(JSON.parse(events[0]!.data)).toMatchObject({ id: holdId, status: 'expired', amount: '9.000' });
      expect(await available()).toBe('10.000');
      const capture = await http.post(`/admin/v1/holds/${holdId}/capture`);
      expect([capture.statusCode, codeOf(capture)]).toEqual([409, 34]);
      expect(codeOf(await http.post(`/admin/v1/holds/${holdId}/void`))).toBe(34);
      expect((await http.get(`/admin/v1/holds/${holdId}`)).json()).toMatchObject({
        hold: { status: 'expired', captured: '0.000' },
      });
      expect(await expireDueHolds(store, new Date())).toBe(0);
      expect(await expiredEvents()).toHaveLength(1);
      expect((await store.verify()).ok).toBe(true);
    });

    test('without the sweep, the first transaction to find it due expires it: capture 34, one hold.expired', async () => {
      const { http, store, holdId, expiredEvents, available } = await setUp(3_600_000);
      const seen = await eventually(
        async () =>
          ((await http.get(`/admin/v1/holds/${holdId}`)).json() as { hold: { status: string } }).hold,
        (hold) => hold.status === 'expired',
      );
      expect(seen.status).toBe('expired');
      // A reader sees it expired and the credit back before any transaction wrote it.
      expect(await available()).toBe('10.000');
      expect(await expiredEvents()).toHaveLength(0);
      expect(codeOf(await http.post(`/admin/v1/holds/${holdId}/capture`))).toBe(34);
      expect(await expiredEvents()).toHaveLength(1);
      expect(codeOf(await http.post(`/admin/v1/holds/${holdId}/capture`))).toBe(34);
      expect(await expireDueHolds(store, new Date())).toBe(0);
      expect(await expiredEvents()).toHaveLength(1);
      expect((await store.verify()).ok).toBe(true);
    });

    test('a sweep expires every due hold, a chunk per transaction', async () => {
      const { http, main, store, expiredEvents } = await setUp(3_600_000);
      for (let i = 0; i < 4; i += 1) {
        const placed = await http.post(`/admin/v1/accounts/${main.accountId}/holds`, {
          credit: '0.1',
          expiresIn: 1,
        });
        expect(codeOf(placed)).toBe(200);
      }
      const later = new Date(Date.now() + 2000);
      expect(await expireDueHolds(store, later, 2)).toBe(5);
      expect(await expireDueHolds(store, later, 2)).toBe(0);
      expect(await expiredEvents()).toHaveLength(5);
    });
  });
}
