import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ERRORS, type ErrorCode } from '../../src/domain/errors.js';
import { openApp, openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub, StoreApp } from '../helpers/http-fixture.js';
import { ENCODINGS, encodeBody, type Encoding } from '../helpers/request-encoding.js';
import { storeFactories } from '../helpers/stores.js';
import { readJson, readXml, type ReadValue } from '../helpers/xml-reading.js';

/**
 * `_format=xml` on every /v1 route (contract section 6, docs/http-api.md
 * "XML answers"): the same status and the same values as the JSON answer, in
 * the family's XML; code 22 first, in JSON, for any other value.
 */

const XML_TYPE = 'application/xml; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const HOUR_MS = 3_600_000;

/** The XML answer's values, after checking it is one. */
function xmlOf(response: LightMyRequestResponse): ReadValue[] {
  expect(response.headers['content-type']).toBe(XML_TYPE);
  return readXml(response.body);
}

function jsonOf(response: LightMyRequestResponse): ReadValue[] {
  expect(response.headers['content-type']).toBe(JSON_TYPE);
  return readJson(response.body);
}

/** What an error reads as in XML: `false`, its code, its message. */
function refusal(code: ErrorCode, language: 'fr' | 'en' = 'fr'): ReadValue[] {
  return ['false', String(code), { text: ERRORS[code][language] }];
}

function expectJson22(response: LightMyRequestResponse, language: 'fr' | 'en' = 'fr'): void {
  expect(response.statusCode).toBe(400);
  expect(response.headers['content-type']).toBe(JSON_TYPE);
  expect(response.json()).toEqual({
    success: false,
    code: 22,
    message: ERRORS[22][language],
    param: '_format',
  });
}

async function postEncoded(
  fixture: AppFixture,
  route: string,
  fields: Record<string, string>,
  encoding: Encoding,
): Promise<LightMyRequestResponse> {
  const body = await encodeBody(fields, encoding);
  return fixture.app.inject({
    method: 'POST',
    url: `/v1/subaccount/${route}`,
    payload: body.payload,
    headers: body.headers,
  });
}

/** A body limit of 4 KiB and the abuse limits asked for, over an hour. */
function openSmallApp(limits: { perKeyMax: number; authFailureMax: number }): Promise<AppFixture> {
  return openApp({
    bodyLimitBytes: 4096,
    abuseLimits: { ...limits, perKeyWindowMs: HOUR_MS, authFailureWindowMs: HOUR_MS },
  });
}

