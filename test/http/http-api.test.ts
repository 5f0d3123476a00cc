import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { ERRORS } from '../../src/domain/errors.js';
import { StoreUnavailableError } from '../../src/domain/store.js';
import { codeOfError } from '../../src/http/errors.js';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;

beforeEach(async () => {
  fixture = await openApp();
  main = await seedMain(fixture.store, 'main@example.com', '100');
  sub = await seedSub(fixture.store, main, 'sub@example.com', null);
});

afterEach(() => fixture.remove());

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fixture.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers });
}

function add(credit: string | number, token = sub.token) {
  return post('/v1/subaccount/credit/add', { apiKey: main.apiKey, credit, tokenSubaccount: token });
}

describe('add and remove', () => {
  test('0.1 then 0.2 gives exactly 0.3, written as bare JSON numbers', async () => {
    expect((await add('0.1')).statusCode).toBe(200);
    const response = await add(0.2);
    expect(response.body).toMatch(
      /"credit":99\.7,"subaccountCredit":0\.3,"currency":"EUR","transferId":"[0-9a-f-]{36}"/,
    );
    expect(response.json()).toMatchObject({ success: true, code: 200 });
  });

  test('balances beyond float precision are written digit for digit', async () => {
    const rich = await seedMain(fixture.store, 'rich@example.com', '900000000');
    const richSub = await seedSub(fixture.store, rich, 'rich-sub@example.com', null);
    const payload = `{"apiKey":"${rich.apiKey}","credit":123456789.123457,"tokenSubaccount":"${richSub.token}"}`;
    const response = await fixture.app.inject({ method: 'POST', url: '/v1/subaccount/credit/add', payload });
    expect(response.body).toContain('"credit":776543210.876543,"subaccountCredit":123456789.123457,');
  });

  test('remove moves the money back and both transfers are in the ledger', async () => {
    await add('5');
    const response = await post('/v1/subaccount/credit/remove', {
      apiKey: main.apiKey,
      credit: '1.25',
      tokenSubaccount: sub.token,
    });
    expect(response.json()).toMatchObject({ code: 200, credit: 96.25, subaccountCredit: 3.75 });
    const report = await fixture.store.verify();
    expect(report.ok).toBe(true);
    expect(report.transfers).toBe(3); // opening top-up, add, remove
  });

  test('nested parameters from PHP forms reach create', async () => {
    const payload = `apiKey=${main.apiKey}&type=simple&parameters%5Bemail%5D=php%40example.com&parameters%5BcreditToAttribute%5D=2`;
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/create',
      payload,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(response.json()).toMatchObject({ code: 200, subaccount: { email: 'php@example.com' } });
  });
});

