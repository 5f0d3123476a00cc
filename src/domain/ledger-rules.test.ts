import { describe, expect, it } from 'vitest';
import type { AccountState } from './ledger-draft.js';
import {
  decideCreateSubaccount,
  decideCredit,
  decideOperatorTransfer,
  openMainAccount,
  openSubaccount,
} from './ledger-rules.js';
import { parseAmount } from './money.js';
import type { CreateSubaccountCommand } from './accounts.js';
import type { Direction } from './transfers.js';
import { draftOf, funding, main, sub, withUsage } from './test-accounts.js';

function credit(direction: Direction, amount: string, tokenSubaccount = 'tok') {
  return {
    transferId: 't1',
    direction,
    keyHash: 'k',
    tokenSubaccount,
    amount: parseAmount(amount),
    createdAt: new Date(0),
    idempotencyKey: null,
  };
}

describe('decideCredit, in the contract order (first failing check wins)', () => {
  it.each<[string, Direction, AccountState | null, string, AccountState | null, number]>([
    ['unknown key before everything', 'add', null, 'junk', null, 10],
    ['subaccount key', 'add', { ...main, kind: 'sub', parentId: 9 }, 'junk', null, 4],
    ['suspended key', 'add', { ...main, status: 'suspended' }, '1', sub, 4],
    ['invalid amount before unknown token', 'add', main, '1e2', null, 20],
    ['negative before unknown token', 'add', main, '-1', null, 5],
    ['zero before unknown token', 'add', main, '0', null, 5],
    ['unknown token before balance', 'add', { ...main, balanceMicros: 0n }, '1', null, 7],
    ["another owner's subaccount", 'add', main, '1', { ...sub, parentId: 9 }, 7],
    ['a main account given as token', 'add', main, '1', { ...sub, kind: 'main', parentId: null }, 7],
    ['empty debit before insufficient', 'remove', main, '1', sub, 6],
    ['insufficient add', 'add', main, '5.000001', sub, 8],
    ['insufficient remove', 'remove', main, '2.5', { ...sub, balanceMicros: 2_000_000n }, 8],
  ])('%s → %i', (_name, direction, caller, amount, subaccount, code) => {
    const draft = draftOf(...[caller, subaccount].filter((account) => account !== null));
    expect(decideCredit(draft, credit(direction, amount))).toEqual({ ok: false, code });
    expect(draft.changes().transfers).toEqual([]);
  });

  it('moves the whole balance when it is exactly enough, and keeps the transfer in the draft', () => {
    const draft = draftOf(main, sub);
    expect(decideCredit(draft, credit('add', '5'))).toEqual({
      ok: true,
      transferId: 't1',
      mainBalanceMicros: 0n,
      subaccountBalanceMicros: 5_000_000n,
    });
    expect(draft.changes().transfers).toMatchObject([
      { kind: 'add', debitAccountId: 2, creditAccountId: 3, mainAccountId: 2, subaccountId: 3 },
    ]);
  });

  it('decides each command against the balances the ones before it left', () => {
    const draft = draftOf(main, sub);
    expect(decideCredit(draft, credit('add', '3'))).toMatchObject({ ok: true });
    expect(decideCredit(draft, credit('add', '3'))).toEqual({ ok: false, code: 8 });
    expect(decideCredit(draft, credit('remove', '1'))).toMatchObject({
      mainBalanceMicros: 3_000_000n,
      subaccountBalanceMicros: 2_000_000n,
    });
  });
});

