import { describe, expect, test } from 'vitest';
import { creditTransfer, type Direction } from './transfers.js';

const base = {
  transferId: 't1',
  mainAccountId: 1,
  subaccountId: 2,
  subaccountToken: 'tok',
  amountMicros: 5n,
  mainBalanceMicros: 10n,
  subaccountBalanceMicros: 20n,
  idempotencyKey: null,
  createdAt: new Date(0),
};

describe('creditTransfer', () => {
  test.each<[Direction, number, number, bigint, bigint]>([
    // An add debits the main account; a remove debits the subaccount.
    ['add', 1, 2, 10n, 20n],
    ['remove', 2, 1, 20n, 10n],
  ])('%s', (direction, debitAccountId, creditAccountId, debitAfter, creditAfter) => {
    expect(creditTransfer({ ...base, direction })).toMatchObject({
      kind: direction,
      debitAccountId,
      creditAccountId,
      debitBalanceAfterMicros: debitAfter,
      creditBalanceAfterMicros: creditAfter,
      mainAccountId: 1,
      subaccountId: 2,
      reason: null,
      operator: null,
    });
  });
});