describe('POST /v1/subaccount/create', () => {
  const create = (body: Record<string, unknown>) =>
    post('/v1/subaccount/create', { apiKey: main.apiKey, ...body });

  test('a simple subaccount with an email', async () => {
    const response = await create({
      type: 'simple',
      parameters: { email: 'new@example.com', isBuyer: true },
    });
    const body = response.json();
    expect(body).toEqual({
      success: true,
      code: 200,
      subaccount: { email: 'new@example.com', token: expect.stringMatching(/^[0-9a-f]{32}$/) },
      parent_email: 'main@example.com',
    });
  });

  test('a simple subaccount without email gets a generated one', async () => {
    const body = (await create({ type: 'simple', parameters: {} })).json();
    expect(body.subaccount.email).toBe(
      `sub-${body.subaccount.token.slice(0, 8)}@subaccounts.tirelire.invalid`,
    );
  });

  test('an advanced subaccount gets a key that works once shown', async () => {
    const body = (await create({ type: 'advanced', parameters: { email: 'adv@example.com' } })).json();
    expect(body.subaccount.apiKey).toMatch(/^tl_/);
    const me = await fixture.app.inject({ url: '/v1/me', headers: { 'x-api-key': body.subaccount.apiKey } });
    expect(me.json()).toMatchObject({ code: 200, user: { username: 'adv@example.com' } });
  });

  test('creditToAttribute is added in the same transaction', async () => {
    const body = (
      await create({ type: 'simple', parameters: { email: 'c@example.com', creditToAttribute: 2.5 } })
    ).json();
    expect(body.transferId).toMatch(/^[0-9a-f-]{36}$/);
    const list = (await fixture.app.inject({ url: `/v1/subaccount/list?apiKey=${main.apiKey}` })).json();
    expect(list.data.find((item: { email: string }) => item.email === 'c@example.com').credits.balance).toBe(
      '2.500',
    );
  });

  test.each([
    ['no key', { apiKey: '' }, 1],
    ['wrong key with bad parameters → 10', { apiKey: 'tl_nope', type: 'other' }, 10],
    ['bad type', { type: 'premium' }, 22],
    ['bad email', { parameters: { email: 'not-an-email' } }, 22],
    ['email too long', { parameters: { email: `${'a'.repeat(250)}@example.com` } }, 22],
    ['advanced without email', { type: 'advanced', parameters: {} }, 22],
    ['parameters not an object', { parameters: 'x' }, 22],
    ['bad isBuyer', { parameters: { isBuyer: 'maybe' } }, 22],
    ['invalid creditToAttribute', { parameters: { creditToAttribute: '1e5' } }, 20],
    ['negative creditToAttribute', { parameters: { creditToAttribute: '-1' } }, 5],
    ['email already used', { parameters: { email: 'sub@example.com' } }, 23],
    ['creditToAttribute beyond the balance', { parameters: { creditToAttribute: '100.5' } }, 8],
  ] as const)('%s → %i, nothing created', async (_name, body, code) => {
    const before = await fixture.store.verify();
    const response = await create(body);
    expect(response.json()).toEqual({ success: false, code, message: ERRORS[code].fr });
    expect(response.statusCode).toBe(ERRORS[code].http);
    expect(await fixture.store.verify()).toEqual(before);
  });

  test('a subaccount key may not create → 4', async () => {
    const advanced = await seedSub(fixture.store, main, 'adv2@example.com', null, 'advanced');
    const response = await post('/v1/subaccount/create', { apiKey: advanced.apiKey, type: 'bogus' });
    expect(response.json()).toMatchObject({ code: 4 });
  });
});

describe('GET /v1/subaccount/list', () => {
  const list = (query: string) => fixture.app.inject({ url: `/v1/subaccount/list?${query}` });

  test('20 per page, newest pages empty', async () => {
    for (let index = 0; index < 24; index += 1)
      await seedSub(fixture.store, main, `s${index}@example.com`, null);
    const first = (await list(`apiKey=${main.apiKey}`)).json();
    expect(first).toMatchObject({ success: true, code: 200, total: 25, nb_per_page: 20, page: 1 });
    expect(first.data).toHaveLength(20);
    const second = (await list(`apiKey=${main.apiKey}&page=2`)).json();
    expect(second.data).toHaveLength(5);
    expect(new Set([...first.data, ...second.data].map((item: { id: number }) => item.id)).size).toBe(25);
    expect((await list(`apiKey=${main.apiKey}&page=3`)).json().data).toEqual([]);
  });

  test('an item has the Mailpartner shape', async () => {
    await add('0.8');
    const [item] = (await list(`apiKey=${main.apiKey}`)).json().data;
    expect(item).toEqual({
      id: expect.any(Number),
      email: 'sub@example.com',
      type: 'simple',
      token: sub.token,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      credits: { balance: '0.800', currency: 'EUR' },
    });
  });

  test.each([
    ['', 1],
    ['apiKey=tl_wrong', 10],
    ['apiKey=$subkey', 4],
    ['apiKey=$main&page=0', 22],
    ['apiKey=$main&page=abc', 22],
    ['apiKey=$main&page=99999999', 22],
  ] as const)('%s → %i', async (query, code) => {
    const advanced = await seedSub(fixture.store, main, 'adv@example.com', null, 'advanced');
    const resolved = query.replace('$main', main.apiKey).replace('$subkey', advanced.apiKey!);
    expect((await list(resolved)).json()).toMatchObject({ success: false, code });
  });
});

