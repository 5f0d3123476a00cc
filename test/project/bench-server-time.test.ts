import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ADD_PATH } from '../../bench/add-load.js';
import {
  quantileBoundMs,
  readServerTimes,
  serverTimeFigures,
  serverTimesBetween,
  serverTimesOf,
} from '../../bench/server-time.js';
import { wireApp } from '../../src/main.js';
import { openTempStore, seedMain, seedSub, type StoreFixture } from '../helpers/http-fixture.js';

/**
 * Target g prints the server's own time for its answers beside the load generator's
 * (bench/server-time.ts), read from the server's /metrics before and after the load.
 */
const text = (lines: readonly string[]) => lines.join('\n') + '\n';
const bucket = (route: string, status: string, le: string, count: number) =>
  `tirelire_http_request_duration_seconds_bucket{route="${route}",method="POST",status="${status}",le="${le}"} ${count}`;

describe("bench: the server's own time for its answers", () => {
  let fixture: StoreFixture | undefined;
  afterEach(async () => {
    await fixture?.remove();
    fixture = undefined;
  });

  it('reads one route and method by status, and bounds a quantile by its bucket', () => {
    const times = serverTimesOf(
      text([
        '# TYPE tirelire_http_request_duration_seconds histogram',
        bucket('/a', '200', '0.001', 10),
        bucket('/a', '200', '0.005', 95),
        bucket('/a', '200', '0.01', 99),
        bucket('/a', '200', '+Inf', 100),
        bucket('/a', '503', '0.001', 4),
        bucket('/a', '503', '+Inf', 4),
        bucket('/b', '200', '+Inf', 7),
        'tirelire_http_request_duration_seconds_sum{route="/a",method="POST",status="200"} 0.4',
      ]),
      'POST',
      '/a',
    );
    expect([...times.keys()].sort()).toEqual(['200', '503']);
    expect(quantileBoundMs(times, '200', 0.5)).toBe(5);
    expect(quantileBoundMs(times, '200', 0.99)).toBe(10);
    expect(quantileBoundMs(times, '200', 1)).toBe(Infinity);
    expect(quantileBoundMs(times, '503', 0.99)).toBe(1);
    expect(quantileBoundMs(times, '404', 0.5)).toBeNull();
  });

  it('counts only what came between two readings', () => {
    const before = serverTimesOf(
      text([bucket('/a', '200', '0.001', 50), bucket('/a', '200', '+Inf', 50)]),
      'POST',
      '/a',
    );
    const after = serverTimesOf(
      text([
        bucket('/a', '200', '0.001', 51),
        bucket('/a', '200', '+Inf', 60),
        bucket('/a', '503', '+Inf', 3),
      ]),
      'POST',
      '/a',
    );
    const between = serverTimesBetween(before, after);
    expect(between.get('200')?.get(Infinity)).toBe(10);
    expect(quantileBoundMs(between, '200', 0.5)).toBe(Infinity);
    expect(serverTimeFigures(before, after, ['200', '503'])).toEqual({
      '200': { answers: 10, p50Ms: Infinity, p99Ms: Infinity },
      '503': { answers: 3, p50Ms: Infinity, p99Ms: Infinity },
    });
    expect(serverTimeFigures(null, after, ['200'])).toBeUndefined();
  });

  it("reads a real server's /metrics: the credits it answered between two readings, by status", async () => {
    fixture = await openTempStore();
    const app = wireApp({ store: fixture.store });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const main = await seedMain(fixture.store, 'server-time@example.com', '10');
      const sub = await seedSub(fixture.store, main, 'server-time-sub@example.com', null);
      const add = (credit: string) =>
        fetch(new URL(ADD_PATH, url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiKey: main.apiKey, tokenSubaccount: sub.token, credit }),
        });
      await add('1');
      const before = await readServerTimes(url, 'POST', ADD_PATH);
      const statuses = await Promise.all(
        [add('1'), add('1'), add('1'), add('50')].map(async (a) => (await a).status),
      );
      const after = await readServerTimes(url, 'POST', ADD_PATH);
      const figures = serverTimeFigures(before, after, ['200', '422']);
      expect(statuses.sort()).toEqual([200, 200, 200, 422]);
      expect(figures?.['200']?.answers).toBe(3);
      expect(figures?.['422']?.answers).toBe(1);
      expect(figures?.['200']?.p99Ms).toBeGreaterThan(0);
      expect(figures?.['200']?.p99Ms).toBeLessThan(Infinity);
    } finally {
      await app.close();
    }
  });

  it('gives null for a server that does not answer', async () => {
    expect(await readServerTimes('http://127.0.0.1:9', 'POST', ADD_PATH, 500)).toBeNull();
  });
});
