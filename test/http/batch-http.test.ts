import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ERRORS } from '../../src/domain/errors.js';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

const BATCH = '/v1/subaccount/credit/batch';

let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;
let other: SeededSub;

beforeEach(async () => {
  fixture = await openApp();
  main = await seedMain(fixture.store, 'main@example.com', '10');
  sub = await seedSub(fixture.store, main, 'sub@example.com', '1');
  other = await seedSub(fixture.store, main, 'other@example.com', null);
});

afterEach(() => fixture.remove());

async function batch(body: unknown, headers: Record<string, string> = {}) {
  const response = await fixture.app.inject({
    method: 'POST',
    url: BATCH,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return {
    status: response.statusCode,
    body: response.json(),
    raw: response.body,
    headers: response.headers,
  };
}

const op = (direction: string, tokenSubaccount: string, credit: unknown) => ({
  direction,
  tokenSubaccount,
  credit,
});

async function balances() {
  const list = await fixture.app.inject({ method: 'GET', url: `/v1/subaccount/list?apiKey=${main.apiKey}` });
  const me = await fixture.app.inject({ method: 'GET', url: `/v1/me?apiKey=${main.apiKey}` });
  const data = list.json().data as { token: string; credits: { balance: string } }[];
  return {
    main: me.json().credits.balance as string,
    sub: data.find((item) => item.token === sub.token)!.credits.balance,
    other: data.find((item) => item.token === other.token)!.credits.balance,
  };
}

describe('a batch that is not atomic', () => {
  test('applies each operation on its own, in order, against running balances', async () => {
    const { status, body, raw, headers } = await batch({
      apiKey: main.apiKey,
      operations: [
        op('add', sub.token, '0.1'),
        op('add', other.token, 8),
        op('add', other.token, '1'),
        op('remove', sub.token, '1.1'),
        op('remove', sub.token, 0.000001),
      ],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ success: true, code: 200 });
    const codes = body.results.map((result: { code: number }) => result.code);
    expect(codes).toEqual([200, 200, 8, 200, 6]);
    expect(body.results[0]).toEqual({
      success: true,
      code: 200,
      credit: 8.9,
      subaccountCredit: 1.1,
      currency: 'EUR',
      transferId: expect.any(String),
    });
    expect(body.results[2]).toEqual({ success: false, code: 8, message: ERRORS[8].fr });
    // Written as UTF-8 bytes (src/http/answer-bytes.ts): the French messages' accents, and a length to the byte.
    expect(raw).toContain('"message":"Crédit insufisant"');
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(raw));
    // Money is written exactly: 8.9 - 8 + 1.1 = 2, never 2.0000000000000004.
    expect(raw).toContain('"credit":2}');
    expect(body.credit).toBe(2);
    expect(await balances()).toEqual({ main: '2.000', sub: '0.000', other: '8.000' });
    expect((await fixture.store.verify()).ok).toBe(true);
  });

  test('answers every per-operation code in the single routes’ order', async () => {
    const { status, body } = await batch(
      {
        apiKey: main.apiKey,
        operations: [
          op('move', sub.token, '1'),
          { direction: 'add', tokenSubaccount: sub.token },
          { direction: 'add', credit: '1' },
          op('add', 'unknown', '1e3'),
          op('add', 'unknown', '-1'),
          op('add', 'unknown', '1'),
          op('remove', other.token, '1'),
          op('add', sub.token, '10.5'),
        ],
      },
      { 'accept-language': 'en' },
    );
    expect(status).toBe(200);
    expect(body.results).toEqual(
      [22, 2, 3, 20, 5, 7, 6, 8].map((code) => ({
        success: false,
        code,
        message: ERRORS[code as keyof typeof ERRORS].en,
      })),
    );
    expect(body.credit).toBe(9);
  });
});

describe('an atomic batch', () => {
  test('applies everything when every operation succeeds', async () => {
    const { status, body } = await batch({
      apiKey: main.apiKey,
      atomic: true,
      operations: [op('add', sub.token, '4'), op('remove', sub.token, '5')],
    });
    expect(status).toBe(200);
    expect(body.results.map((result: { code: number }) => result.code)).toEqual([200, 200]);
    expect(await balances()).toMatchObject({ main: '10.000', sub: '0.000' });
  });

  test('applies nothing when one operation fails, and says which and why', async () => {
    const before = await balances();
    const { status, body } = await batch({
      apiKey: main.apiKey,
      atomic: true,
      operations: [op('add', sub.token, '4'), op('add', other.token, '5.5'), op('add', 'nope', '1')],
    });
    expect(status).toBe(422);
    expect(body).toMatchObject({ success: false, code: 8, message: ERRORS[8].fr, credit: 9 });
    expect(body.results).toEqual([
      { success: false, code: 31, message: ERRORS[31].fr },
      { success: false, code: 8, message: ERRORS[8].fr },
      { success: false, code: 7, message: ERRORS[7].fr },
    ]);
    expect(await balances()).toEqual(before);
    expect((await fixture.store.verify()).transfers).toBe(2);
  });

  test('applies nothing when an operation is refused before the store', async () => {
    const before = await balances();
    const { status, body } = await batch({
      apiKey: main.apiKey,
      atomic: true,
      operations: [op('add', sub.token, '1'), { direction: 'add', tokenSubaccount: sub.token }],
    });
    expect(status).toBe(400);
    expect(body).toMatchObject({ success: false, code: 2 });
    expect(body.results.map((result: { code: number }) => result.code)).toEqual([31, 2]);
    expect(await balances()).toEqual(before);
  });
});

describe('the batch as a whole', () => {
  test.each([
    ['no key', { operations: [op('add', 'x', '1')] }, 1],
    ['no operations', { apiKey: 'k' }, 28],
    ['empty operations', { apiKey: 'k', operations: [] }, 28],
    [
      '1001 operations',
      { apiKey: 'k', operations: Array.from({ length: 1001 }, () => op('add', 'x', '1')) },
      28,
    ],
    ['an operation that is no object', { apiKey: 'k', operations: [op('add', 'x', '1'), 'add'] }, 28],
    ['atomic not a boolean', { apiKey: 'k', atomic: 'yes', operations: [op('add', 'x', '1')] }, 22],
    ['a wrong key', { apiKey: 'k', operations: [op('add', 'x', '1')] }, 10],
  ])('%s → %s, nothing moves', async (_name, body, code) => {
    const response = await batch(body);
    const refusal = { success: false, code, message: ERRORS[code as keyof typeof ERRORS].fr };
    expect(response.body).toEqual(code === 22 ? { ...refusal, param: 'atomic' } : refusal);
    expect(response.status).toBe(ERRORS[code as keyof typeof ERRORS].http);
    expect((await fixture.store.verify()).transfers).toBe(2);
  });

  test('a subaccount key is refused once for the batch (4)', async () => {
    const advanced = await seedSub(fixture.store, main, 'adv@example.com', null, 'advanced');
    const response = await batch({ apiKey: advanced.apiKey, operations: [op('add', sub.token, '1')] });
    expect(response.body).toMatchObject({ code: 4 });
  });

  test('takes 1000 operations in a body over the default limit, and refuses a body over 1 MiB (413)', async () => {
    const operations = Array.from({ length: 1000 }, (_, index) =>
      op('add', index % 2 === 0 ? sub.token : other.token, '0.001'),
    );
    const accepted = await batch({ apiKey: main.apiKey, operations });
    expect(accepted.raw.length).toBeGreaterThan(64 * 1024);
    expect(accepted.body.results.filter((result: { success: boolean }) => result.success)).toHaveLength(1000);
    expect(accepted.body.credit).toBe(8);
    const padded = await batch({ apiKey: main.apiKey, operations, pad: 'x'.repeat(1024 * 1024) });
    expect(padded.status).toBe(413);
    expect(padded.body).toMatchObject({ code: 413 });
    expect((await fixture.store.verify()).transfers).toBe(1002);
  });

  test('the single routes keep their own, smaller body limit', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: JSON.stringify({ apiKey: main.apiKey, pad: 'x'.repeat(100 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(413);
  });
});
