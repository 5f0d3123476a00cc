import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TirelireAdminClient, TirelireClient, TirelireNetworkError } from 'tirelire-client';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

const FAST = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };
const OK_BODY =
  '{"success":true,"code":200,"credit":2869.2,"subaccountCredit":61.8,"currency":"EUR","transferId":"t"}';

/** A fetch that plays the given steps in order and records what each request carried. */
function scriptedFetch(steps: (() => Response)[]) {
  const seen: { url: string; headers: Headers; body: string | null }[] = [];
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    seen.push({
      url: String(url),
      headers: new Headers(init?.headers),
      body: (init?.body as string) ?? null,
    });
    const step = steps[seen.length - 1];
    if (step === undefined) throw new Error('no more steps');
    return step();
  };
  return { fetch: fetch as typeof globalThis.fetch, seen };
}

const networkError = () => {
  throw new TypeError('fetch failed');
};
const answer = (status: number, body: string) => () =>
  new Response(body, { status, headers: { 'content-type': 'application/json' } });

describe('retries at the fetch level', () => {
  test('network error then 503 then 200: three attempts, one Idempotency-Key, exact money', async () => {
    const script = scriptedFetch([
      networkError,
      answer(503, '{"success":false,"code":503,"message":"x"}'),
      answer(200, OK_BODY),
    ]);
    const client = new TirelireClient({
      baseUrl: 'http://tirelire.test/',
      apiKey: 'k',
      fetch: script.fetch,
      retry: FAST,
    });
    const result = await client.addCredit({ tokenSubaccount: 'tok', credit: '0.1' });
    expect(result).toMatchObject({ ok: true, credit: '2869.2', subaccountCredit: '61.8', attempts: 3 });
    const keys = script.seen.map((request) => request.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(script.seen[0]).toMatchObject({ url: 'http://tirelire.test/v1/subaccount/credit/add' });
    expect(JSON.parse(script.seen[0]!.body!)).toEqual({ tokenSubaccount: 'tok', credit: '0.1' });
    expect(script.seen[0]!.headers.get('x-api-key')).toBe('k');
  });

  test('two logical calls get two keys', async () => {
    const script = scriptedFetch([answer(200, OK_BODY), answer(200, OK_BODY)]);
    const client = new TirelireClient({ baseUrl: 'http://t', apiKey: 'k', fetch: script.fetch, retry: FAST });
    await client.addCredit({ tokenSubaccount: 'a', credit: '1' });
    await client.addCredit({ tokenSubaccount: 'a', credit: '1' });
    const [first, second] = script.seen.map((request) => request.headers.get('idempotency-key'));
    expect(first).not.toBe(second);
  });

  test('a 4xx is an answer, never retried', async () => {
    const script = scriptedFetch([answer(422, '{"success":false,"code":8,"message":"Crédit insufisant"}')]);
    const client = new TirelireClient({ baseUrl: 'http://t', apiKey: 'k', fetch: script.fetch, retry: FAST });
    const result = await client.addCredit({ tokenSubaccount: 'a', credit: '1' });
    expect(result).toMatchObject({
      ok: false,
      code: 8,
      status: 422,
      message: 'Crédit insufisant',
      attempts: 1,
    });
    expect(script.seen).toHaveLength(1);
  });

  test('bounded: a persistent 500 is returned after 1 + retries attempts; GETs carry no key', async () => {
    const fault = answer(500, '{"success":false,"code":500,"message":"Erreur interne"}');
    const script = scriptedFetch([fault, fault, fault, fault, fault]);
    const client = new TirelireClient({ baseUrl: 'http://t', apiKey: 'k', fetch: script.fetch, retry: FAST });
    expect(await client.me()).toMatchObject({ ok: false, code: 500, attempts: 4 });
    expect(script.seen).toHaveLength(4);
    expect(script.seen.every((request) => !request.headers.has('idempotency-key'))).toBe(true);
  });

  test('a persistent network error rejects with TirelireNetworkError after the retries', async () => {
    const script = scriptedFetch([networkError, networkError, networkError]);
    const admin = new TirelireAdminClient({
      baseUrl: 'http://t',
      token: 'op',
      fetch: script.fetch,
      retry: { ...FAST, retries: 2 },
    });
    const error = await admin.suspend(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TirelireNetworkError);
    expect((error as TirelireNetworkError).attempts).toBe(3);
    expect(script.seen.map((request) => request.headers.get('authorization'))).toEqual(
      Array(3).fill('Bearer op'),
    );
  });

  test('a keyed money move (top-up, batch) is retried with its one key; rotate-key is sent once', async () => {
    const fault = answer(503, '{"success":false,"code":503,"message":"x"}');
    const script = scriptedFetch([networkError, fault, networkError, networkError]);
    const admin = new TirelireAdminClient({
      baseUrl: 'http://t',
      token: 'op',
      fetch: script.fetch,
      retry: { ...FAST, retries: 2 },
    });
    await expect(admin.topUp(1, { credit: '1' })).rejects.toBeInstanceOf(TirelireNetworkError);
    expect(script.seen).toHaveLength(3);
    const keys = new Set(script.seen.map((request) => request.headers.get('idempotency-key')));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    // A repeated rotate-key would issue a second key: never retried.
    await expect(admin.rotateKey(1)).rejects.toBeInstanceOf(TirelireNetworkError);
    expect(script.seen).toHaveLength(4);
  });

  test('calls fetch as a plain function, as a browser fetch requires', async () => {
    // A browser's fetch called as a method of another object throws "Illegal invocation".
    const script = scriptedFetch([answer(200, OK_BODY)]);
    function browserLikeFetch(this: unknown, url: string | URL | Request, init?: RequestInit) {
      if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
      return script.fetch(url, init);
    }
    const client = new TirelireClient({
      baseUrl: 'http://tirelire.test',
      apiKey: 'k',
      fetch: browserLikeFetch,
    });
    expect(await client.addCredit({ tokenSubaccount: 'tok', credit: '1' })).toMatchObject({ ok: true });
  });

  test('backoff grows exponentially under its ceiling, with jitter', () => {
    const client = new TirelireClient({
      baseUrl: 'http://t',
      apiKey: 'k',
      retry: { baseDelayMs: 100, maxDelayMs: 1000 },
    });
    const transport = (client as unknown as { transport: { backoffMs(attempt: number): number } }).transport;
    const samples = (attempt: number) => Array.from({ length: 200 }, () => transport.backoffMs(attempt));
    expect(Math.max(...samples(1))).toBeLessThanOrEqual(100);
    expect(Math.max(...samples(3))).toBeLessThanOrEqual(400);
    expect(Math.max(...samples(3))).toBeGreaterThan(100);
    expect(Math.max(...samples(10))).toBeLessThanOrEqual(1000);
    expect(new Set(samples(5)).size).toBeGreaterThan(100);
  });
});

/**
 * A real server behind a proxy that loses the first answer: the request
 * reached the server and moved money, the client saw the connection drop.
 * The retry carries the same key, so the server replays instead of moving
 * money a second time.
 */
describe('a lost answer against the real server', () => {
  let server: ServerProcess;
  let proxy: Server;
  let proxyUrl: string;
  let dir: string;
  const keysSeen: (string | undefined)[] = [];
  let dropNextAnswer = false;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tirelire-sdk-retry-'));
    server = await startServerProcess({
      databaseUrl: join(dir, 'tirelire.db'),
      env: { TIRELIRE_ADMIN_TOKEN: 'retry-token' },
    });
    proxy = createServer((request, response) => {
      void relay(request).then(({ status, headers, body }) => {
        if (request.method === 'POST')
          keysSeen.push(request.headers['idempotency-key'] as string | undefined);
        if (dropNextAnswer) {
          dropNextAnswer = false;
          request.socket.destroy();
          return;
        }
        response.writeHead(status, headers).end(body);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function relay(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        ([name]) => !['host', 'connection', 'content-length'].includes(name),
      ),
    ) as Record<string, string>;
    const upstream = await fetch(`${server.url}${request.url}`, {
      method: request.method!,
      headers,
      ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
    });
    const replayed = upstream.headers.get('idempotent-replayed');
    return {
      status: upstream.status,
      headers: {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
        ...(replayed === null ? {} : { 'idempotent-replayed': replayed }),
      },
      body: await upstream.text(),
    };
  }

  test('the SDK retries with the same key and the money moves once', async () => {
    const admin = new TirelireAdminClient({ baseUrl: proxyUrl, token: 'retry-token', retry: FAST });
    const created = await admin.createAccount({ email: 'lost@example.com', credit: '10' });
    if (!created.ok) expect.fail(JSON.stringify(created));
    const client = new TirelireClient({ baseUrl: proxyUrl, apiKey: created.apiKey, retry: FAST });
    const sub = await client.createSubaccount();
    if (!sub.ok) expect.fail(JSON.stringify(sub));

    keysSeen.length = 0;
    dropNextAnswer = true;
    const added = await client.addCredit({ tokenSubaccount: sub.subaccount.token, credit: '2.5' });
    expect(added).toMatchObject({
      ok: true,
      attempts: 2,
      replayed: true,
      credit: '7.5',
      subaccountCredit: '2.5',
    });
    expect(keysSeen).toHaveLength(2);
    expect(keysSeen[0]).toBeDefined();
    expect(keysSeen[1]).toBe(keysSeen[0]);
    const me = await client.me();
    expect(me).toMatchObject({ ok: true, credits: { balance: '7.500' } });
    const history = await client.listTransfers({ tokenSubaccount: sub.subaccount.token });
    expect(history).toMatchObject({
      ok: true,
      data: [{ direction: 'add', amount: '2.5', idempotencyKey: keysSeen[0] }],
    });
  });
});
