import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { countAdd, addRequests } from '../../bench/add-load.js';
import {
  alternate,
  cycleRatio,
  medianOf,
  orderOf,
  type Contender,
  type LoadWindow,
} from '../../bench/side-by-side.js';

/**
 * Step s of `npm run bench` (bench/side-by-side.ts) takes issue 18's ratios between windows
 * seconds apart. These check its order, its per-cycle ratios, and that alternate() loads each
 * server in turn and counts what each one acknowledged, against two small real HTTP servers.
 */
const window = (id: string, cycle: number, transfersPerSecond: number): LoadWindow => ({
  id,
  cycle,
  transfersPerSecond,
  p99Ms: 1,
  machineMicros: null,
  acknowledged: 0,
  unanswered: 0,
  non2xx: 0,
});

describe('bench step s: side by side', () => {
  it('turns the order by one each cycle', () => {
    expect([0, 1, 2, 3].map((cycle) => orderOf(['c', 'd', 'f'], cycle).join(''))).toEqual([
      'cdf',
      'dfc',
      'fcd',
      'cdf',
    ]);
  });

  it('takes a ratio per cycle, over the cycles where both were measured, and its median', () => {
    const windows = [
      window('c', 0, 600),
      window('f', 0, 1000),
      window('c', 1, 350),
      window('f', 1, 500),
      window('c', 2, 800),
      window('f', 2, 1000),
      window('c', 3, 900),
    ];
    const ratio = cycleRatio(windows, 'c', 'f');
    expect(ratio?.perCycle).toEqual([0.6, 0.7, 0.8]);
    expect(ratio).toMatchObject({ median: 0.7, min: 0.6, max: 0.8 });
    expect(cycleRatio(windows, 'c', 'a')).toBeNull();
    expect(medianOf(windows, 'c', (w) => w.transfersPerSecond)).toBe(700);
    expect(medianOf(windows, 'a', (w) => w.transfersPerSecond)).toBeNull();
  });

  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A server answering every credit/add with success, counting the ones it answered. */
  async function creditServer(): Promise<{ url: string; answered: () => number }> {
    let answered = 0;
    const server = createServer((request, response) => {
      const credit = request.method === 'POST';
      request.resume();
      request.on('end', () => {
        if (credit) answered += 1;
        response.setHeader('content-type', 'application/json');
        response.end(credit ? '{"success":true,"mainBalance":"1.00","subaccountBalance":"1.00"}' : '{}');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    return { url: `http://127.0.0.1:${port}`, answered: () => answered };
  }

  it('loads each server once per cycle, in turn, and counts what each acknowledged', async () => {
    const [one, two] = [await creditServer(), await creditServer()];
    const contender = (id: string, baseUrl: string): Contender => ({
      id,
      baseUrl,
      connections: 4,
      nextRequest: addRequests('key', ['token']),
      countTransfers: countAdd,
    });
    const windows = await alternate([contender('one', one.url), contender('two', two.url)], {
      cycles: 2,
      seconds: 0.3,
      leadInSeconds: 0.1,
      drainSeconds: 0.2,
    });
    expect(windows.map((w) => `${w.cycle}${w.id}`)).toEqual(['0one', '0two', '1two', '1one']);
    for (const w of windows) {
      expect(w.transfersPerSecond).toBeGreaterThan(0);
      expect(w.unanswered).toBe(0);
      expect(w.machineMicros).not.toBeNull();
    }
    const acknowledged = (id: string) =>
      windows.filter((w) => w.id === id).reduce((sum, w) => sum + w.acknowledged, 0);
    expect(acknowledged('one')).toBe(one.answered());
    expect(acknowledged('two')).toBe(two.answered());
  });
});