describe('every /v1 route, in XML', () => {
  let fixture: AppFixture;
  let main: SeededMain;
  let sub: SeededSub;
  let advanced: SeededSub;
  let transferId: string;

  beforeAll(async () => {
    fixture = await openApp();
    main = await seedMain(fixture.store, 'main@example.com', '100');
    sub = await seedSub(fixture.store, main, 'sub@example.com', '1');
    advanced = await seedSub(fixture.store, main, 'adv@example.com', null, 'advanced');
    const history = await fixture.app.inject({
      url: `/v1/subaccount/credit/transfers?apiKey=${main.apiKey}&limit=1`,
    });
    transferId = history.json<{ data: { id: string }[] }>().data[0]!.id;
  });
  afterAll(() => fixture.remove());

  /** GETs move nothing: the same request in JSON and in XML must give the same status and values. */
  test.each([
    ['me', '/v1/me?apiKey=$main'],
    ['me, no key (1)', '/v1/me'],
    ['me, a subaccount key (4)', '/v1/me?apiKey=$advanced'],
    ['list', '/v1/subaccount/list?apiKey=$main'],
    ['list, wrong key (10)', '/v1/subaccount/list?apiKey=tl_wrong'],
    ['list, bad page (22)', '/v1/subaccount/list?apiKey=$main&page=0'],
    ['history', '/v1/subaccount/credit/transfers?apiKey=$main'],
    ['history, unknown subaccount (7)', '/v1/subaccount/credit/transfers?apiKey=$main&tokenSubaccount=nope'],
    ['one transfer', '/v1/subaccount/credit/transfers/$transfer?apiKey=$main'],
    ['one transfer, not found (27)', '/v1/subaccount/credit/transfers/nope?apiKey=$main'],
    ['an unknown route (404)', '/v1/subaccount/nothing?apiKey=$main'],
  ])('GET %s: same status, same values', async (_name, template) => {
    const url = template
      .replace('$main', main.apiKey)
      .replace('$advanced', advanced.apiKey!)
      .replace('$transfer', transferId);
    const json = await fixture.app.inject({ url });
    const xml = await fixture.app.inject({ url: `${url}${url.includes('?') ? '&' : '?'}_format=xml` });
    expect(xml.statusCode).toBe(json.statusCode);
    expect(xmlOf(xml)).toEqual(jsonOf(json));
  });

  test('the XML bytes of /v1/me are the family’s shape', async () => {
    const response = await fixture.app.inject({ url: `/v1/me?apiKey=${main.apiKey}&_format=xml` });
    expect(response.body).toBe(
      "<?xml version='1.0' encoding='UTF-8'?>\n<result><entry>true</entry><entry>200</entry>" +
        '<entry><entry><![CDATA[main@example.com]]></entry></entry>' +
        '<entry><entry><![CDATA[99.000]]></entry><entry><![CDATA[EUR]]></entry></entry></result>\n',
    );
    expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.body)));
  });

  /** POST refusals move nothing either: compared with JSON too, under every body encoding. */
  test.each(
    ENCODINGS.flatMap((encoding) => [[encoding, 'credit/add'] as const, [encoding, 'create'] as const]),
  )('%s, POST %s refusals: same status, same values', async (encoding, route) => {
    const cases: Record<string, string>[] =
      route === 'credit/add'
        ? [
            { credit: '1', tokenSubaccount: sub.token },
            { apiKey: main.apiKey, tokenSubaccount: sub.token },
            { apiKey: main.apiKey, credit: '1' },
            { apiKey: 'tl_wrong', credit: '1', tokenSubaccount: sub.token },
            { apiKey: main.apiKey, credit: '1e3', tokenSubaccount: sub.token },
            { apiKey: main.apiKey, credit: '1', tokenSubaccount: 'nope' },
            { apiKey: main.apiKey, credit: '1000', tokenSubaccount: sub.token },
          ]
        : [{ apiKey: main.apiKey, type: 'premium' }, { apiKey: '' }];
    for (const fields of cases) {
      const json = await postEncoded(fixture, route, fields, encoding);
      const xml = await postEncoded(fixture, route, { ...fields, _format: 'xml' }, encoding);
      expect(json.statusCode).toBeGreaterThanOrEqual(400);
      expect(xml.statusCode).toBe(json.statusCode);
      expect(xmlOf(xml)).toEqual(jsonOf(json));
    }
  });

  test('credit/add and credit/remove: exact numbers, as in JSON (0.1 + 0.2 = 0.3)', async () => {
    const add = (credit: string) =>
      fixture.app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/add?_format=xml',
        payload: { apiKey: main.apiKey, credit, tokenSubaccount: advanced.token },
      });
    await add('0.1');
    const answer = xmlOf(await add('0.2'));
    expect(answer.slice(0, 5)).toEqual(['true', '200', '98.7', '0.3', { text: 'EUR' }]);
    expect(answer[5]).toEqual({ text: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const removed = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/remove',
      payload: { apiKey: main.apiKey, credit: '0.3', tokenSubaccount: advanced.token, _format: 'xml' },
    });
    expect(removed.statusCode).toBe(200);
    expect(xmlOf(removed).slice(0, 4)).toEqual(['true', '200', '99', '0']);
  });

  test('credit/batch: a result per operation as nested entries, then the balance', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/batch',
      payload: {
        apiKey: main.apiKey,
        _format: 'xml',
        operations: [
          { direction: 'add', tokenSubaccount: sub.token, credit: '0.5' },
          { direction: 'sideways', tokenSubaccount: sub.token, credit: '1' },
        ],
      },
    });
    expect(response.statusCode).toBe(200);
    const [success, code, results, credit] = xmlOf(response) as [string, string, ReadValue[][], string];
    expect([success, code, credit]).toEqual(['true', '200', '98.5']);
    expect(results[0]!.slice(0, 5)).toEqual(['true', '200', '98.5', '1.5', { text: 'EUR' }]);
    expect(results[1]).toEqual(refusal(22));
  });

  test('create: the subaccount block nested, an advanced key included', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/create',
      payload: {
        apiKey: main.apiKey,
        _format: 'xml',
        type: 'advanced',
        parameters: { email: 'new@example.com' },
      },
    });
    expect(response.statusCode).toBe(200);
    const [success, code, subaccount, parent] = xmlOf(response) as [string, string, ReadValue[], ReadValue];
    expect([success, code, parent]).toEqual(['true', '200', { text: 'main@example.com' }]);
    expect(subaccount[0]).toEqual({ text: 'new@example.com' });
    expect(subaccount).toHaveLength(3);
    expect(subaccount[2]).toEqual({ text: expect.stringMatching(/^tl_/) });
  });

  test('a POST to an unknown /v1 route is a 404 in XML, read from its body', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/nothing',
      payload: { _format: 'xml' },
    });
    expect(response.statusCode).toBe(404);
    expect(xmlOf(response)).toEqual(refusal(404));
  });

  test('English messages in XML too', async () => {
    const response = await fixture.app.inject({
      url: '/v1/me?_format=xml',
      headers: { 'accept-language': 'en' },
    });
    expect(xmlOf(response)).toEqual(refusal(1, 'en'));
  });

  test('the CSV history stays CSV; its refusals follow _format', async () => {
    const csv = await fixture.app.inject({
      url: `/v1/subaccount/credit/transfers?apiKey=${main.apiKey}&_format=xml`,
      headers: { accept: 'text/csv' },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.startsWith('id,direction,')).toBe(true);
    const refused = await fixture.app.inject({
      url: '/v1/subaccount/credit/transfers?apiKey=tl_wrong&_format=xml',
      headers: { accept: 'text/csv' },
    });
    expect(refused.statusCode).toBe(401);
    expect(xmlOf(refused)).toEqual(refusal(10));
  });

  test('outside /v1, _format means nothing: the operator API and the probes stay JSON', async () => {
    for (const url of ['/admin/v1/accounts?_format=xml', '/healthz?_format=xml', '/nothing?_format=xml']) {
      const response = await fixture.app.inject({ url });
      expect(response.headers['content-type'], url).toBe(JSON_TYPE);
    }
    expect((await fixture.app.inject({ url: '/healthz?_format=yaml' })).statusCode).toBe(200);
  });
});

