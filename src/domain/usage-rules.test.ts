import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AccountState } from './accounts.js';
import type { LedgerDraft } from './ledger-draft.js';
import { available } from './ledger-draft.js';
import { decideCredit, decideOperatorTransfer } from './ledger-rules.js';
import { NO_RULES, type AccountRules } from './rules.js';
import { draftOf, funding, main, sub, withUsage } from './test-accounts.js';

const at = new Date('2026-12-02T10:00:00Z');
let next = 0;
const charge = (accountId: number, amountMicros: bigint) => ({
  kind: 'charge' as const,
  accountId,
  amountMicros,
  transferId: `c${(next += 1)}`,
  topupTransferId: `a${next}`,
  createdAt: at,
  reason: null,
  operator: 'ops',
});

/** The fixtures' main account with `mainMicros`, its subaccount with `subMicros` and `rules`. */
function tree(mainMicros: bigint, subMicros: bigint, rules: Partial<AccountRules>): LedgerDraft {
  const child: AccountState = { ...sub, balanceMicros: subMicros, rules: { ...NO_RULES, ...rules } };
  return withUsage(draftOf(funding, { ...main, balanceMicros: mainMicros }, child), sub.id, at);
}

/** The reseller's own add or remove on the fixtures' subaccount. */
const credit = (direction: 'add' | 'remove', micros: bigint) => ({
  transferId: `r${(next += 1)}`,
  direction,
  keyHash: 'k',
  tokenSubaccount: 'tok',
  amount: { kind: 'positive' as const, micros },
  createdAt: at,
  idempotencyKey: null,
});

const types = (draft: LedgerDraft) => draft.changes().events.map((event) => event.type);

describe('a usage debit under a spending cap', () => {
  const capped = { spendingCap: { amountMicros: 100n, period: 'day' as const } };

  it('lets usage reach the cap exactly, tells it once, and refuses beyond with 32, moving nothing', () => {
    const draft = tree(0n, 1000n, capped);
    expect(decideOperatorTransfer(draft, charge(sub.id, 99n)).ok).toBe(true);
    expect(decideOperatorTransfer(draft, charge(sub.id, 1n)).ok).toBe(true);
    expect(decideOperatorTransfer(draft, charge(sub.id, 1n))).toEqual({ ok: false, code: 32 });
    expect(types(draft).filter((type) => type === 'spendingcap.reached')).toHaveLength(1);
    expect(draft.balanceOf(sub.id)).toBe(900n);
    expect(draft.usage(sub.id, 'day', at).usedMicros).toBe(100n);
  });

  it('the first refusal of the period tells it when no debit reached it exactly', () => {
    const draft = tree(0n, 1000n, capped);
    expect(decideOperatorTransfer(draft, charge(sub.id, 101n))).toEqual({ ok: false, code: 32 });
    expect(decideOperatorTransfer(draft, charge(sub.id, 101n))).toEqual({ ok: false, code: 32 });
    expect(types(draft)).toEqual(['spendingcap.reached']);
  });

  it('is judged before the funds', () => {
    expect(decideOperatorTransfer(tree(0n, 0n, capped), charge(sub.id, 101n))).toEqual({
      ok: false,
      code: 32,
    });
  });
});

