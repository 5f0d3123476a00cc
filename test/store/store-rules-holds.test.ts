import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it } from 'vitest';
import { newTransferId } from '../../src/app/ids.js';
import { hashApiKey } from '../../src/app/keys.js';
import type { HoldOutcome } from '../../src/domain/holds.js';
import { parseAmount } from '../../src/domain/money.js';
import type { RulesPatch } from '../../src/domain/rules.js';
import type { Store } from '../../src/domain/store.js';
import { move, seedMain, seedSub, type SeededMain } from '../helpers/fixtures.js';
import { describeEachStore, type StoreUnderTest } from '../helpers/stores.js';

/**
 * Balance rules, holds and subaccount delete on every store: what the domain
 * decides must be read, locked and written right (usage counters kept across
 * transactions, holds expired by whoever reads the account first, a closed
 * subaccount gone from every public door), under concurrency too.
 */
await describeEachStore('rules, holds, delete', (current) => {
  let subject: StoreUnderTest;
  let store: Store;
  beforeEach(() => {
    subject = current();
    store = subject.store;
  });

  const absent = { kind: 'absent' } as const;
  const rules = (fields: Partial<RulesPatch>): RulesPatch => ({
    lowBalance: absent,
    autoTopup: absent,
    spendingCap: absent,
    malformed: false,
    ...fields,
  });
  const cap = (amount: string, period = 'day') =>
    rules({ spendingCap: { kind: 'set', amount: parseAmount(amount), period } });

  const charge = (accountId: number, amountMicros: bigint, createdAt = new Date()) =>
    store.operatorTransfer({
      kind: 'charge',
      accountId,
      amountMicros,
      transferId: newTransferId(),
      topupTransferId: newTransferId(),
      createdAt,
      reason: null,
      operator: 'ops',
    });

  const place = (accountId: number, amountMicros: bigint, createdAt = new Date(), expiresInMs = 3_600_000) =>
    store.placeHold({
      holdId: `hold_${randomUUID()}`,
      accountId,
      amountMicros,
      reason: 'campaign',
      createdAt,
      expiresAt: new Date(createdAt.getTime() + expiresInMs),
      topupTransferId: newTransferId(),
    });

  const settle = (holdId: string, kind: 'capture' | 'void', amountMicros: bigint | null = null) =>
    store.settleHold({
      holdId,
      kind,
      amountMicros,
      transferId: newTransferId(),
      createdAt: new Date(),
      operator: 'ops',
    });

  const holdOf = (outcome: HoldOutcome) => {
    if (!outcome.ok) throw new Error(`hold refused with ${outcome.code}`);
    return outcome.hold;
  };

  const close = (main: SeededMain, tokenSubaccount: string) =>
    store.closeSubaccount({
      by: { keyHash: main.keyHash },
      tokenSubaccount,
      transferId: newTransferId(),
      createdAt: new Date(),
    });

  const expectSound = async () => expect((await store.verify()).problems).toEqual([]);

  it('keeps rules: set, read back, a closed subaccount or a main account top-up refused', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const set = await store.setRules(sub.accountId, {
      ...cap('100', 'month'),
      lowBalance: { kind: 'set', amount: parseAmount('2.5') },
      autoTopup: { kind: 'set', below: parseAmount('1'), to: null, add: parseAmount('3') },
    });
    expect(set).toEqual({
      lowBalanceMicros: 2_500_000n,
      autoTopup: { belowMicros: 1_000_000n, toMicros: null, addMicros: 3_000_000n },
      spendingCap: { amountMicros: 100_000_000n, period: 'month' },
    });
    expect((await store.getAccount(sub.accountId))!.rules).toEqual(set);
    expect(await store.setRules(sub.accountId, rules({ spendingCap: { kind: 'remove' } }))).toMatchObject({
      spendingCap: null,
      lowBalanceMicros: 2_500_000n,
    });
    expect(
      await store.setRules(
        main.accountId,
        rules({ autoTopup: { kind: 'set', below: null, to: null, add: null } }),
      ),
    ).toBe(22);
    expect(await store.setRules(999_999, cap('1'))).toBe(30);
    expect(await close(main, sub.token)).toMatchObject({ ok: true });
    expect(await store.setRules(sub.accountId, cap('1'))).toBe(7);
  });

  it('counts usage across transactions: a cap of the day holds, the next day starts afresh', async () => {
    const main = await seedMain(store, '0');
    const sub = await seedSub(store, main);
    await store.operatorTransfer({
      kind: 'topup',
      accountId: main.accountId,
      amountMicros: 500_000_000n,
      transferId: newTransferId(),
      createdAt: new Date(),
      reason: null,
      operator: 'ops',
    });
    await move(store, 'add', main.keyHash, sub.token, '300');
    await store.setRules(sub.accountId, cap('100'));
    const day = new Date('2026-12-02T23:59:00Z');
    expect(await charge(sub.accountId, 60_000_000n, day)).toMatchObject({ ok: true });
    expect(await charge(sub.accountId, 40_000_000n, day)).toMatchObject({ ok: true });
    expect(await charge(sub.accountId, 1n, day)).toEqual({ ok: false, code: 32 });
    expect(await charge(sub.accountId, 1n, new Date('2026-12-03T00:00:00Z'))).toMatchObject({ ok: true });
    const told = await store.listEvents({
      accountId: main.accountId,
      after: 0,
      limit: 1000,
      types: ['spendingcap.reached'],
    });
    expect(told).toHaveLength(1);
    await expectSound();
  });

  it('tops a subaccount up from its main account before a charge, kept on both stores', async () => {
    const main = await seedMain(store, '100');
    const sub = await seedSub(store, main, '1');
    await store.setRules(
      sub.accountId,
      rules({ autoTopup: { kind: 'set', below: parseAmount('5'), to: parseAmount('20'), add: null } }),
    );
    const charged = await charge(sub.accountId, 3_000_000n);
    expect(charged).toMatchObject({ ok: true, mainAccount: { balanceMicros: 77_000_000n } });
    expect((await store.getAccount(sub.accountId))!.balanceMicros).toBe(20_000_000n);
    const kinds = (await store.listTransfers({ mainAccountId: main.accountId, limit: 10 })).items.map(
      (t) => t.kind,
    );
    expect(kinds.slice(0, 2)).toEqual(['charge', 'autotopup']);
    await expectSound();
  });

  it('a hold reserves the available balance; reads leave out what has expired, and the next write expires it once', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '10');
    const long = holdOf(await place(sub.accountId, 4_000_000n));
    expect((await store.getAccount(sub.accountId))!.heldMicros).toBe(4_000_000n);
    expect(await move(store, 'remove', main.keyHash, sub.token, '7')).toEqual({ ok: false, code: 8 });
    const past = new Date(Date.now() - 10_000);
    const short = holdOf(await place(sub.accountId, 5_000_000n, past, 1000));
    expect((await store.getAccount(sub.accountId))!.heldMicros).toBe(4_000_000n);
    expect(await store.getHold(short.id)).toMatchObject({ status: 'expired' });
    expect(await move(store, 'remove', main.keyHash, sub.token, '6')).toMatchObject({
      ok: true,
      subaccountBalanceMicros: 0n,
    });
    expect(await store.expireHolds(new Date(), 100)).toBe(0);
    const expired = await store.listEvents({
      accountId: main.accountId,
      after: 0,
      limit: 1000,
      types: ['hold.expired'],
    });
    expect(expired.map((event) => JSON.parse(event.data).id)).toEqual([short.id]);
    expect(await settle(short.id, 'capture')).toEqual({ ok: false, code: 34 });
    const captured = await settle(long.id, 'capture', 1_500_000n);
    expect(captured).toMatchObject({ ok: true, hold: { status: 'captured', capturedMicros: 1_500_000n } });
    expect((await store.getAccount(sub.accountId))!).toMatchObject({
      balanceMicros: 2_500_000n,
      heldMicros: 0n,
    });
    const page = await store.listHolds({ mainAccountId: main.accountId, limit: 1 });
    expect(page.items.map((hold) => hold.id)).toEqual([short.id]);
    expect(
      (
        await store.listHolds({ mainAccountId: main.accountId, limit: 10, cursor: page.nextCursor! })
      ).items.map((h) => h.status),
    ).toEqual(['captured']);
    await expectSound();
  });

  it('the sweep expires what nobody read, and tells it', async () => {
    const main = await seedMain(store, '10');
    const past = new Date(Date.now() - 10_000);
    holdOf(await place(main.accountId, 1_000_000n, past, 1000));
    expect(await store.expireHolds(new Date(), 100)).toBe(1);
    expect(await store.expireHolds(new Date(), 100)).toBe(0);
    expect((await store.getAccount(main.accountId))!.heldMicros).toBe(0n);
    await expectSound();
  });

  it('a deleted subaccount gives its balance back and leaves every public door, its history kept', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '2', 'advanced');
    const other = await seedSub(store, main);
    const closed = await close(main, sub.token);
    expect(closed).toMatchObject({ ok: true, mainAvailableMicros: 10_000_000n });
    expect(await close(main, sub.token)).toEqual({ ok: false, code: 7 });
    expect(await move(store, 'add', main.keyHash, sub.token, '1')).toEqual({ ok: false, code: 7 });
    expect(await store.authenticate(hashApiKey(sub.apiKey!))).toBeNull();
    const list = await store.listSubaccounts(main.accountId, 1, 20);
    expect([list.total, list.items.map((item) => item.id)]).toEqual([1, [other.accountId]]);
    const all = await store.listSubaccounts(main.accountId, 1, 20, true);
    expect(all.items.find((item) => item.id === sub.accountId)).toMatchObject({ balanceMicros: 0n });
    expect(all.items.find((item) => item.id === sub.accountId)!.closedAt).not.toBeNull();
    const history = await store.listTransfers({ mainAccountId: main.accountId, limit: 10 });
    expect(history.items[0]).toMatchObject({
      kind: 'close',
      amountMicros: 2_000_000n,
      subaccountId: sub.accountId,
    });
    await expectSound();
    // Its email may be used again.
    const email = (await store.getAccount(sub.accountId))!.email;
    const again = await store.createSubaccount({
      keyHash: main.keyHash,
      type: 'simple',
      email,
      profile: {},
      token: randomUUID().replaceAll('-', ''),
      subaccountKeyHash: null,
      creditToAttribute: null,
      transferId: newTransferId(),
      createdAt: new Date(),
    });
    expect(again.ok).toBe(true);
  });

  it('a subaccount with a pending hold cannot be deleted (36)', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '2');
    const hold = holdOf(await place(sub.accountId, 1n));
    expect(await close(main, sub.token)).toEqual({ ok: false, code: 36 });
    await settle(hold.id, 'void');
    expect(await close(main, sub.token)).toMatchObject({ ok: true });
  });

  it('256 concurrent charges of 1 under a cap of 100: exactly 100', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '10');
    await store.setRules(sub.accountId, cap('0.0001'));
    const outcomes = await Promise.all(Array.from({ length: 256 }, () => charge(sub.accountId, 1n)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(100);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.code === 32)).toHaveLength(156);
    await expectSound();
  });

  it('256 concurrent holds of 9 on an available 10: exactly one; 100 captures of it: exactly one', async () => {
    const main = await seedMain(store, '0.00001');
    const placed = await Promise.all(Array.from({ length: 256 }, () => place(main.accountId, 9n)));
    const held = placed.filter((outcome) => outcome.ok);
    expect(held).toHaveLength(1);
    const hold = holdOf(held[0]!);
    const captures = await Promise.all(Array.from({ length: 100 }, () => settle(hold.id, 'capture')));
    expect(captures.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(captures.filter((outcome) => !outcome.ok && outcome.code === 34)).toHaveLength(99);
    expect((await store.getAccount(main.accountId))!.balanceMicros).toBe(1n);
    await expectSound();
  });

  it('64 concurrent adds racing one delete: never money on a closed subaccount', async () => {
    const main = await seedMain(store, '100');
    const sub = await seedSub(store, main, '1');
    const adds = Array.from({ length: 64 }, () => move(store, 'add', main.keyHash, sub.token, '1'));
    const [closed, ...added] = await Promise.all([close(main, sub.token), ...adds]);
    expect(closed).toMatchObject({ ok: true });
    for (const outcome of added) expect(outcome.ok || outcome.code === 7).toBe(true);
    expect((await store.getAccount(sub.accountId))!.balanceMicros).toBe(0n);
    expect((await store.getAccount(main.accountId))!.balanceMicros).toBe(100_000_000n);
    await expectSound();
  });

  it('verify sees holds beyond the balance when the row was tampered with', async () => {
    const main = await seedMain(store, '1');
    await subject.exec(`UPDATE accounts SET held = 5 WHERE id = ${main.accountId}`);
    const report = await store.verify();
    expect(report.problems.map((problem) => problem.invariant)).toContain(7);
  });
});