describe('where _format travels', () => {
  let fixture: AppFixture;
  let main: SeededMain;
  let sub: SeededSub;

  beforeAll(async () => {
    fixture = await openApp();
    main = await seedMain(fixture.store, 'main@example.com', '100');
    sub = await seedSub(fixture.store, main, 'sub@example.com', null);
  });
  afterAll(() => fixture.remove());

  /**
   * The seed's PHP client posts json_encode($fields) under curl's default
   * form type (json-as-form); PHP's http_build_query is a form, an array
   * given to CURLOPT_POSTFIELDS is multipart; Python posts JSON with no type.
   */
  test.each(ENCODINGS)('in the body, %s', async (encoding: Encoding) => {
    const before = await fixture.store.verify();
    const fields = { apiKey: main.apiKey, credit: '100', tokenSubaccount: sub.token, _format: 'xml' };
    const first = await postEncoded(fixture, 'credit/add', fields, encoding);
    expect(first.statusCode).toBe(200);
    expect(xmlOf(first).slice(0, 5)).toEqual(['true', '200', '0', '100', { text: 'EUR' }]);
    // Back again for the next encoding.
    const second = await postEncoded(fixture, 'credit/remove', fields, encoding);
    expect(xmlOf(second).slice(0, 4)).toEqual(['true', '200', '100', '0']);
    expect((await fixture.store.verify()).transfers).toBe(before.transfers + 2);
  });

  test('in the query string of a POST', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=xml',
      payload: { apiKey: main.apiKey, credit: '0', tokenSubaccount: sub.token },
    });
    expect(response.statusCode).toBe(400);
    expect(xmlOf(response)).toEqual(refusal(5));
  });

  test('the body’s _format wins over the query’s, as the body’s apiKey does', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=xml',
      payload: { _format: 'json' },
    });
    expect(jsonOf(response)).toEqual(refusal(1));
  });

  test('json, empty and absent are JSON', async () => {
    for (const query of ['?_format=json', '?_format=', '']) {
      const response = await fixture.app.inject({ url: `/v1/me${query}` });
      expect(response.statusCode).toBe(400);
      expect(jsonOf(response)).toEqual(refusal(1));
    }
  });
});

