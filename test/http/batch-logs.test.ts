import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

/** The request log as pino writes it, one JSON line each. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line !== '') this.lines.push(JSON.parse(line));
    callback();
  }
}

const capture = new LogCapture();
let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;

beforeAll(async () => {
  fixture = await openApp({ logger: { level: 'info', destination: capture } });
  main = await seedMain(fixture.store, 'main@example.com', '100');
  sub = await seedSub(fixture.store, main, 'sub@example.com', null);
});

afterAll(() => fixture.remove());

test('each request leaves exactly one concise line, with its id and status and without the key', async () => {
  const operation = { direction: 'add', tokenSubaccount: sub.token, credit: '1' };
  const answers = [
    await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/batch',
      payload: { apiKey: main.apiKey, operations: [operation] },
      headers: { 'x-request-id': 'batch-1' },
    }),
    await fixture.app.inject({
      method: 'POST',
      url: '/v1/subaccount/credit/add',
      payload: { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
    }),
    await fixture.app.inject({ method: 'GET', url: `/v1/me?apiKey=${main.apiKey}` }),
  ];
  expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
  const requestLines = capture.lines.filter((line) => line['reqId'] !== undefined);
  expect(requestLines.map((line) => [line['msg'], line['method'], line['path'], line['statusCode']])).toEqual(
    [
      ['request completed', 'POST', '/v1/subaccount/credit/batch', 200],
      ['request completed', 'POST', '/v1/subaccount/credit/add', 200],
      ['request completed', 'GET', '/v1/me', 200],
    ],
  );
  expect(requestLines[0]!['reqId']).toBe('batch-1');
  expect(requestLines.every((line) => typeof line['durationMs'] === 'number')).toBe(true);
  expect(JSON.stringify(capture.lines)).not.toContain(main.apiKey);
});
