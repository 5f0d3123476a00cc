import { describe, expect, it } from 'vitest';
import { balancePoints, chartColumns, rangeStart } from '../../web/src/chart-data.js';
import {
  dayBound,
  formatDateTime,
  formatDayText,
  formatMoney,
  formatMoneyExact,
  parseAmountInput,
  parseDayInput,
  shortToken,
} from '../../web/src/format.js';
import { initialLanguage, MESSAGES } from '../../web/src/i18n.js';
import { accountTotals, parseRoute, routeHash, sortAccounts } from '../../web/src/state.js';

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
    ['12.500', 'fr', '12,50\u00a0€', '12,50\u00a0€'],
    ['12.500', 'en', '€12.50', '€12.50'],
    ['10.000', 'fr', '10,00\u00a0€', '10,00\u00a0€'],
    ['0.000001', 'fr', '0,00\u00a0€', '0,000001\u00a0€'],
    ['0.005', 'fr', '0,01\u00a0€', '0,005\u00a0€'],
    ['0.004999', 'en', '€0.00', '€0.004999'],
    ['10225.119', 'fr', '10\u202f225,12\u00a0€', '10\u202f225,119\u00a0€'],
    ['1234567.5', 'en', '€1,234,567.50', '€1,234,567.50'],
    ['-1.505', 'en', '-€1.51', '-€1.505'],
    // Beyond a float's 15-16 digits, every digit is kept.
    ['999999999.995', 'en', '€1,000,000,000.00', '€999,999,999.995'],
    ['999999999.999995', 'en', '€1,000,000,000.00', '€999,999,999.999995'],
  ] as const)('%s in %s: %s, exactly %s', (text, language, shown, exact) => {
    expect(formatMoney(text, language)).toBe(shown);
    expect(formatMoneyExact(text, language)).toBe(exact);
  });

  it.each([
    ['1 250,50', 'fr', '1250.50'],
    ['1\u202f250,50', 'fr', '1250.50'],
    ['1250.50', 'fr', '1250.50'],
    [' 12,5 ', 'fr', '12.5'],
    ['1250.50', 'en', '1250.50'],
    ['1,250.50', 'en', '1250.50'],
    ['1 250.50', 'en', '1250.50'],
    ['3', 'en', '3'],
    ['0,0000001', 'fr', '0.0000001'],
    ['12345678901234567890,12', 'fr', '12345678901234567890.12'],
  ] as const)('amount %j typed in %s is sent as %j', (typed, language, sent) => {
    expect(parseAmountInput(typed, language)).toEqual({ ok: true, text: sent });
  });

  it.each([
    ['1e5', 'fr'],
    ['abc', 'en'],
    ['1.250,50', 'fr'],
    ['12,5', 'en'],
    ['1,25,0.5', 'en'],
    ['-3', 'fr'],
    ['', 'fr'],
  ] as const)('amount %j in %s cannot be read', (typed, language) => {
    expect(parseAmountInput(typed, language)).toEqual({ ok: false });
  });

  it('shows a moment in the browser zone, with the zone, one format per language', () => {
    // The unit tests run with TZ=UTC or another zone: the expected text is built the same way.
    const moment = '2026-11-27T10:05:09.000Z';
    const shown = formatDateTime(moment, 'fr');
    expect(shown).toMatch(/^27\/11\/2026 \d{2}:05:09 UTC([+−]\d{1,2}(:\d{2})?)?$/);
    expect(formatDateTime(moment, 'en')).toBe(shown.replace('27/11/2026', '2026-11-27'));
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
  });

  it('reads filter days in either format and bounds them in the browser zone', () => {
    expect(parseDayInput('27/11/2026')).toBe('2026-11-27');
    expect(parseDayInput('2026-11-27')).toBe('2026-11-27');
    expect(parseDayInput(' 1/2/2026 ')).toBe('2026-02-01');
    expect(parseDayInput('')).toBe('');
    expect(parseDayInput('31/02/2026')).toBeNull();
    expect(parseDayInput('11/27/2026')).toBeNull();
    expect(formatDayText('2026-11-27', 'fr')).toBe('27/11/2026');
    expect(formatDayText('2026-11-27', 'en')).toBe('2026-11-27');
    const start = new Date(dayBound('2026-11-27', 'start')!);
    const end = new Date(dayBound('2026-11-27', 'end')!);
    expect([start.getDate(), start.getHours(), start.getMinutes()]).toEqual([27, 0, 0]);
    expect([end.getDate(), end.getHours(), end.getMilliseconds()]).toEqual([27, 23, 999]);
    expect(formatDateTime(start.toISOString(), 'fr')).toMatch(/^27\/11\/2026 00:00:00 /);
    expect(dayBound('', 'start')).toBeUndefined();
    expect(dayBound('27/11/2026', 'end')).toBeUndefined();
  });

  it('shortens long tokens to their ends', () => {
    expect(shortToken('a1b2c3d4e5f6g7h8i9')).toBe('a1b2c3…h8i9');
    expect(shortToken('short')).toBe('short');
  });
});

