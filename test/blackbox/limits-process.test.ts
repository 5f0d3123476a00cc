import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS_URL, redisReachable } from '../helpers/redis.js';
import { startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

/**
 * Abuse limits against the real server process: slow clients are cut off,
 * broken HTTP gets JSON, the process stays up; rate limits are shared by
 * processes through Redis and fail open when Redis is down.
 */

const ADMIN_TOKEN = 'process-admin-token';
const dirs: string[] = [];

function freshDatabase(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-limits-'));
  dirs.push(dir);
  return join(dir, 'tirelire.db');
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface RawAnswer {
  readonly text: string;
  readonly elapsedMs: number;
}

/**
 * Opens a socket, writes `first`, then `drip` every 100 ms (bounded to 100
 * drips), and resolves with all the server wrote once it closes the socket.
 */
function rawExchange(url: string, first: string, drip: string | null): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let drips = 0;
    const timer =
      drip === null
        ? undefined
        : setInterval(() => {
            drips += 1;
            if (drips > 100) socket.destroy(new Error('the server never cut the slow client off'));
            else if (socket.writable) socket.write(drip);
          }, 100);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text: Buffer.concat(chunks).toString('utf8'), elapsedMs: performance.now() - started });
    });
    if (first !== '') socket.write(first);
  });
}

function jsonOf(raw: RawAnswer): { status: number; body: Record<string, unknown> } {
  const [head = '', body = ''] = raw.text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  expect(head).toMatch(/content-type: application\/json/i);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

async function createMain(url: string): Promise<{ apiKey: string; id: number; email: string }> {
  const email = `m-${randomUUID()}@example.com`;
  const response = await fetch(`${url}/admin/v1/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, credit: '10' }),
  });
  const body = (await response.json()) as { apiKey: string; account: { id: number } };
  expect(response.status).toBe(200);
  return { apiKey: body.apiKey, id: body.account.id, email };
}

describe('slow and broken clients', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({
      databaseUrl: freshDatabase(),
      env: { REQUEST_TIMEOUT_MS: '1000', TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN },
    });
  });
  afterAll(() => server.stop());

  test('slow-loris clients get 408 in JSON within the timeout while others are served', async () => {
    const slow = [
      rawExchange(server.url, '', null),
      rawExchange(server.url, 'GET /v1/me HTTP/1.1\r\nHost: x\r\n', 'X-Slow: 1\r\n'),
      rawExchange(
        server.url,
        'POST /v1/subaccount/credit/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
        ' ',
      ),
    ];
    // A normal request is served while the slow ones hang on.
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    for (const answer of await Promise.all(slow)) {
      const { status, body } = jsonOf(answer);
      expect(status).toBe(408);
      expect(body).toMatchObject({ success: false, code: 408 });
      expect(answer.elapsedMs).toBeGreaterThanOrEqual(900);
      expect(answer.elapsedMs).toBeLessThan(5000);
    }
  });

  test('huge headers get 431 and garbage gets 400, in JSON; the process stays up', async () => {
    const huge = await rawExchange(
      server.url,
      `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Api-Key: ${'k'.repeat(64 * 1024)}\r\n\r\n`,
      null,
    );
    expect(jsonOf(huge).status).toBe(431);
    for (const garbage of [
      '\u0000\u0001\u0002\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'POST /v1/me HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
    ]) {
      const answer = await rawExchange(server.url, garbage, null);
      expect(jsonOf(answer).body).toMatchObject({ success: false, code: 21 });
    }
    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});

describe('rate limits across processes', async () => {
  const reachable = (await redisReachable()) || process.env['CI'] !== undefined;
  test.runIf(reachable)(
    'two processes on one SQLite file share one per-key count through Redis',
    async () => {
      const databaseUrl = freshDatabase();
      // A long window, so the test never straddles a window's end, and one of
      // its own: Redis keeps counts across runs, and the window's length is part
      // of their keys (the operator calls below count against 127.0.0.1).
      const env = {
        REDIS_URL,
        RATE_LIMIT_MAX: '6',
        RATE_LIMIT_WINDOW_MS: String(3_600_000 + randomInt(1, 1_000_000)),
        TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN,
      };
      const first = await startServerProcess({ databaseUrl, env });
      const second = await startServerProcess({ databaseUrl, env });
      try {
        const main = await createMain(first.url);
        const me = (url: string) => fetch(`${url}/v1/me`, { headers: { 'x-api-key': main.apiKey } });
        const statuses: number[] = [];
        for (let i = 0; i < 4; i += 1)
          statuses.push((await me(first.url)).status, (await me(second.url)).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
        const refused = await me(first.url);
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
        // The log never carries the key (read once both have exited and flushed their lines).
        await Promise.all([first.stop(), second.stop()]);
        expect(first.output() + second.output()).toContain('request completed');
        expect(first.output() + second.output()).not.toContain(main.apiKey);
      } finally {
        await first.stop();
        await second.stop();
      }
    },
  );

  test('with REDIS_URL unreachable the server starts and serves (fail open, per-process limit)', async () => {
    const server = await startServerProcess({
      databaseUrl: freshDatabase(),
      env: {
        REDIS_URL: 'redis://127.0.0.1:1',
        RATE_LIMIT_MAX: '3',
        RATE_LIMIT_WINDOW_MS: '3600000',
        TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    });
    try {
      const main = await createMain(server.url);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': main.apiKey } })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      // Log lines go out buffered, at most 100 ms after they are logged (src/http/logging.ts).
      await expect.poll(() => server.output(), { timeout: 2000 }).toContain('redis unreachable');
    } finally {
      await server.stop();
    }
  });
});
