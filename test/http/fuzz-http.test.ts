import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ERRORS } from '../../src/domain/errors.js';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

/**
 * Hostile input against every route, on a real SQLite store. Whatever comes
 * in, the answer is JSON with `success:false` (or a genuine success), a code
 * of the error table whose status it carries, never 5xx; a refused request
 * changes nothing in the ledger; no prototype gets polluted.
 *
 * The seeded main account and its subaccount hold 0 EUR, so an add or a
 * remove that gets through every parsing check still stops at code 6: the
 * fuzzer reaches the deepest checks without being able to move money.
 */

const ADMIN_TOKEN = 'fuzz-admin-token-0123456789';
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 2500);

let fixture: AppFixture;
let broke: SeededMain;
let brokeSub: SeededSub;
let advancedSub: SeededSub;
let adminTargetId: number;
let requestsTried = 0;
let successes = 0;
const statusesSeen = new Map<number, number>();
const codesSeen = new Map<number, number>();
const prototypeNamesBefore = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  broke = await seedMain(fixture.store, 'broke@example.com', '0');
  brokeSub = await seedSub(fixture.store, broke, 'broke-sub@example.com', null);
  advancedSub = await seedSub(fixture.store, broke, 'broke-adv@example.com', null, 'advanced');
  // A funded account the operator routes may act on (suspend, rotate…) without touching `broke`.
  adminTargetId = (await seedMain(fixture.store, 'admin-target@example.com', '100')).accountId;
});

afterAll(async () => {
  console.log(
    `fuzz-http: ${requestsTried} requests tried, ${successes} genuine successes, statuses ${JSON.stringify(Object.fromEntries(statusesSeen))}, codes ${JSON.stringify(Object.fromEntries(codesSeen))}`,
  );
  await fixture.remove();
});

/** What must not move when a request is refused. */
async function ledgerSnapshot(): Promise<string> {
  const report = await fixture.store.verify();
  expect(report.ok).toBe(true);
  return JSON.stringify({
    accounts: report.accounts,
    transfers: report.transfers,
    customer: report.customerBalanceMicros.toString(),
    funded: report.fundedMicros.toString(),
  });
}

/** Sends one request and checks the answer's shape; returns the parsed body. */
async function send(options: InjectOptions): Promise<{ response: LightMyRequestResponse; body: unknown }> {
  const before = await ledgerSnapshot();
  const response = await fixture.app.inject(options);
  requestsTried += 1;
  statusesSeen.set(response.statusCode, (statusesSeen.get(response.statusCode) ?? 0) + 1);
  const context = `${String(options.method)} ${String(options.url)} → ${response.statusCode} ${response.body.slice(0, 200)}`;
  expect(response.statusCode, context).toBeLessThan(500);
  if (options.method === 'HEAD') return { response, body: null };
  expect(response.headers['content-type'], context).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as { success?: unknown; code?: unknown; message?: unknown };
  codesSeen.set(Number(body.code), (codesSeen.get(Number(body.code)) ?? 0) + 1);
  if (body.success === true) {
    expect(response.statusCode, context).toBe(200);
    successes += 1;
  } else {
    expect(body.success, context).toBe(false);
    expect(Object.keys(ERRORS), context).toContain(String(body.code));
    expect(ERRORS[body.code as keyof typeof ERRORS].http, context).toBe(response.statusCode);
    expect(typeof body.message, context).toBe('string');
    expect(await ledgerSnapshot(), context).toBe(before);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort(), context).toEqual(prototypeNamesBefore);
  expect(({} as Record<string, unknown>)['polluted'], context).toBeUndefined();
  return { response, body };
}

// ---------------------------------------------------------------------------
// Values, as raw JSON text so that NaN, 1e999 and friends can be written.

const hostileScalars = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '1e2',
  '1E+2',
  '1e-7',
  '0.0000001',
  '-0',
  '0',
  '00.5',
  '1000000000.000001',
  '1000000001',
  '99999999999999999999999999999999999999',
  '0.10000000000000000001',
  '123456789012345678901234567890.5',
  'true',
  'false',
  'null',
  '[]',
  '{}',
  '[1]',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '"__proto__"',
  '"constructor"',
  '"toString"',
  '"hasOwnProperty"',
  '"\' OR 1=1 --"',
  '"1; DROP TABLE accounts; --"',
  '"1\' UNION SELECT key_hash FROM accounts --"',
  '"%27%20OR%201%3D1"',
  '"\\u0000"',
  '"\\ud800"',
  '"1\\u0000"',
  '"0x10"',
  '"+1"',
  '" 1"',
  '".5"',
  '"5."',
  '"1,5"',
  '"١٢"',
  '"１"',
  '"1e2"',
  '"Infinity"',
  '"NaN"',
  '"-1"',
  '"-0.000001"',
  '"0.0000001"',
  `"${'9'.repeat(70)}"`,
  `"${'a'.repeat(5000)}"`,
];

