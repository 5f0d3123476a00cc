import { randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { REDIS_URL, redisReachable } from '../helpers/redis.js';
import type { AbuseLimits } from '../../src/http/rate-limit.js';
import { readConfig } from '../../src/config.js';
import { hashApiKey } from '../../src/app/keys.js';
import { openLimitsRedis } from '../../src/http/rate-limit-redis.js';
import { openApp, seedMain } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain } from '../helpers/http-fixture.js';

/** Long windows, so no test straddles a window's end (the memory tests set the clock instead). */
const HOUR_MS = 3_600_000;
const ADMIN_TOKEN = 'limits-admin-token';

/** A fresh address per test, so counts shared through Redis never meet across tests or runs. */
function freshAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Each limit off unless asked for; counted in this process unless `redis` is given. */
function limits(overrides: Partial<AbuseLimits> = {}): AbuseLimits {
  return {
    perKeyMax: 0,
    perKeyWindowMs: HOUR_MS,
    authFailureMax: 0,
    authFailureWindowMs: HOUR_MS,
    ...overrides,
  };
}

async function me(fixture: AppFixture, apiKey: string, remoteAddress: string) {
  const response = await fixture.app.inject({
    method: 'GET',
    url: '/v1/me',
    headers: { 'x-api-key': apiKey },
    remoteAddress,
  });
  return { status: response.statusCode, body: response.json<Record<string, unknown>>(), response };
}

describe('per-key rate limit (memory)', () => {
  let fixture: AppFixture;
  let alice: SeededMain;
  let bob: SeededMain;
  // The limiter reads Date.now(); only the date is set by hand, timers run as usual.
  let now = 1_000_000_000_000;
  const advance = (ms: number) => vi.setSystemTime((now += ms));
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now);
    fixture = await openApp({ abuseLimits: limits({ perKeyMax: 3, perKeyWindowMs: 10_000 }) });
    alice = await seedMain(fixture.store, 'alice@example.com', '1');
    bob = await seedMain(fixture.store, 'bob@example.com', '1');
  });
  afterAll(async () => {
    vi.useRealTimers();
    await fixture.remove();
  });

  test('the request past the limit gets 429 with Retry-After, other keys are untouched', async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i += 1) expect((await me(fixture, alice.apiKey, address)).status).toBe(200);
    const refused = await me(fixture, alice.apiKey, address);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, code: 429 });
    expect(refused.response.headers['retry-after']).toBe('10');
    expect((await me(fixture, bob.apiKey, address)).status).toBe(200);
    // Health probes are never limited.
    for (let i = 0; i < 5; i += 1) {
      const health = await fixture.app.inject({ method: 'GET', url: '/healthz', remoteAddress: address });
      expect(health.statusCode).toBe(200);
    }
  });

  test('the window ends: the key is served again, Retry-After counts down', async () => {
    advance(60_000);
    for (let i = 0; i < 3; i += 1) expect((await me(fixture, bob.apiKey, freshAddress())).status).toBe(200);
    advance(4000);
    const refused = await me(fixture, bob.apiKey, freshAddress());
    expect(refused.response.headers['retry-after']).toBe('6');
    advance(6000);
    expect((await me(fixture, bob.apiKey, freshAddress())).status).toBe(200);
  });

  test('requests without a usable key count per address, in every encoding of the key', async () => {
    const address = freshAddress();
    const noKey = () => fixture.app.inject({ method: 'GET', url: '/v1/me', remoteAddress: address });
    for (let i = 0; i < 3; i += 1) expect((await noKey()).statusCode).toBe(400);
    expect((await noKey()).statusCode).toBe(429);
    // The key in a JSON body is the same key as in the header.
    advance(10_000);
    const add = (key: string) =>
      fixture.app.inject({ method: 'POST', url: '/v1/subaccount/credit/add', payload: { apiKey: key } });
    for (let i = 0; i < 3; i += 1) expect((await add(alice.apiKey)).statusCode).toBe(400);
    expect((await me(fixture, alice.apiKey, freshAddress())).status).toBe(429);
  });
});

describe('wrong-key throttling (memory)', () => {
  let fixture: AppFixture;
  let alice: SeededMain;
  beforeAll(async () => {
    fixture = await openApp({
      adminToken: ADMIN_TOKEN,
      abuseLimits: limits({ authFailureMax: 5 }),
    });
    alice = await seedMain(fixture.store, 'alice@example.com', '1');
  });
  afterAll(() => fixture.remove());

  test('after 5 wrong keys from an address, it gets 429 even with a valid key; other addresses do not', async () => {
    const attacker = freshAddress();
    for (let i = 0; i < 5; i += 1) {
      const wrong = await me(fixture, `tl_guess${i}`, attacker);
      expect(wrong.body).toMatchObject({ code: 10 });
    }
    const blocked = await me(fixture, alice.apiKey, attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.response.headers['retry-after'])).toBeGreaterThan(0);
    expect((await me(fixture, alice.apiKey, freshAddress())).status).toBe(200);
  });

  test('wrong operator tokens count the same', async () => {
    const attacker = freshAddress();
    const admin = (token: string) =>
      fixture.app.inject({
        method: 'GET',
        url: '/admin/v1/accounts',
        headers: { authorization: `Bearer ${token}` },
        remoteAddress: attacker,
      });
    for (let i = 0; i < 5; i += 1) expect((await admin(`guess-${i}`)).json()).toMatchObject({ code: 29 });
    expect((await admin(ADMIN_TOKEN)).statusCode).toBe(429);
  });

  test('valid requests never count towards the throttle', async () => {
    const address = freshAddress();
    for (let i = 0; i < 50; i += 1) expect((await me(fixture, alice.apiKey, address)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await me(fixture, 'tl_wrong', address)).status).toBe(401);
    expect((await me(fixture, alice.apiKey, address)).status).toBe(200);
  });
});

