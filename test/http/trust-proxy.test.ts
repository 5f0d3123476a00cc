import { afterEach, describe, expect, test } from 'vitest';
import { readConfig } from '../../src/config.js';
import { openApp, seedMain, type AppFixture } from '../helpers/http-fixture.js';

/** The reverse proxy every request comes through (deploy/), and two clients behind it. */
const PROXY = '127.0.0.1';
const ALICE_ADDRESS = '203.0.113.1';
const BOB_ADDRESS = '203.0.113.2';

let fixture: AppFixture | undefined;
afterEach(async () => {
  await fixture?.remove();
  fixture = undefined;
});

/** Wrong-key throttling after 2 wrong keys per client address. */
async function throttledApp(trustProxy: string | boolean) {
  fixture = await openApp({
    trustProxy,
    abuseLimits: { perKeyMax: 0, perKeyWindowMs: 60_000, authFailureMax: 2, authFailureWindowMs: 3_600_000 },
  });
  const main = await seedMain(fixture.store, 'proxied@example.com', '1');
  const app = fixture.app;
  const me = (apiKey: string, forwardedFor: string, remoteAddress = PROXY) =>
    app.inject({
      method: 'GET',
      url: '/v1/me',
      headers: { 'x-api-key': apiKey, 'x-forwarded-for': forwardedFor },
      remoteAddress,
    });
  const guessTwice = async (forwardedFor: string, remoteAddress = PROXY) => {
    for (const guess of ['tl_guess1', 'tl_guess2']) {
      expect((await me(guess, forwardedFor, remoteAddress)).json()).toMatchObject({ code: 10 });
    }
  };
  return { me, guessTwice, apiKey: main.apiKey };
}

describe('TIRELIRE_TRUST_PROXY: throttling sees the client behind the proxy', () => {
  test("trusted: one client's wrong keys block that client, not the others behind the same proxy", async () => {
    const { me, guessTwice, apiKey } = await throttledApp(PROXY);
    await guessTwice(ALICE_ADDRESS);
    expect((await me(apiKey, ALICE_ADDRESS)).statusCode).toBe(429);
    expect((await me(apiKey, BOB_ADDRESS)).statusCode).toBe(200);
  });

  test('a header from an address that is not the proxy is not believed: no one escapes by forging it', async () => {
    const { me, guessTwice, apiKey } = await throttledApp(PROXY);
    const direct = '198.51.100.7';
    await guessTwice(ALICE_ADDRESS, direct);
    expect((await me(apiKey, BOB_ADDRESS, direct)).statusCode).toBe(429);
    expect((await me(apiKey, ALICE_ADDRESS)).statusCode).toBe(200);
  });

  test("untrusted (the default): every client behind the proxy is the proxy's address", async () => {
    const { me, guessTwice, apiKey } = await throttledApp(false);
    await guessTwice(ALICE_ADDRESS);
    expect((await me(apiKey, BOB_ADDRESS)).statusCode).toBe(429);
  });

  test.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['true', true],
    ['1', true],
    ['127.0.0.1', '127.0.0.1'],
    ['loopback, 10.0.0.0/8,::1', 'loopback,10.0.0.0/8,::1'],
  ])('reads TIRELIRE_TRUST_PROXY=%j as %j', (value, expected) => {
    expect(readConfig({ TIRELIRE_TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  test.each(['yes', '10.0.0.0/99', 'proxy.example'])('refuses TIRELIRE_TRUST_PROXY=%j at start', (value) => {
    expect(() => readConfig({ TIRELIRE_TRUST_PROXY: value })).toThrow(/TIRELIRE_TRUST_PROXY/);
  });

  test('PG_SILENT_AFTER_MS: 1 s by default, at least 1', () => {
    expect(readConfig({}).pgSilentAfterMs).toBe(1_000);
    expect(readConfig({ PG_SILENT_AFTER_MS: '1500' }).pgSilentAfterMs).toBe(1_500);
    expect(() => readConfig({ PG_SILENT_AFTER_MS: '0' })).toThrow(/PG_SILENT_AFTER_MS/);
  });
});
