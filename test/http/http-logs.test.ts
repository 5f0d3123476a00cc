import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';
import { encodeBody } from '../helpers/request-encoding.js';

/** Collects every log line the app writes, as pino would write them to stdout. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== ''),
    );
    callback();
  }
}

const capture = new LogCapture();
let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;
const wrongKey = 'tl_WRONG-key-that-must-not-be-logged-either';

beforeAll(async () => {
  fixture = await openApp({ logger: { level: 'trace', destination: capture } });
  main = await seedMain(fixture.store, 'main@example.com', '100');
  sub = await seedSub(fixture.store, main, 'sub@example.com', '1', 'advanced');
});

afterAll(() => fixture.remove());

/** Every place a key travels, on success and error paths alike. */
async function sendRequestsCarrying(key: string): Promise<number> {
  const requests = [
    {
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      ...(await encodeBody({ apiKey: key, credit: '1', tokenSubaccount: sub.token }, 'json')),
    },
    {
      method: 'POST',
      url: '/v1/subaccount/credit/remove',
      ...(await encodeBody({ apiKey: key, credit: '1', tokenSubaccount: sub.token }, 'form')),
    },
    {
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      ...(await encodeBody({ apiKey: key, credit: 'x', tokenSubaccount: sub.token }, 'multipart')),
    },
    {
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: '{}',
      headers: { 'x-api-key': key, authorization: `Bearer ${key}` },
    },
    {
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: `{"apiKey":"${key}",`,
      headers: { 'content-type': 'application/json' },
    },
    {
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: JSON.stringify({ apiKey: key, pad: 'x'.repeat(70_000) }),
      headers: {},
    },
    {
      method: 'POST',
      url: '/v1/subaccount/create',
      ...(await encodeBody({ apiKey: key, type: 'bad' }, 'json')),
    },
    { method: 'GET', url: `/v1/me?apiKey=${key}`, headers: {} },
    { method: 'GET', url: `/v1/subaccount/list?page=x&apiKey=${encodeURIComponent(key)}`, headers: {} },
    { method: 'GET', url: `/v1/unknown?apiKey=${key}`, headers: {} },
    { method: 'DELETE', url: `/v1/me?apiKey=${key}`, headers: { 'x-api-key': key } },
  ];
  for (const request of requests) await fixture.app.inject(request as InjectOptions);
  return requests.length;
}

test('no API key, right or wrong, ever reaches the logs', async () => {
  const count = (await sendRequestsCarrying(main.apiKey)) + (await sendRequestsCarrying(sub.apiKey!));
  await sendRequestsCarrying(wrongKey);
  const text = capture.lines.join('\n');
  // The capture works: every request left its incoming and completed lines, with a request id.
  const completed = capture.lines
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.msg === 'request completed');
  expect(completed.length).toBeGreaterThanOrEqual(count);
  expect(completed.every((entry) => typeof entry.reqId === 'string')).toBe(true);
  expect(text).toContain('/v1/me');
  for (const key of [main.apiKey, sub.apiKey!, wrongKey]) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(encodeURIComponent(key));
    expect(text).not.toContain(key.slice(3, 20));
  }
});