const rawScalar: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...hostileScalars),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => JSON.stringify(text)),
  fc.double().map((value) => (Number.isFinite(value) ? JSON.stringify(value) : String(value))),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc
    .tuple(fc.integer({ min: -5, max: 2_000_000_000 }), fc.nat({ max: 9_999_999 }))
    .map(([whole, fraction]) => `${whole}.${fraction}`),
  fc.integer().map((n) => `"${n}"`),
);

const rawValue: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    rawScalar,
    fc.array(tie('value'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(fieldName(), tie('value')), { maxLength: 3 })
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

function fieldName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'apiKey',
      'credit',
      'tokenSubaccount',
      'type',
      'parameters',
      'email',
      'creditToAttribute',
      'isBuyer',
      'title',
      'reason',
      'operations',
      'atomic',
      'direction',
      '__proto__',
      'constructor',
      'prototype',
      'page',
    ),
    fc.string({ maxLength: 12 }),
  );
}

/** A field that is either the real thing (to get past the earlier checks) or something hostile. */
const apiKeyValue = () =>
  fc.oneof(
    fc.constant(JSON.stringify(broke.apiKey)),
    fc.constant(JSON.stringify(advancedSub.apiKey)),
    rawValue,
  );
const tokenValue = () => fc.oneof(fc.constant(JSON.stringify(brokeSub.token)), rawValue);