describe('code 22: a _format other than json or xml, answered first, in JSON', () => {
  let fixture: AppFixture;
  let main: SeededMain;
  let sub: SeededSub;

  beforeAll(async () => {
    fixture = await openSmallApp({ perKeyMax: 2, authFailureMax: 0 });
    main = await seedMain(fixture.store, 'main@example.com', '100');
    sub = await seedSub(fixture.store, main, 'sub@example.com', null);
  });
  afterAll(() => fixture.remove());

  test.each([
    ['yaml in the query', '?_format=yaml', {}],
    ['upper case', '?_format=XML', {}],
    ['given twice', '?_format=xml&_format=xml', {}],
    ['yaml in the body', '', { _format: 'yaml' }],
    ['a number in a JSON body', '', { _format: 1 }],
    ['an object in a JSON body', '', { _format: { xml: true } }],
  ])('%s: 22 before 26 and 1, nothing moved', async (_name, query, extra) => {
    const before = await fixture.store.verify();
    const response = await fixture.app.inject({
      method: 'POST',
      url: `/v1/subaccount/credit/add${query}`,
      payload: { ...extra },
      headers: { 'idempotency-key': '' },
    });
    expectJson22(response);
    const valid = await fixture.app.inject({
      method: 'POST',
      url: `/v1/subaccount/credit/add${query}`,
      payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token, ...extra },
    });
    expectJson22(valid);
    expect(await fixture.store.verify()).toEqual(before);
  });

  test('on a GET, an unknown route, and in English', async () => {
    expectJson22(await fixture.app.inject({ url: '/v1/subaccount/list?_format=csv' }));
    expectJson22(await fixture.app.inject({ url: '/v1/nothing?_format=yaml' }));
    expectJson22(
      await fixture.app.inject({ url: '/v1/me?_format=yaml', headers: { 'accept-language': 'en' } }),
      'en',
    );
  });

  test('before 413: a body too large with a bad _format in the query', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=yaml',
      payload: { apiKey: main.apiKey, pad: 'x'.repeat(5000) },
    });
    expectJson22(response);
  });

  test('before 429: not counted by the per-key limit, and answered even once it is reached', async () => {
    const me = (query: string) =>
      fixture.app.inject({ url: `/v1/me${query}`, headers: { 'x-api-key': main.apiKey } });
    expectJson22(await me('?_format=yaml'));
    expect((await me('')).statusCode).toBe(200);
    expect((await me('?_format=xml')).statusCode).toBe(200);
    const limited = await me('?_format=xml');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(xmlOf(limited)).toEqual(refusal(429));
    const post = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token, _format: 'xml' },
    });
    expect(post.statusCode).toBe(429);
    expect(xmlOf(post)).toEqual(refusal(429));
    const refused = await me('?_format=yaml');
    expectJson22(refused);
    expect(refused.headers['retry-after']).toBeUndefined();
  });
});

describe('answers decided before the body is read follow the query string', () => {
  let fixture: AppFixture;
  let main: SeededMain;

  beforeAll(async () => {
    fixture = await openSmallApp({ perKeyMax: 0, authFailureMax: 2 });
    main = await seedMain(fixture.store, 'main@example.com', '100');
  });
  afterAll(() => fixture.remove());

  test('413, with _format in the query: XML; in the too large body it cannot be read: JSON', async () => {
    const big = { apiKey: main.apiKey, pad: 'x'.repeat(5000), _format: 'xml' };
    const query = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=xml',
      payload: big,
    });
    expect(query.statusCode).toBe(413);
    expect(xmlOf(query)).toEqual(refusal(413));
    const body = await fixture.app.inject({ method: 'POST', url: '/v1/subaccount/credit/add', payload: big });
    expect(body.statusCode).toBe(413);
    expect(jsonOf(body)).toEqual(refusal(413));
  });

  test('a multipart body too large: 413 in XML from the query', async () => {
    const body = await encodeBody({ apiKey: main.apiKey, pad: 'x'.repeat(5000) }, 'multipart');
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/create?_format=xml',
      payload: body.payload,
      headers: body.headers,
    });
    expect(response.statusCode).toBe(413);
    expect(xmlOf(response)).toEqual(refusal(413));
  });

  test('21, an unreadable body', async () => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add?_format=xml',
      payload: '{"apiKey":',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(xmlOf(response)).toEqual(refusal(21));
  });

  test('the 429 of an address blocked for wrong keys keeps its Retry-After', async () => {
    const address = '10.9.8.7';
    for (let i = 0; i < 2; i += 1) {
      const wrong = await fixture.app.inject({
        url: '/v1/me?_format=xml',
        headers: { 'x-api-key': `tl_guess${i}` },
        remoteAddress: address,
      });
      expect(xmlOf(wrong)).toEqual(refusal(10));
    }
    const blocked = await fixture.app.inject({
      url: `/v1/me?apiKey=${main.apiKey}&_format=xml`,
      remoteAddress: address,
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(xmlOf(blocked)).toEqual(refusal(429));
  });
});

