import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { newTransferId } from '../../src/app/ids.js';
import { parseAmount } from '../../src/domain/money.js';
import type { Store } from '../../src/domain/store.js';
import { move, seedMain, seedSub } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * The aggregates /metrics shows, on every store: open accounts, balances and
 * money moved by kind, exact to the micro-euro, and the accounts whose
 * available balance (holds taken off) is below their low-balance threshold.
 */
await describeEachStore('ledger stats', (current) => {
  let store: Store;
  beforeEach(() => {
    store = current().store;
  });

  const lowBalance = (accountId: number, amount: string) =>
    store.setRules(accountId, {
      lowBalance: { kind: 'set', amount: parseAmount(amount) },
      autoTopup: { kind: 'absent' },
      spendingCap: { kind: 'absent' },
      malformed: false,
    });

  it('is all zeros but the funding account on a new ledger', async () => {
    expect(await store.ledgerStats()).toEqual({
      accounts: { funding: 1, main: 0, sub: 0 },
      balanceMicros: { funding: 0n, main: 0n, sub: 0n },
      movedMicros: { add: 0n, remove: 0n, topup: 0n, charge: 0n, autotopup: 0n, close: 0n },
      belowLowBalance: 0,
      events: 0,
    });
  });

  it('counts open accounts, sums balances and transfers by kind, and finds the accounts below threshold', async () => {
    const main = await seedMain(store, '10.500001');
    const sub = await seedSub(store, main, '3');
    const closing = await seedSub(store, main, '0.25');
    const other = await seedMain(store, '1');
    expect((await move(store, 'remove', main.keyHash, sub.token, '1')).ok).toBe(true);
    const closed = await store.closeSubaccount({
      by: { keyHash: main.keyHash },
      tokenSubaccount: closing.token,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    expect(closed.ok).toBe(true);
    // The main account: 10.500001 − 3 − 0.25 + 1 + 0.25 = 8.500001, of which 7 held: 1.500001 available.
    const now = new Date();
    const hold = await store.placeHold({
      holdId: `hold_${randomUUID()}`,
      accountId: main.accountId,
      amountMicros: 7_000_000n,
      reason: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3_600_000),
      topupTransferId: newTransferId(),
    });
    expect(hold.ok).toBe(true);
    expect(typeof (await lowBalance(main.accountId, '2'))).toBe('object');
    // The subaccount: 2 available, threshold 2 is not below it; 2.5 is.
    expect(typeof (await lowBalance(sub.accountId, '2'))).toBe('object');
    expect((await store.ledgerStats()).belowLowBalance).toBe(1);
    expect(typeof (await lowBalance(sub.accountId, '2.5'))).toBe('object');

    expect(await store.ledgerStats()).toEqual({
      accounts: { funding: 1, main: 2, sub: 1 },
      balanceMicros: { funding: -11_500_001n, main: 9_500_001n, sub: 2_000_000n },
      movedMicros: {
        add: 3_250_000n,
        remove: 1_000_000n,
        topup: 11_500_001n,
        charge: 0n,
        autotopup: 0n,
        close: 250_000n,
      },
      belowLowBalance: 2,
      events: (await eventsOf(main.accountId)) + (await eventsOf(other.accountId)),
    });
  });

  /** The events of a tree as its feed reads them. */
  const eventsOf = async (accountId: number) =>
    (await store.listEvents({ accountId, after: 0, limit: 1000 })).length;

  it('counts every event written, whether or not an endpoint wants it', async () => {
    const main = await seedMain(store, '5');
    const sub = await seedSub(store, main, '1');
    const before = (await store.ledgerStats()).events;
    expect(before).toBe(await eventsOf(main.accountId));
    expect(before).toBeGreaterThan(0);
    expect((await move(store, 'add', main.keyHash, sub.token, '1')).ok).toBe(true);
    expect((await store.ledgerStats()).events).toBe(before + 1);
  });
});
