import { describe, expect, it } from 'vitest';
import { balancePoints, highest, stepPath } from '../../web/src/chart.js';
import { dayBound, formatMoney, normalizeCredit } from '../../web/src/format.js';
import { initialLanguage, MESSAGES } from '../../web/src/i18n.js';
import { parseRoute, routeHash } from '../../web/src/state.js';

// The console's pure pieces; the browser suites cover the rest.
describe('console routes', () => {
  it.each([
    ['', { page: 'accounts' }],
    ['#/', { page: 'accounts' }],
    ['#/accounts', { page: 'accounts' }],
    ['#/accounts/42', { page: 'account', id: 42 }],
    ['#/accounts/x', { page: 'unknown' }],
    ['#/accounts/42?token=x', { page: 'unknown' }],
  ])('%s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('writes back what it reads', () => {
    expect(parseRoute(routeHash({ page: 'account', id: 7 }))).toEqual({ page: 'account', id: 7 });
  });
});

describe('console formatting', () => {
  it.each([
    ['12.500', 'fr', '12,50\u00a0€'],
    ['12.500', 'en', '€12.50'],
    ['10.000', 'fr', '10,00\u00a0€'],
    ['0.000001', 'fr', '0,000001\u00a0€'],
    ['10225.119', 'fr', '10\u202f225,119\u00a0€'],
    ['1234567.5', 'en', '€1,234,567.50'],
    ['-1.500', 'en', '-€1.50'],
  ] as const)('%s in %s', (text, language, shown) => {
    expect(formatMoney(text, language)).toBe(shown);
  });

  it.each([
    [' 12,5 ', '12.5'],
    ['3', '3'],
    ['abc', 'abc'],
  ])('amount %j is sent as %j', (typed, sent) => {
    expect(normalizeCredit(typed)).toBe(sent);
  });

  it('turns a day into UTC bounds and ignores anything else', () => {
    expect(dayBound('2026-11-27', 'start')).toBe('2026-11-27T00:00:00.000Z');
    expect(dayBound('2026-11-27', 'end')).toBe('2026-11-27T23:59:59.999Z');
    expect(dayBound('', 'start')).toBeUndefined();
    expect(dayBound('27/11/2026', 'end')).toBeUndefined();
  });
});

describe('console languages', () => {
  it('have the same words in French and English', () => {
    expect(Object.keys(MESSAGES.en).sort()).toEqual(Object.keys(MESSAGES.fr).sort());
  });

  it.each([
    [['en-US', 'fr'], 'en'],
    [['de', 'fr-CA'], 'fr'],
    [['de'], 'fr'],
    [[], 'fr'],
  ] as const)('%j → %s', (preferences, language) => {
    expect(initialLanguage(preferences)).toBe(language);
  });
});

describe('balance chart', () => {
  const box = { width: 100, height: 50, padding: 0 };

  it('plots exact balances oldest first and skips movements without one', () => {
    const points = balancePoints([
      { createdAt: '2026-11-27T10:00:02.000Z', balanceAfter: '0.000' },
      { createdAt: '2026-11-27T10:00:01.000Z', balanceAfter: null },
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '10.000001' },
      { createdAt: 'not a date', balanceAfter: '1.000' },
    ]);
    expect(points.map((point) => point.micros)).toEqual([10_000_001n, 0n]);
    expect(highest(points)?.label).toBe('10.000001');
  });

  it('keeps the API order of movements made within the same millisecond', () => {
    const points = balancePoints([
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '2' },
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '1' },
    ]);
    expect(points.map((point) => point.label)).toEqual(['1', '2']);
  });

  it('draws a step line: a balance holds until the next movement', () => {
    const points = balancePoints([
      { createdAt: '2026-11-27T10:00:10.000Z', balanceAfter: '5' },
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '10' },
    ]);
    expect(stepPath(points, box)).toBe('M0.0,0.0 H0.0 V0.0 H100.0 V25.0');
    expect(stepPath([], box)).toBe('');
  });
});
