import { describe, expect, it } from 'vitest';
import { parseAmount } from './money.js';
import {
  NO_RULES,
  applyRulesPatch,
  crossings,
  topupNeeded,
  type AutoTopup,
  type RulesPatch,
} from './rules.js';

const absent = { kind: 'absent' } as const;
const patch = (fields: Partial<RulesPatch>): RulesPatch => ({
  lowBalance: absent,
  autoTopup: absent,
  spendingCap: absent,
  malformed: false,
  ...fields,
});
const amount = (text: string) => parseAmount(text);
const topup = (below: string | null, to: string | null, add: string | null) => ({
  kind: 'set' as const,
  below: below === null ? null : amount(below),
  to: to === null ? null : amount(to),
  add: add === null ? null : amount(add),
});
const cap = (value: string | null, period: string | null) => ({
  kind: 'set' as const,
  amount: value === null ? null : amount(value),
  period,
});

describe('applyRulesPatch: one bad field refuses the whole patch', () => {
  it.each<[string, RulesPatch, number]>([
    ['a malformed body', patch({ malformed: true }), 22],
    ['a threshold that is no amount', patch({ lowBalance: { kind: 'set', amount: amount('1e3') } }), 20],
    ['a zero threshold', patch({ lowBalance: { kind: 'set', amount: amount('0') } }), 5],
    ['a top-up without below', patch({ autoTopup: topup(null, '10', null) }), 22],
    ['a top-up with both to and add', patch({ autoTopup: topup('1', '10', '5') }), 22],
    ['a top-up with neither', patch({ autoTopup: topup('1', null, null) }), 22],
    ['to not above below', patch({ autoTopup: topup('10', '10', null) }), 22],
    ['a negative add', patch({ autoTopup: topup('10', null, '-1') }), 5],
    ['a cap without period', patch({ spendingCap: cap('100', null) }), 22],
    ['a cap per week', patch({ spendingCap: cap('100', 'week') }), 22],
    ['a cap of 7 decimals', patch({ spendingCap: cap('0.0000001', 'day') }), 20],
    [
      'a good field beside a bad one',
      patch({ lowBalance: { kind: 'set', amount: amount('10') }, spendingCap: cap('0', 'day') }),
      5,
    ],
  ])('%s → %i', (_name, request, code) => {
    expect(applyRulesPatch(NO_RULES, request)).toBe(code);
  });

  it('sets, keeps what is absent, and removes what is null', () => {
    const set = applyRulesPatch(
      NO_RULES,
      patch({
        lowBalance: { kind: 'set', amount: amount('10') },
        autoTopup: topup('5', '50', null),
        spendingCap: cap('100', 'month'),
      }),
    );
    expect(set).toEqual({
      lowBalanceMicros: 10_000_000n,
      autoTopup: { belowMicros: 5_000_000n, toMicros: 50_000_000n, addMicros: null },
      spendingCap: { amountMicros: 100_000_000n, period: 'month' },
    });
    if (typeof set === 'number') throw new Error('refused');
    expect(applyRulesPatch(set, patch({ autoTopup: { kind: 'remove' } }))).toEqual({
      ...set,
      autoTopup: null,
    });
  });
});

describe('crossings: on crossings only', () => {
  it.each<[bigint | null, bigint, bigint, string[]]>([
    [10n, 11n, 9n, ['balance.low']],
    [10n, 10n, 9n, ['balance.low']],
    [10n, 11n, 10n, []],
    [10n, 9n, 8n, []],
    [10n, 9n, 10n, ['balance.recovered']],
    [10n, 11n, 0n, ['balance.low', 'balance.depleted']],
    [null, 5n, 0n, ['balance.depleted']],
    [null, 0n, 0n, []],
    [10n, 0n, 3n, []],
  ])('threshold %s, %s → %s', (low, before, after, events) => {
    expect(crossings(low, before, after)).toEqual(events);
  });
});

describe('topupNeeded', () => {
  const to: AutoTopup = { belowMicros: 10n, toMicros: 50n, addMicros: null };
  const add: AutoTopup = { belowMicros: 10n, toMicros: null, addMicros: 7n };
  it.each<[string, AutoTopup, bigint, bigint, bigint]>([
    ['leaving exactly below triggers nothing', to, 13n, 3n, 0n],
    ['to: enough to leave `to` after the debit', to, 12n, 3n, 41n],
    ['to: even for a debit beyond the balance', to, 2n, 5n, 53n],
    ['add: the fixed amount', add, 12n, 3n, 7n],
  ])('%s', (_name, rule, availableMicros, debitMicros, needed) => {
    expect(topupNeeded(rule, availableMicros, debitMicros)).toBe(needed);
  });
});