async function untilReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after 10 s: ${redis.status}`)), 10_000);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('limits shared through Redis', async () => {
  const reachable = await redisReachable();
  const skipUnlessCi = reachable || process.env['CI'] !== undefined ? test : test.skip;
  let first: AppFixture;
  let second: AppFixture;
  let alice: SeededMain;
  const firstRedis = openLimitsRedis(REDIS_URL);
  const secondRedis = openLimitsRedis(REDIS_URL);
  beforeAll(async () => {
    if (!reachable && process.env['CI'] === undefined) return;
    // The limits' clients never queue a command (a command before the connection is up is
    // counted in the process instead): on a loaded machine the first requests could come
    // before either client is ready, and the counts would not be shared yet.
    await Promise.all([firstRedis, secondRedis].map(untilReady));
    // Two apps with their own Redis clients stand for two server processes.
    const shared = { perKeyMax: 4, authFailureMax: 3 };
    first = await openApp({ abuseLimits: limits({ ...shared, redis: firstRedis }) });
    second = await openApp({ abuseLimits: limits({ ...shared, redis: secondRedis }) });
    alice = await seedMain(first.store, 'alice@example.com', '1');
    await seedMain(second.store, 'alice2@example.com', '1');
  });
  afterAll(async () => {
    await first?.remove();
    await second?.remove();
    firstRedis.disconnect();
    secondRedis.disconnect();
  });

  skipUnlessCi('the per-key count is one count across processes', async () => {
    const address = freshAddress();
    // alice's key exists in the first store only: the second answers 10 but counts the same key.
    for (let i = 0; i < 2; i += 1) expect((await me(first, alice.apiKey, address)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await me(second, alice.apiKey, freshAddress())).status).toBe(401);
    const refused = await me(first, alice.apiKey, freshAddress());
    expect(refused.status).toBe(429);
  });

  skipUnlessCi('wrong keys counted in one process block the address in the other', async () => {
    const attacker = freshAddress();
    const victim = await seedMain(second.store, `v-${randomInt(1e9)}@example.com`, '1');
    // Guesses unique to this run: Redis keeps per-key counts for the window (an hour) across runs.
    const run = randomInt(1e12);
    for (let i = 0; i < 3; i += 1)
      expect((await me(first, `tl_guess${run}-${i}`, attacker)).status).toBe(401);
    // The second process learns of the address at its first wrong key there.
    expect((await me(second, `tl_guess${run}-again`, attacker)).status).toBe(401);
    expect((await me(second, victim.apiKey, attacker)).status).toBe(429);
  });

  skipUnlessCi('Redis holds no API key and no stored key hash', async () => {
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys('tirelire:throttle:*');
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).not.toContain(alice.apiKey);
        expect(key).not.toContain(hashApiKey(alice.apiKey));
        expect(key).not.toContain(alice.apiKey.slice(3, 20));
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('Redis down: fail open to the per-process limit', () => {
  test('requests are served at once and the limit still holds in this process', async () => {
    // Nothing listens on port 1: every command fails at once (no offline queue).
    const redis = openLimitsRedis('redis://127.0.0.1:1');
    const fixture = await openApp({ abuseLimits: limits({ perKeyMax: 3, redis }) });
    try {
      const alice = await seedMain(fixture.store, 'alice@example.com', '1');
      const started = performance.now();
      for (let i = 0; i < 3; i += 1)
        expect((await me(fixture, alice.apiKey, freshAddress())).status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2000);
      expect((await me(fixture, alice.apiKey, freshAddress())).status).toBe(429);
    } finally {
      await fixture.remove();
      redis.disconnect();
    }
  });
});

describe('configuration', () => {
  const abuseLimits = (env: Record<string, string>) => readConfig(env).abuseLimits;
  test('defaults, overrides, 0 turns a limit off, nonsense is refused', () => {
    expect(abuseLimits({})).toMatchObject({ perKeyMax: 10_000, perKeyWindowMs: 1000 });
    expect(abuseLimits({ RATE_LIMIT_MAX: '0', AUTH_FAILURE_MAX: '0' })).toMatchObject({
      perKeyMax: 0,
      authFailureMax: 0,
    });
    expect(abuseLimits({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' })).toMatchObject({
      perKeyMax: 5,
      perKeyWindowMs: 60_000,
    });
    expect(() => abuseLimits({ RATE_LIMIT_MAX: '-1' })).toThrow(/RATE_LIMIT_MAX/);
    expect(() => abuseLimits({ RATE_LIMIT_WINDOW_MS: '0' })).toThrow(/RATE_LIMIT_WINDOW_MS/);
  });
});
