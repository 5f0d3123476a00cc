import { describe, expect, it } from 'vitest';
import { draftOf, funding, main, sub } from './test-accounts.js';

// main (id 2) holds 5_000_000 micros, its subaccount (id 3, token `tok`) none.
const move = (id: string, debitAccountId: number, creditAccountId: number, amountMicros: bigint) => ({
  id,
  kind: 'add' as const,
  debitAccountId,
  creditAccountId,
  amountMicros,
  createdAt: new Date(0),
});

describe('LedgerDraft', () => {
  it('finds rows by id, key hash and token, and keeps the running state over a second read', () => {
    const draft = draftOf(main, sub);
    draft.move(move('t1', 2, 3, 4n));
    expect(draft.read({ ...main, balanceMicros: 999n }).balanceMicros).toBe(4_999_996n);
    expect(draft.byKeyHash('k')?.id).toBe(2);
    expect(draft.byToken('tok')?.balanceMicros).toBe(4n);
    expect(draft.byKeyHash('nope')).toBeNull();
    expect(draft.funding()).toBeNull();
    expect(draftOf(funding).funding()?.id).toBe(1);
  });

  it('an add debits the main account and a remove the subaccount; both balances after are kept', () => {
    const draft = draftOf(main, sub);
    const add = draft.move(move('t1', 2, 3, 4n));
    const remove = draft.move({ ...move('t2', 3, 2, 1n), kind: 'remove' });
    expect(add).toMatchObject({
      debitBalanceAfterMicros: 4_999_996n,
      creditBalanceAfterMicros: 4n,
      subaccountToken: 'tok',
    });
    expect(remove).toMatchObject({
      debitAccountId: 3,
      debitBalanceAfterMicros: 3n,
      creditBalanceAfterMicros: 4_999_997n,
      mainAccountId: 2,
      subaccountId: 3,
      reason: null,
      idempotencyKey: null,
    });
  });

  it('writes only the balances that moved, and nothing after a rollback to the start', () => {
    const draft = draftOf(main, sub, { ...sub, id: 4, token: 'other' });
    const start = draft.mark();
    draft.move(move('t1', 2, 3, 4n));
    expect([...draft.changes().accounts]).toEqual([
      [2, { balanceMicros: 4_999_996n, heldMicros: 0n, eventSequence: 1, closedAt: null }],
      [3, { balanceMicros: 4n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
    ]);
    draft.rollback(start);
    expect(draft.changes()).toEqual({ transfers: [], accounts: new Map(), events: [], holds: [], usage: [] });
    expect(draft.balanceOf(2)).toBe(5_000_000n);
  });

  it('a rollback keeps what came before its mark', () => {
    const draft = draftOf(main, sub);
    draft.move(move('t1', 2, 3, 4n));
    const mark = draft.mark();
    draft.move(move('t2', 2, 3, 5n));
    draft.rollback(mark);
    expect(draft.changes().transfers.map((transfer) => transfer.id)).toEqual(['t1']);
    expect(draft.balanceOf(3)).toBe(4n);
  });

  it.each([
    ['an account not read', move('t', 2, 9, 1n), /not read/],
    ['a customer below zero', move('t', 3, 2, 1n), /below zero/],
    ['a zero amount', move('t', 2, 3, 0n), /positive amount/],
    ['one account on both sides', move('t', 2, 2, 1n), /two accounts/],
  ])('a move of %s is a bug, and throws', (_name, movement, message) => {
    expect(() => draftOf(main, sub).move(movement)).toThrow(message);
  });

  it('the funding account may go below zero', () => {
    const draft = draftOf(funding, main);
    expect(draft.move({ ...move('t', 1, 2, 1n), kind: 'topup' }).debitBalanceAfterMicros).toBe(-10_000_001n);
  });
});

describe('LedgerDraft events', () => {
  it('tells every transfer in its tree (by its id: the store renders it when read), counting on from the main account’s row', () => {
    const draft = draftOf({ ...main, eventSequence: 41 }, sub);
    draft.move({ ...move('t1', 2, 3, 1_500_000n), idempotencyKey: 'k-1' });
    const { events, accounts } = draft.changes();
    expect(events).toEqual([
      {
        id: 'evt_2_42_1',
        type: 'transfer.created',
        sequence: 42,
        accountId: 2,
        createdAt: new Date(0),
        data: '',
        transferId: 't1',
      },
    ]);
    expect(accounts.get(2)?.eventSequence).toBe(42);
  });

  it('tells balance.depleted when a move empties a customer account, and only then', () => {
    const draft = draftOf(funding, main, sub);
    draft.move(move('t1', 2, 3, 2n));
    draft.move({ ...move('t2', 3, 1, 1n), kind: 'charge' });
    draft.move({ ...move('t3', 3, 1, 1n), kind: 'charge' });
    const events = draft.changes().events;
    expect(events.map((event) => [event.type, event.sequence])).toEqual([
      ['transfer.created', 1],
      ['transfer.created', 2],
      ['transfer.created', 3],
      ['balance.depleted', 4],
    ]);
    expect(JSON.parse(events[3]!.data)).toEqual({
      accountId: 2,
      tokenSubaccount: 'tok',
      email: 's@x',
      status: 'active',
      balance: '0',
      held: '0',
      available: '0',
      threshold: null,
    });
  });

  it('a rollback takes back the events and the sequence with the moves', () => {
    const draft = draftOf(main, sub);
    const start = draft.mark();
    draft.move(move('t1', 2, 3, 1n));
    draft.rollback(start);
    expect(draft.changes().events).toEqual([]);
    expect(draft.account(2)?.eventSequence).toBe(0);
  });

  it('only a main account has a tree', () => {
    expect(() => draftOf(main, sub).emit('balance.low', 3, '{}', new Date(0))).toThrow(
      /not the main account/,
    );
  });
});