describe('a usage debit with an automatic top-up', () => {
  const to = { autoTopup: { belowMicros: 10n, toMicros: 50n, addMicros: null } };
  const add = { autoTopup: { belowMicros: 10n, toMicros: null, addMicros: 5n } };

  it('tops up first, from the main account, enough to leave `to` after the debit', () => {
    const draft = tree(100n, 12n, to);
    expect(decideOperatorTransfer(draft, charge(sub.id, 5n)).ok).toBe(true);
    expect(draft.balanceOf(sub.id)).toBe(50n);
    expect(draft.balanceOf(main.id)).toBe(57n);
    expect(draft.changes().transfers.map((transfer) => [transfer.kind, transfer.amountMicros])).toEqual([
      ['autotopup', 43n],
      ['charge', 5n],
    ]);
    expect(types(draft)).toEqual(['transfer.created', 'autotopup.succeeded', 'transfer.created']);
  });

  it('makes a charge beyond the balance affordable', () => {
    const draft = tree(100n, 0n, to);
    expect(decideOperatorTransfer(draft, charge(sub.id, 30n)).ok).toBe(true);
    expect(draft.balanceOf(sub.id)).toBe(50n);
  });

  it('leaving exactly `below` triggers nothing', () => {
    const draft = tree(100n, 13n, to);
    decideOperatorTransfer(draft, charge(sub.id, 3n));
    expect(draft.balanceOf(main.id)).toBe(100n);
  });

  it('a top-up that does not make the charge affordable is not kept: 8, nothing moved', () => {
    const draft = tree(100n, 0n, add);
    expect(decideOperatorTransfer(draft, charge(sub.id, 6n))).toEqual({ ok: false, code: 8 });
    expect(draft.changes().transfers).toEqual([]);
    expect(types(draft)).toEqual([]);
  });

  it('when the main account cannot pay, the notice stays, and the debit is decided on the subaccount alone', () => {
    const refused = tree(4n, 0n, add);
    expect(decideOperatorTransfer(refused, charge(sub.id, 1n))).toEqual({ ok: false, code: 6 });
    expect(types(refused)).toEqual(['autotopup.failed']);
    const paid = tree(4n, 3n, add);
    expect(decideOperatorTransfer(paid, charge(sub.id, 1n)).ok).toBe(true);
    expect(types(paid)).toEqual(['autotopup.failed', 'transfer.created']);
  });

  it("never for the reseller's own remove", () => {
    const draft = tree(100n, 12n, to);
    expect(decideCredit(draft, credit('remove', 5n)).ok).toBe(true);
    expect(draft.balanceOf(sub.id)).toBe(7n);
  });
});

describe('low-balance crossings, whatever moves the balance', () => {
  it('tells low once on the way down, recovered on the way up, depleted at 0', () => {
    const draft = tree(1000n, 30n, { lowBalanceMicros: 20n });
    for (const amount of [5n, 6n, 4n, 5n]) decideOperatorTransfer(draft, charge(sub.id, amount));
    decideCredit(draft, credit('add', 20n));
    decideOperatorTransfer(draft, charge(sub.id, 30n));
    expect(types(draft).filter((type) => type.startsWith('balance.'))).toEqual([
      'balance.low',
      'balance.recovered',
      'balance.low',
      'balance.depleted',
    ]);
  });
});

describe('usage rules against a model, for any sequence of charges and top-ups', () => {
  it('never passes the cap, tells each crossing once, and conserves money', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('charge' as const), micros: fc.bigInt({ min: 1n, max: 40n }) }),
      fc.record({ kind: fc.constant('topup' as const), micros: fc.bigInt({ min: 1n, max: 40n }) }),
    );
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 60 }),
        fc.bigInt({ min: 1n, max: 300n }),
        (operations, capMicros) => {
          const rules = {
            lowBalanceMicros: 20n,
            autoTopup: { belowMicros: 10n, toMicros: 30n, addMicros: null },
            spendingCap: { amountMicros: capMicros, period: 'month' as const },
          };
          const draft = tree(200n, 25n, rules);
          const seen: bigint[] = [available(draft.account(sub.id)!)];
          let charged = 0n;
          for (const step of operations) {
            if (step.kind === 'charge') {
              const outcome = decideOperatorTransfer(draft, charge(sub.id, step.micros));
              if (outcome.ok) charged += step.micros;
              else expect([32, 6, 8]).toContain(outcome.code);
            } else {
              const topup = { ...charge(main.id, step.micros), kind: 'topup' as const };
              expect(decideOperatorTransfer(draft, topup).ok).toBe(true);
            }
            seen.push(available(draft.account(sub.id)!));
          }
          expect(charged).toBeLessThanOrEqual(capMicros);
          expect(draft.usage(sub.id, 'month', at).usedMicros).toBe(charged);
          // The model: crossings of the subaccount's available balance, step by step.
          let lows = 0;
          let recoveries = 0;
          seen.slice(1).forEach((after, index) => {
            const before = seen[index]!;
            if (before >= 20n && after < 20n) lows += 1;
            if (before < 20n && after >= 20n) recoveries += 1;
          });
          const events = draft.changes().events;
          const mine = (type: string) =>
            events.filter((event) => event.type === type && JSON.parse(event.data).tokenSubaccount === 'tok');
          expect(mine('balance.low')).toHaveLength(lows);
          expect(mine('balance.recovered')).toHaveLength(recoveries);
          const total = [funding, main, sub].reduce((sum, account) => sum + draft.balanceOf(account.id), 0n);
          expect(total).toBe(funding.balanceMicros + 200n + 25n);
        },
      ),
      { numRuns: 300 },
    );
  });
});
