import { describe, expect, it } from 'vitest';
import type { Caller } from './accounts.js';
import { decideCredit, type SubaccountState } from './ledger-rules.js';
import { parseAmount } from './money.js';

const main: Caller = {
  accountId: 1,
  kind: 'main',
  status: 'active',
  email: 'm@x',
  balanceMicros: 5_000_000n,
};
const sub: SubaccountState = { id: 2, parentId: 1, kind: 'sub', balanceMicros: 0n };

describe('decideCredit, in the contract order (first failing check wins)', () => {
  it.each<[string, 'add' | 'remove', Caller | null, string, SubaccountState | null, number]>([
    ['unknown key before everything', 'add', null, 'junk', null, 10],
    ['subaccount key', 'add', { ...main, kind: 'sub' }, 'junk', null, 4],
    ['suspended key', 'add', { ...main, status: 'suspended' }, '1', sub, 4],
    ['invalid amount before unknown token', 'add', main, '1e2', null, 20],
    ['negative before unknown token', 'add', main, '-1', null, 5],
    ['zero before unknown token', 'add', main, '0', null, 5],
    ['unknown token before balance', 'add', { ...main, balanceMicros: 0n }, '1', null, 7],
    ["another owner's subaccount", 'add', main, '1', { ...sub, parentId: 9 }, 7],
    ['a main account given as token', 'add', main, '1', { ...sub, kind: 'main', parentId: null }, 7],
    ['empty debit before insufficient', 'remove', main, '1', sub, 6],
    ['insufficient', 'add', main, '5.000001', sub, 8],
  ])('%s → %i', (_name, direction, caller, amount, subaccount, code) => {
    expect(decideCredit(direction, caller, parseAmount(amount), subaccount)).toEqual({ ok: false, code });
  });

  it('moves the whole balance when it is exactly enough', () => {
    expect(decideCredit('add', main, parseAmount('5'), sub)).toEqual({
      ok: true,
      amountMicros: 5_000_000n,
      mainBalanceMicros: 0n,
      subaccountBalanceMicros: 5_000_000n,
    });
  });
});
