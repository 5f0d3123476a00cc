import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { ERRORS } from '../../src/domain/errors.js';
import { TirelireClient } from 'tirelire-client';
import { ADMIN_TOKEN } from '../helpers/admin.js';
import { openApp, seedMain, type AppFixture, type SeededMain } from '../helpers/http-fixture.js';

let fixture: AppFixture;
let main: SeededMain;
beforeAll(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  main = await seedMain(fixture.store, 'param@example.com', '10');
});
afterAll(() => fixture.remove());

const refusal22 = (param: string) =>
  `{"success":false,"code":22,"message":${JSON.stringify(ERRORS[22].fr)},"param":${JSON.stringify(param)}}`;

describe('code 22 names its parameter (param, after message)', () => {
  const publicRows: readonly (readonly [string, string])[] = [
    ['/v1/subaccount/list?apiKey=$key&page=0', 'page'],
    ['/v1/events?apiKey=$key&after=x', 'after'],
    ['/v1/events?apiKey=$key&limit=0', 'limit'],
    ['/v1/events?apiKey=$key&types=nope', 'types'],
    ['/v1/subaccount/credit/transfers?apiKey=$key&since=2026-02-30', 'since'],
    ['/v1/subaccount/credit/transfers?apiKey=$key&cursor=zz', 'cursor'],
    ['/v1/me?apiKey=$key&_format=yaml', '_format'],
  ];

  test.each(publicRows)('GET %s → param %s, the exact bytes', async (url, param) => {
    const response = await fixture.app.inject({ method: 'GET', url: url.replace('$key', main.apiKey) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toBe(refusal22(param));
  });

  test('the XML answer carries it as its last entry', async () => {
    const url = `/v1/subaccount/list?apiKey=${main.apiKey}&page=0&_format=xml`;
    const response = await fixture.app.inject({ method: 'GET', url });
    expect(response.headers['content-type']).toMatch(/^application\/xml/);
    expect(response.body).toContain(
      `<entry>false</entry><entry>22</entry><entry><![CDATA[${ERRORS[22].fr}]]></entry><entry><![CDATA[page]]></entry></result>`,
    );
  });

  test('operator routes: a query parameter and the X-Operator header', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'accept-language': 'en' };
    const since = await fixture.app.inject({
      method: 'GET',
      url: '/admin/v1/transfers?until=yesterday',
      headers: auth,
    });
    expect(since.json()).toEqual({ success: false, code: 22, message: ERRORS[22].en, param: 'until' });
    const operator = await fixture.app.inject({
      method: 'POST',
      url: `/admin/v1/accounts/${main.accountId}/topup`,
      headers: { ...auth, 'x-operator': '\u00e9lodie' },
      payload: { credit: '1' },
    });
    expect(operator.json()).toEqual({
      success: false,
      code: 22,
      message: ERRORS[22].en,
      param: 'X-Operator',
    });
  });

  test('other codes carry no param', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/v1/me?apiKey=tl_wrong' });
    expect(Object.keys(response.json() as object)).toEqual(['success', 'code', 'message']);
  });

  test('the SDK hands it over', async () => {
    const client = new TirelireClient({
      baseUrl: 'http://tirelire.test',
      apiKey: main.apiKey,
      fetch: async (input, init) => {
        const url = new URL(String(input));
        const response = await fixture.app.inject({
          method: 'GET',
          url: `${url.pathname}${url.search}`,
          headers: init?.headers as Record<string, string>,
        });
        return new Response(response.body, {
          status: response.statusCode,
          headers: response.headers as Record<string, string>,
        });
      },
    });
    const page = await client.listEvents({ after: 0, limit: 5000 });
    expect(page.ok).toBe(false);
    if (!page.ok) expect(page).toMatchObject({ code: 22, param: 'limit' });
  });
});