for (const factory of storeFactories) {
  const available = await factory.available();
  if (!available && process.env['CI']) throw new Error(`${factory.name} must be reachable in CI`);

  describe.skipIf(!available)(`idempotent replays keep the first answer's format: ${factory.name}`, () => {
    let fixture: StoreApp;
    let main: SeededMain;
    let sub: SeededSub;

    beforeEach(async () => {
      fixture = await openAppOn(factory);
      main = await seedMain(fixture.store, 'main@example.com', '100');
      sub = await seedSub(fixture.store, main, 'sub@example.com', null);
    });
    afterEach(() => fixture.remove());

    const add = (key: string, query: string, extra: Record<string, string> = {}) =>
      fixture.app.inject({
        method: 'POST',
        url: `/v1/subaccount/credit/add${query}`,
        payload: { apiKey: main.apiKey, credit: '2.5', tokenSubaccount: sub.token, ...extra },
        headers: { 'idempotency-key': key },
      });

    test('a replay of an XML answer is the same XML bytes, wherever _format travels', async () => {
      const first = await add('k1', '?_format=xml');
      expect(first.statusCode).toBe(200);
      expect(first.headers['content-type']).toBe(XML_TYPE);
      const transfers = (await fixture.store.verify()).transfers;
      for (const again of [await add('k1', '?_format=xml'), await add('k1', '', { _format: 'xml' })]) {
        expect(again.statusCode).toBe(200);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.headers['content-type']).toBe(XML_TYPE);
        expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
      }
      expect((await fixture.store.verify()).transfers).toBe(transfers);
    });

    test('the same key asked in the other format is another request: 24, in the format asked', async () => {
      await add('k2', '?_format=xml');
      const asJson = await add('k2', '');
      expect(asJson.statusCode).toBe(409);
      expect(jsonOf(asJson)).toEqual(refusal(24));
      await add('k3', '');
      const asXml = await add('k3', '?_format=xml');
      expect(asXml.statusCode).toBe(409);
      expect(xmlOf(asXml)).toEqual(refusal(24));
    });

    test('_format=json and no _format are the same request', async () => {
      const first = await add('k4', '');
      const again = await add('k4', '?_format=json');
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    });

    test('a recorded refusal replays in XML too, and a batch', async () => {
      const refused = await fixture.app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/remove?_format=xml',
        payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
        headers: { 'idempotency-key': 'k5' },
      });
      expect(xmlOf(refused)).toEqual(refusal(6));
      const again = await fixture.app.inject({
        method: 'POST',
        url: '/v1/subaccount/credit/remove?_format=xml',
        payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
        headers: { 'idempotency-key': 'k5' },
      });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.rawPayload.equals(refused.rawPayload)).toBe(true);
      const batch = () =>
        fixture.app.inject({
          method: 'POST',
          url: '/v1/subaccount/credit/batch?_format=xml',
          payload: {
            apiKey: main.apiKey,
            operations: [{ direction: 'add', tokenSubaccount: sub.token, credit: '0.1' }],
          },
          headers: { 'idempotency-key': 'k6' },
        });
      const firstBatch = await batch();
      const secondBatch = await batch();
      expect(xmlOf(firstBatch).at(-1)).toBe('99.9');
      expect(secondBatch.headers['idempotent-replayed']).toBe('true');
      expect(secondBatch.rawPayload.equals(firstBatch.rawPayload)).toBe(true);
    });
  });
}