describe('accounts table', () => {
  const account = (id: number, email: string, balance: string, subaccountCount: number) => ({
    id,
    email,
    status: 'active' as const,
    balance,
    held: '0',
    subaccountCount,
    rules: { lowBalance: null, autoTopup: null, spendingCap: null },
    createdAt: `2026-11-0${id}T10:00:00.000Z`,
  });
  const items = [
    account(1, 'b@example.com', '10.5', 2),
    account(2, 'a@example.com', '9.999999', 0),
    account(3, 'c@example.com', '100', 1),
  ];

  it.each([
    ['email', 'asc', [2, 1, 3]],
    ['balance', 'asc', [2, 1, 3]],
    ['balance', 'desc', [3, 1, 2]],
    ['subaccounts', 'desc', [1, 3, 2]],
    ['created', 'desc', [3, 2, 1]],
  ] as const)('sorts by %s %s', (key, direction, ids) => {
    expect(sortAccounts(items, { key, direction }).map((item) => item.id)).toEqual(ids);
  });

  it('adds the balances up exactly', () => {
    expect(accountTotals(items)).toEqual({ balance: '120.499999', subaccounts: 3 });
    expect(accountTotals([account(1, 'x', '0.1', 0), account(2, 'y', '0.2', 0)]).balance).toBe('0.3');
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
  it('plots exact balances oldest first and skips movements without one', () => {
    const points = balancePoints([
      { createdAt: '2026-11-27T10:00:02.000Z', balanceAfter: '0.000' },
      { createdAt: '2026-11-27T10:00:01.000Z', balanceAfter: null },
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '10.000001' },
      { createdAt: 'not a date', balanceAfter: '1.000' },
    ]);
    expect(points.map((point) => point.micros)).toEqual([10_000_001n, 0n]);
    expect(points.map((point) => point.label)).toEqual(['10.000001', '0.000']);
  });

  it('keeps the API order of movements made within the same millisecond', () => {
    const points = balancePoints([
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '2' },
      { createdAt: '2026-11-27T10:00:00.000Z', balanceAfter: '1' },
    ]);
    expect(points.map((point) => point.label)).toEqual(['1', '2']);
  });

  it('places movements by time, so a burst keeps to its minute and the days before keep their width', () => {
    const day = 86_400_000;
    const start = Date.UTC(2026, 10, 1);
    const daily = Array.from({ length: 10 }, (_, n) => ({
      createdAt: new Date(start + n * day).toISOString(),
      balanceAfter: String(n + 1),
    }));
    const burst = Array.from({ length: 300 }, (_, n) => ({
      createdAt: new Date(start + 10 * day + n * 100).toISOString(),
      balanceAfter: `${11 + n}.5`,
    }));
    const now = start + 11 * day;
    const { xs, ys, labels } = chartColumns(balancePoints([...daily, ...burst].reverse()), now);
    const span = xs.at(-1)! - xs[0]!;
    const burstWidth = xs[xs.length - 2]! - xs[10]!;
    expect(burstWidth / span).toBeLessThan(0.001);
    expect((xs[9]! - xs[0]!) / span).toBeGreaterThan(0.8);
    // The balance holds until now, and the hover text is the exact one.
    expect(xs.at(-1)).toBe(now / 1000);
    expect(ys.at(-1)).toBe(310.5);
    expect(labels.at(-1)).toBe('310.5');
  });

  it('counts a date range back from now', () => {
    expect(rangeStart('7d', 8 * 86_400_000)).toBe(86_400_000);
    expect(rangeStart('all', 1)).toBeUndefined();
  });
});
