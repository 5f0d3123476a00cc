import { beforeEach, expect, it } from 'vitest';
import type { EventType, LedgerEvent } from '../../src/domain/events.js';
import type { Store } from '../../src/domain/store.js';
import { hashApiKey } from '../../src/app/keys.js';
import { newTransferId } from '../../src/app/ids.js';
import { creditCommand, move, seedMain, seedSub } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * Events on every store (contract section 7, invariant 8): each change writes
 * its events in its own transaction, each tree counts them from 1 with no
 * gap, and a refused or rolled-back change writes none.
 */
await describeEachStore('events', (current) => {
  let store: Store;
  beforeEach(() => {
    store = current().store;
  });

  const eventsOf = (accountId: number, after = 0, types?: EventType[]) =>
    store.listEvents({ accountId, after, limit: 1000, types });
  const kinds = (events: readonly LedgerEvent[]) => events.map((event) => `${event.sequence} ${event.type}`);

  it('tells every change of a tree, in order, counting from 1', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '2');
    await move(store, 'add', main.keyHash, sub.token, '1');
    await move(store, 'remove', main.keyHash, sub.token, '3');
    await store.operatorTransfer({
      kind: 'topup',
      accountId: main.accountId,
      amountMicros: 5n,
      transferId: newTransferId(),
      createdAt: new Date(),
      reason: null,
      operator: 'ops',
    });
    const audit = { operator: 'ops', reason: null, createdAt: new Date() };
    await store.setStatus(main.accountId, 'suspended', audit);
    await store.setStatus(main.accountId, 'suspended', audit);
    await store.setStatus(main.accountId, 'active', audit);
    await store.replaceKey(main.accountId, hashApiKey('another key'), audit);
    const events = await eventsOf(main.accountId);
    expect(kinds(events)).toEqual([
      '1 transfer.created',
      '2 subaccount.created',
      '3 transfer.created',
      '4 transfer.created',
      '5 transfer.created',
      '6 balance.depleted',
      '7 transfer.created',
      '8 account.suspended',
      '9 account.resumed',
      '10 account.key_rotated',
    ]);
    expect(events.every((event) => event.accountId === main.accountId && /^evt_/.test(event.id))).toBe(true);
    const removeEvent = JSON.parse(events[4]!.data) as Record<string, unknown>;
    const remove = await store.getTransfer(removeEvent['id'] as string);
    expect(removeEvent).toEqual({
      id: remove!.id,
      direction: 'remove',
      tokenSubaccount: sub.token,
      amount: '3',
      credit: '10',
      subaccountCredit: '0',
      createdAt: remove!.createdAt.toISOString(),
      idempotencyKey: null,
    });
    expect(JSON.parse(events[5]!.data)).toMatchObject({ tokenSubaccount: sub.token, balance: '0' });
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
  });

  it('a refused change tells nothing', async () => {
    const main = await seedMain(store, '1');
    const sub = await seedSub(store, main);
    const before = await eventsOf(main.accountId);
    expect(await move(store, 'add', main.keyHash, sub.token, '2')).toEqual({ ok: false, code: 8 });
    expect(await move(store, 'remove', main.keyHash, sub.token, '1')).toEqual({ ok: false, code: 6 });
    expect(await move(store, 'add', main.keyHash, 'missing', '1')).toEqual({ ok: false, code: 7 });
    const refused = await store.applyCreditBatch({
      keyHash: main.keyHash,
      apply: 'all-or-nothing',
      commands: [
        creditCommand('add', main.keyHash, sub.token, '0.5'),
        creditCommand('add', main.keyHash, sub.token, '0.6'),
      ],
    });
    expect(refused).toMatchObject({ ok: true, applied: false });
    expect(await eventsOf(main.accountId)).toEqual(before);
  });

  it('a group commit tells each tree its own transfers, gap-free', async () => {
    const first = await seedMain(store, '10');
    const second = await seedMain(store, '10');
    const firstSub = await seedSub(store, first);
    const secondSub = await seedSub(store, second);
    const commands = Array.from({ length: 40 }, (_, index) =>
      index % 2 === 0
        ? creditCommand('add', first.keyHash, firstSub.token, '0.1')
        : creditCommand('add', second.keyHash, secondSub.token, '0.1'),
    );
    const outcomes = await Promise.all(commands.map((command) => store.applyCredits([command])));
    expect(outcomes.flat().every((outcome) => outcome.ok)).toBe(true);
    for (const main of [first, second]) {
      const events = await eventsOf(main.accountId);
      expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
      expect(events.filter((event) => event.type === 'transfer.created')).toHaveLength(21);
    }
  });

  it('reads a page after a sequence, of some types only', async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    await move(store, 'add', main.keyHash, sub.token, '1');
    expect(kinds(await eventsOf(main.accountId, 1))).toEqual(['2 subaccount.created', '3 transfer.created']);
    expect(kinds(await eventsOf(main.accountId, 0, ['subaccount.created']))).toEqual([
      '2 subaccount.created',
    ]);
    expect(await store.listEvents({ accountId: main.accountId, after: 0, limit: 1 })).toHaveLength(1);
    expect(await eventsOf(main.accountId, 3)).toEqual([]);
  });

  it("a subaccount charge is told in its main account's tree", async () => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main, '1');
    const charged = await store.operatorTransfer({
      kind: 'charge',
      accountId: sub.accountId,
      amountMicros: 1_000_000n,
      transferId: newTransferId(),
      createdAt: new Date(),
      reason: null,
      operator: 'ops',
    });
    expect(charged.ok).toBe(true);
    expect(kinds(await eventsOf(main.accountId, 3))).toEqual(['4 transfer.created', '5 balance.depleted']);
  });
});
