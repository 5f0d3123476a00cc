import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { bearerToken } from '../../src/http/admin/auth.js';
import { openApp, type AppFixture } from '../helpers/http-fixture.js';
import { ADMIN_TOKEN, adminClient, ledgerSnapshot } from '../helpers/admin.js';

let fixture: AppFixture | undefined;
afterEach(async () => {
  await fixture?.remove();
  fixture = undefined;
});

const ROUTES: [string, string][] = [
  ['GET', '/accounts'],
  ['POST', '/accounts'],
  ['GET', '/accounts/1'],
  ['POST', '/accounts/1/topup'],
  ['POST', '/accounts/1/charge'],
  ['POST', '/accounts/1/suspend'],
  ['POST', '/accounts/1/resume'],
  ['POST', '/accounts/1/rotate-key'],
  ['GET', '/transfers'],
];

async function callEveryRoute(app: AppFixture, authorization: string | undefined) {
  const answers: { route: string; status: number; code: unknown }[] = [];
  for (const [method, path] of ROUTES) {
    const response = await app.app.inject({
      method: method as 'GET',
      url: `/admin/v1${path}`,
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      ...(method === 'POST' ? { payload: '{"email":"x@example.com","credit":"5"}' } : {}),
    });
    answers.push({ route: `${method} ${path}`, status: response.statusCode, code: response.json().code });
  }
  return answers;
}

const refusedEverywhere = ROUTES.map(([method, path]) => ({
  route: `${method} ${path}`,
  status: 401,
  code: 29,
}));

describe('operator token', () => {
  it.each([
    ['missing', undefined],
    ['wrong', 'Bearer not-the-token'],
    ['a prefix of the right one', `Bearer ${ADMIN_TOKEN.slice(0, -1)}`],
    ['the right one plus more', `Bearer ${ADMIN_TOKEN}x`],
    ['not a bearer scheme', `Basic ${ADMIN_TOKEN}`],
    ['empty bearer', 'Bearer '],
  ])('%s: every route answers 401 code 29 and nothing changes', async (_name, authorization) => {
    fixture = await openApp({ adminToken: ADMIN_TOKEN });
    const before = await ledgerSnapshot(fixture);
    expect(await callEveryRoute(fixture, authorization)).toEqual(refusedEverywhere);
    expect(await ledgerSnapshot(fixture)).toEqual(before);
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])(
    'the API is off when TIRELIRE_ADMIN_TOKEN is %s, whatever the request sends',
    async (_name, adminToken) => {
      fixture = await openApp({ adminToken });
      expect(await callEveryRoute(fixture, `Bearer ${adminToken ?? 'anything'}`)).toEqual(refusedEverywhere);
      expect(await callEveryRoute(fixture, 'Bearer ')).toEqual(refusedEverywhere);
      expect((await ledgerSnapshot(fixture)).accounts).toBe(1); // the funding account only
    },
  );

  it('accepts the right token with any case of the scheme, and answers in English when asked', async () => {
    fixture = await openApp({ adminToken: ADMIN_TOKEN });
    const ok = await fixture.app.inject({
      url: '/admin/v1/accounts',
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(ok.statusCode).toBe(200);
    const refused = await fixture.app.inject({
      url: '/admin/v1/accounts',
      headers: { authorization: 'Bearer nope', 'accept-language': 'en' },
    });
    expect(refused.json()).toEqual({
      success: false,
      code: 29,
      message: 'Operator token missing or invalid',
    });
    const french = await fixture.app.inject({ url: '/admin/v1/accounts' });
    expect(french.json().message).toBe('Jeton opérateur absent ou invalide');
  });

  it('never writes the token or a new API key to the log', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    fixture = await openApp({ adminToken: ADMIN_TOKEN, logger: { level: 'trace', destination } });
    const client = adminClient(fixture);
    const created = await client.post('/accounts', { email: 'logged@example.com', credit: '1' });
    const apiKey = created.json().apiKey as string;
    await client.get('/accounts', { authorization: 'Bearer wrong-token-value' });
    const log = lines.join('');
    expect(log).toContain('operator action');
    expect(log).toContain('"operator":"alice"');
    expect(log).not.toContain(ADMIN_TOKEN);
    expect(log).not.toContain('wrong-token-value');
    expect(log).not.toContain(apiKey);
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['Bearer  abc ', 'abc'],
    ['Bearer a b', null],
    ['Bearerabc', null],
    ['Token abc', null],
    ['', null],
  ])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