describe('GET /v1/me', () => {
  test('a main account sees its email and padded balance', async () => {
    await add('0.881');
    const response = await fixture.app.inject({ url: `/v1/me?apiKey=${main.apiKey}` });
    expect(response.json()).toEqual({
      success: true,
      code: 200,
      user: { username: 'main@example.com' },
      credits: { balance: '99.119', currency: 'EUR' },
    });
  });

  test('missing, wrong and suspended keys', async () => {
    expect((await fixture.app.inject({ url: '/v1/me' })).json()).toMatchObject({ code: 1 });
    expect((await fixture.app.inject({ url: '/v1/me?apiKey=tl_x' })).json()).toMatchObject({ code: 10 });
    await fixture.store.setStatus(main.accountId, 'suspended');
    expect((await fixture.app.inject({ url: `/v1/me?apiKey=${main.apiKey}` })).json()).toMatchObject({
      code: 4,
    });
  });
});

describe('operations and framing', () => {
  test('healthz and readyz answer while the store is up', async () => {
    expect((await fixture.app.inject({ url: '/healthz' })).json()).toMatchObject({
      success: true,
      code: 200,
    });
    expect((await fixture.app.inject({ url: '/readyz' })).json()).toMatchObject({ success: true, code: 200 });
  });

  test('readyz is 503 and credit routes are 500 without detail once the store is gone', async () => {
    await fixture.store.close();
    const ready = await fixture.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ success: false, code: 503, message: ERRORS[503].fr });
    const fault = await add('1');
    expect(fault.statusCode).toBe(500);
    expect(fault.json()).toEqual({ success: false, code: 500, message: ERRORS[500].fr });
  });

  test.each([
    ['GET', '/v1/nothing'],
    ['GET', '/v1/subaccount/credit/add'],
    ['DELETE', '/v1/me'],
    ['POST', '/'],
  ] as const)('%s %s → 404 in JSON', async (method, url) => {
    const response = await fixture.app.inject({ method, url });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ success: false, code: 404, message: ERRORS[404].fr });
  });

  test('a body over the limit → 413', async () => {
    const response = await post('/v1/subaccount/credit/add', {
      apiKey: main.apiKey,
      pad: 'x'.repeat(70_000),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ success: false, code: 413 });
  });

  test('the body limit is an option', async () => {
    const small = await openApp({ bodyLimitBytes: 100 });
    const credit = await small.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: JSON.stringify({ apiKey: 'k'.repeat(150) }),
    });
    expect(credit.json()).toMatchObject({ code: 413 });
    await small.remove();
  });

  test.each([
    ['bad JSON', '{"apiKey":', 'application/json'],
    ['JSON array', '["x"]', 'application/json'],
    ['JSON with duplicate keys', '{"credit":"1","credit":"2"}', 'application/json'],
    ['plain text', 'apiKey=x', 'text/plain'],
    ['no type, not JSON', 'hello', undefined],
    ['deep nesting', `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, 'application/json'],
    ['multipart without boundary', 'x', 'multipart/form-data'],
    [
      'truncated multipart',
      '--abc\r\nContent-Disposition: form-data; name="credit"\r\n\r\n1',
      'multipart/form-data; boundary=abc',
    ],
  ])('%s → 21', async (_name, payload, contentType) => {
    const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload,
      headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ success: false, code: 21, message: ERRORS[21].fr });
  });

  test('an empty body is read as no fields → 1', async () => {
    const response = await fixture.app.inject({ method: 'POST', url: '/v1/subaccount/credit/add' });
    expect(response.json()).toMatchObject({ code: 1 });
  });

  test('an unreachable store answers 503, anything unexpected 500', () => {
    const request = { isMultipart: () => false } as unknown as FastifyRequest;
    expect(codeOfError(new StoreUnavailableError('connection refused'), request)).toBe(503);
    expect(codeOfError(new TypeError('bug'), request)).toBe(500);
    expect(codeOfError(Object.assign(new Error('too big'), { statusCode: 413 }), request)).toBe(413);
  });

  test('a sane X-Request-Id is echoed, anything else replaced', async () => {
    const echoed = await fixture.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const replaced = await fixture.app.inject({
      url: '/healthz',
      headers: { 'x-request-id': 'bad id\u00e9' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