describe('decideCreateSubaccount: 10, 4, 20, 5, 23, 6, 8', () => {
  const command = (credit: string | null): CreateSubaccountCommand => ({
    keyHash: 'k',
    type: 'simple',
    email: 'new@x',
    profile: {},
    token: 'new',
    subaccountKeyHash: null,
    creditToAttribute: credit === null ? null : parseAmount(credit),
    transferId: 't2',
    createdAt: new Date(0),
  });

  it.each<[string, AccountState | null, string | null, boolean, number]>([
    ['unknown key', null, '1e3', true, 10],
    ['suspended caller before a bad amount', { ...main, status: 'suspended' }, '1e3', true, 4],
    ['bad amount before a taken email', main, '1e3', true, 20],
    ['zero before a taken email', main, '0', true, 5],
    ['taken email before funds', { ...main, balanceMicros: 0n }, '1', true, 23],
    ['empty main', { ...main, balanceMicros: 0n }, '1', false, 6],
    ['short main', main, '6', false, 8],
  ])('%s → %i', (_name, caller, amount, emailTaken, code) => {
    const draft = draftOf(...(caller === null ? [] : [caller]));
    expect(decideCreateSubaccount(draft, command(amount), emailTaken)).toEqual({ ok: false, code });
  });

  it('opens with its add once the store has inserted it', () => {
    const draft = draftOf(main);
    const decision = decideCreateSubaccount(draft, command('2'), false);
    if (!decision.ok) throw new Error('refused');
    draft.read({ ...sub, id: 4, token: 'new' });
    expect(openSubaccount(draft, decision, 4, command('2'))).toBe('t2');
    const { accounts, events } = draft.changes();
    expect([...accounts]).toEqual([
      [2, { balanceMicros: 3_000_000n, heldMicros: 0n, eventSequence: 2, closedAt: null }],
      [4, { balanceMicros: 2_000_000n, heldMicros: 0n, eventSequence: 0, closedAt: null }],
    ]);
    expect(events.map((event) => [event.type, event.sequence])).toEqual([
      ['subaccount.created', 1],
      ['transfer.created', 2],
    ]);
  });

  it('without credit, only its creation is told', () => {
    const draft = draftOf(main);
    const decision = decideCreateSubaccount(draft, command(null), false);
    if (!decision.ok) throw new Error('refused');
    draft.read({ ...sub, id: 4, token: 'new' });
    expect(openSubaccount(draft, decision, 4, command(null))).toBeNull();
    expect(draft.changes().events.map((event) => event.type)).toEqual(['subaccount.created']);
  });
});

describe('decideOperatorTransfer', () => {
  const move = (kind: 'topup' | 'charge', accountId: number, amountMicros: bigint) => ({
    kind,
    accountId,
    amountMicros,
    transferId: 't3',
    createdAt: new Date(0),
    reason: 'why',
    operator: 'ops',
  });

  it.each<[string, 'topup' | 'charge', number, bigint, number]>([
    ['unknown account', 'charge', 99, 1n, 30],
    ['the funding account itself', 'topup', 1, 1n, 30],
    ['a top-up of a subaccount', 'topup', 3, 1n, 30],
    ['a charge of an empty subaccount', 'charge', 3, 1n, 6],
    ['a charge beyond the balance', 'charge', 2, 5_000_001n, 8],
  ])('%s → %i', (_name, kind, accountId, amount, code) => {
    expect(decideOperatorTransfer(draftOf(funding, main, sub), move(kind, accountId, amount))).toEqual({
      ok: false,
      code,
    });
  });

  it('a top-up comes from the funding account, which may go below zero', () => {
    const draft = draftOf(funding, main);
    const outcome = decideOperatorTransfer(draft, move('topup', 2, 1_000_000n));
    expect(outcome).toMatchObject({
      ok: true,
      transfer: {
        kind: 'topup',
        debitAccountId: 1,
        creditAccountId: 2,
        debitBalanceAfterMicros: -11_000_000n,
        creditBalanceAfterMicros: 6_000_000n,
        mainAccountId: 2,
        subaccountId: null,
        reason: 'why',
        operator: 'ops',
      },
    });
  });

  it("a subaccount's charge shows in its main account's history", () => {
    const draft = withUsage(draftOf(funding, main, { ...sub, balanceMicros: 2n }), 3, new Date(0));
    expect(decideOperatorTransfer(draft, move('charge', 3, 2n))).toMatchObject({
      transfer: { mainAccountId: 2, subaccountId: 3, subaccountToken: 'tok', debitBalanceAfterMicros: 0n },
    });
  });

  it('a new main account opens with its top-up, and without one when it opens empty', () => {
    const command = { ...move('topup', 2, 0n), email: 'm@x', keyHash: 'k', openingMicros: 7n };
    const draft = draftOf(funding, { ...main, balanceMicros: 0n });
    expect(openMainAccount(draft, command, 2)).toBe('t3');
    expect(draft.balanceOf(2)).toBe(7n);
    expect(openMainAccount(draftOf(funding, main), { ...command, openingMicros: 0n }, 2)).toBeNull();
  });
});