const jsonObjectBody = fc
  .record(
    {
      apiKey: fc.constant(null).chain(() => apiKeyValue()),
      credit: rawValue,
      tokenSubaccount: fc.constant(null).chain(() => tokenValue()),
      type: fc.oneof(fc.constantFrom('"simple"', '"advanced"'), rawValue),
      parameters: rawValue,
      email: rawValue,
      extra: fc.array(fc.tuple(fieldName(), rawValue), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .map(({ extra, ...fields }) => {
    const members = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${v}`);
    for (const [k, v] of extra ?? []) members.push(`${JSON.stringify(k)}:${v}`);
    return `{${members.join(',')}}`;
  });

const formBody = fc
  .array(
    fc.tuple(
      fc.oneof(
        fieldName(),
        fc.constantFrom(
          '__proto__[polluted]',
          'constructor[prototype][polluted]',
          'parameters[__proto__]',
          'parameters[email]',
          'parameters[creditToAttribute]',
          'a[b][c]',
          'apiKey[]',
        ),
      ),
      fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...hostileScalars)),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

/** Bytes that are not UTF-8 (lone continuation, overlong, surrogate, 0xFF), spliced into a text. */
const invalidUtf8 = fc
  .tuple(
    jsonObjectBody,
    fc.nat(),
    fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0x80], [0xc0, 0xaf]),
  )
  .map(([text, at, bytes]) => {
    const buffer = Buffer.from(text, 'utf8');
    const cut = at % (buffer.length + 1);
    return Buffer.concat([buffer.subarray(0, cut), Buffer.from(bytes), buffer.subarray(cut)]);
  });

const truncated = fc
  .tuple(jsonObjectBody, fc.nat())
  .map(([text, at]) => text.slice(0, at % (text.length + 1)));

/**
 * A request that would be valid but for one field, so the deep checks
 * (amounts, subaccount parameters, operator inputs) see hostile values too.
 */
const nearlyValid = fc
  .tuple(
    fc.constantFrom(
      'apiKey',
      'credit',
      'tokenSubaccount',
      'type',
      'parameters',
      'email',
      'reason',
      'nothing',
    ),
    rawValue,
    fc.constantFrom('email', 'creditToAttribute', 'isBuyer', 'title', 'firstname', '__proto__'),
    fc.boolean(),
  )
  .map(([field, value, parameter, inParameters]) => {
    const parameters: Record<string, string> = { email: '"p@example.com"', creditToAttribute: '"1"' };
    if (inParameters) parameters[parameter] = value;
    const fields: Record<string, string> = {
      apiKey: JSON.stringify(broke.apiKey),
      credit: '"1.5"',
      tokenSubaccount: JSON.stringify(brokeSub.token),
      type: '"simple"',
      parameters: `{${Object.entries(parameters)
        .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
        .join(',')}}`,
      email: '"new-main@example.com"',
      reason: '"fuzz"',
    };
    if (!inParameters) fields[field] = value;
    return `{${Object.entries(fields)
      .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
      .join(',')}}`;
  });

const payload: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: nearlyValid, weight: 4 },
  jsonObjectBody,
  formBody,
  invalidUtf8,
  truncated,
  rawValue,
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('', ' ', '\u0000', '{', '}', '{"a":', '[', 'null', '"x"', '--boundary--\r\n'),
);

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'multipart/form-data; boundary=xyz',
    'text/plain',
    'application/xml',
    'application/octet-stream',
    '*/*',
    'garbage',
    ';;;',
    'APPLICATION/JSON',
  ),
  { nil: undefined },
);

// ---------------------------------------------------------------------------
// Routes: every one the app has, public and operator, plus unknown ones.

interface Target {
  readonly method: InjectOptions['method'];
  readonly url: string;
  readonly admin: boolean;
}

function targets(): Target[] {
  const id = String(adminTargetId);
  const post = (url: string, admin = false): Target => ({ method: 'POST', url, admin });
  const get = (url: string, admin = false): Target => ({ method: 'GET', url, admin });
  return [
    post('/v1/subaccount/credit/add'),
    post('/v1/subaccount/credit/remove'),
    post('/v1/subaccount/create'),
    post('/v1/subaccount/credit/batch'),
    get('/v1/subaccount/list'),
    get('/v1/subaccount/credit/transfers'),
    get('/v1/me'),
    get('/healthz'),
    get('/readyz'),
    get('/admin/v1/accounts', true),
    post('/admin/v1/accounts', true),
    get(`/admin/v1/accounts/${id}`, true),
    post(`/admin/v1/accounts/${id}/topup`, true),
    post(`/admin/v1/accounts/${id}/charge`, true),
    post(`/admin/v1/accounts/${id}/suspend`, true),
    post(`/admin/v1/accounts/${id}/resume`, true),
    post(`/admin/v1/accounts/${id}/rotate-key`, true),
    get('/admin/v1/transfers', true),
    post('/admin/v1/accounts/not-a-number/topup', true),
    get('/nope'),
    post('/v1/subaccount/credit/add/../../admin'),
  ];
}

const queryText = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom('apiKey', 'page', 'search', 'limit', 'cursor', 'since', 'kind', 'tokenSubaccount'),
        fc.constantFrom('apiKey[]', '__proto__[polluted]', 'constructor[prototype][polluted]', 'page[x]'),
      ),
      fc.oneof(
        fc.constant(''),
        fc.constantFrom('-1', '0', '1e3', '99999999999', 'NaN', "' OR 1=1", '%00', '%ff', '1.5'),
        fc.string({ maxLength: 20 }),
      ),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

const method = fc.constantFrom<InjectOptions['method']>(
  'POST',
  'POST',
  'GET',
  'PUT',
  'DELETE',
  'PATCH',
  'HEAD',
  'OPTIONS',
);

describe('hostile input', () => {
  // Each test leaves the app answering and the ledger whole, whatever ran before it.
  afterEach(async () => {
    const health = await fixture.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    const me = await fixture.app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { 'x-api-key': broke.apiKey },
    });
    expect(JSON.parse(me.body)).toMatchObject({ success: true, credits: { balance: '0.000' } });
    expect((await fixture.store.verify()).ok).toBe(true);
  });

  test('random bodies, types, methods and queries on every route', async () => {
    const triedBefore = requestsTried;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, method),
        payload,
        fc.oneof({ arbitrary: fc.constant('application/json'), weight: 4 }, contentType),
        queryText,
        fc.option(fc.constantFrom('en', 'fr', 'x'.repeat(600), ';q=NaN,en;q=1e9'), { nil: undefined }),
        async (index, maybeMethod, body, type, query, language) => {
          const all = targets();
          const target = all[index % all.length]!;
          const headers: Record<string, string> = {};
          if (type !== undefined) headers['content-type'] = type;
          if (language !== undefined) headers['accept-language'] = language;
          if (target.admin) headers['authorization'] = `Bearer ${ADMIN_TOKEN}`;
          const chosen = maybeMethod ?? target.method;
          const withBody = chosen !== 'GET' && chosen !== 'HEAD';
          await send({
            method: chosen ?? 'POST',
            url: query === '' ? target.url : `${target.url}?${query}`,
            headers,
            ...(withBody ? { payload: body } : {}),
          });
        },
      ),
      { numRuns: RUNS },
    );
    expect(requestsTried - triedBefore).toBeGreaterThanOrEqual(RUNS);
  });

  test('deep nesting, huge bodies and odd headers', async () => {
    const deepArray = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const deepField = `{"apiKey":${JSON.stringify(broke.apiKey)},"credit":${'['.repeat(10_000)}${']'.repeat(10_000)},"tokenSubaccount":"x"}`;
    const deepForm = `${'a'}${'[b]'.repeat(10_000)}=1`;
    for (const url of ['/v1/subaccount/credit/add', '/v1/subaccount/create', '/admin/v1/accounts']) {
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` };
      for (const payload of [deepArray, deepObject, deepField]) {
        const { response } = await send({ method: 'POST', url, headers, payload });
        expect([400, 413]).toContain(response.statusCode);
      }
      const form = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
      await send({ method: 'POST', url, headers: form, payload: deepForm });
      const huge = `{"apiKey":"${'k'.repeat(70 * 1024)}"}`;
      const { response, body } = await send({ method: 'POST', url, headers, payload: huge });
      expect(response.statusCode).toBe(413);
      expect(body).toMatchObject({ success: false, code: 413 });
      const hugeMultipart = multipart([['apiKey', 'k'.repeat(70 * 1024)]]);
      const big = await send({
        method: 'POST',
        url,
        headers: { ...headers, ...hugeMultipart.headers },
        payload: hugeMultipart.payload,
      });
      expect(big.response.statusCode).toBe(413);
      const manyParts = multipart(Array.from({ length: 60 }, (_, i) => [`f${i}`, 'x'] as [string, string]));
      const parts = await send({
        method: 'POST',
        url,
        headers: { ...headers, ...manyParts.headers },
        payload: manyParts.payload,
      });
      expect([400, 413]).toContain(parts.response.statusCode);
    }
    const oddHeaders: Record<string, string>[] = [
      { 'x-api-key': 'k'.repeat(8000) },
      { 'x-api-key': broke.apiKey, 'accept-language': 'en;q=' + '9'.repeat(400) },
      { 'x-request-id': 'x'.repeat(5000) },
      { 'x-request-id': '../../etc/passwd' },
      { authorization: 'Bearer ' + 'a'.repeat(8000) },
      { authorization: 'Basic Zm9vOmJhcg==' },
      { authorization: `bearer  ${ADMIN_TOKEN}  ` },
      { 'x-operator': 'x'.repeat(500), authorization: `Bearer ${ADMIN_TOKEN}` },
      { 'content-length': '5' },
      { 'transfer-encoding': 'chunked' },
    ];
    for (const headers of oddHeaders) {
      await send({ method: 'GET', url: '/v1/me', headers });
      await send({
        method: 'POST',
        url: `/admin/v1/accounts/${adminTargetId}/topup`,
        headers,
        payload: '{}',
      });
    }
  });

  test('prototype keys in every encoding reach no prototype', async () => {
    const payloads: [string, string][] = [
      ['application/json', '{"__proto__":{"polluted":1},"apiKey":"x"}'],
      ['application/json', '{"constructor":{"prototype":{"polluted":1}},"apiKey":"x"}'],
      [
        'application/json',
        `{"apiKey":${JSON.stringify(broke.apiKey)},"parameters":{"__proto__":{"email":"a@b.co"}}}`,
      ],
      ['application/x-www-form-urlencoded', '__proto__[polluted]=1&apiKey=x'],
      [
        'application/x-www-form-urlencoded',
        `apiKey=${broke.apiKey}&parameters[__proto__]=1&parameters[email]=p@q.fr`,
      ],
      ['application/x-www-form-urlencoded', 'constructor[prototype]=1&apiKey=x'],
    ];
    for (const url of ['/v1/subaccount/create', '/v1/subaccount/credit/add', '/admin/v1/accounts']) {
      for (const [type, payload] of payloads) {
        await send({
          method: 'POST',
          url,
          headers: { 'content-type': type, authorization: `Bearer ${ADMIN_TOKEN}` },
          payload,
        });
      }
      const parts = multipart([
        ['__proto__[polluted]', '1'],
        ['constructor[prototype][polluted]', '1'],
        ['apiKey', broke.apiKey],
      ]);
      await send({
        method: 'POST',
        url,
        headers: { ...parts.headers, authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: parts.payload,
      });
    }
    await send({ method: 'GET', url: `/v1/subaccount/list?__proto__[polluted]=1&apiKey=${broke.apiKey}` });
  });
});

function multipart(fields: readonly [string, string][]): {
  payload: Buffer;
  headers: Record<string, string>;
} {
  const boundary = 'fuzzboundary7MA4YWxkTrZu0gW';
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
