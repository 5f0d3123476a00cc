import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer } from '../soak/server.js';

/**
 * Delivery latency in a quiet system: the real server (dist/main.js), one
 * receiver on this machine, `COUNT` transfers one at a time, `GAP_MS` apart;
 * for each, the time from the HTTP answer of the add to the receiver having
 * the event's body. Prints the median, p90, p99 and the worst.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node dist/bench-build/bench/webhook-latency.js [DATABASE_URL]
 */
const COUNT = 200;
const GAP_MS = 50;
const TOKEN = 'webhook-latency-operator';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return (await answer.json()) as Record<string, unknown>;
}

async function main(): Promise<void> {
  process.env['WEBHOOK_ALLOW_PRIVATE'] = '1';
  process.env['TIRELIRE_ADMIN_TOKEN'] = TOKEN;
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-webhook-latency-'));
  const databaseUrl = process.argv[2] ?? join(dir, 'tirelire.db');
  const arrivals = new Map<string, number>();
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { id?: string } };
      if (event.data.id !== undefined) arrivals.set(event.data.id, performance.now());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const server = await startServer(databaseUrl);
  try {
    const created = await post(
      `${server.url}/admin/v1/accounts`,
      { email: `latency-${Date.now()}@example.com`, credit: '1000' },
      { authorization: `Bearer ${TOKEN}` },
    );
    const apiKey = created['apiKey'] as string;
    const sub = await post(`${server.url}/v1/subaccount/create`, { apiKey, type: 'simple' });
    const token = (sub['subaccount'] as { token: string }).token;
    const port = (receiver.address() as AddressInfo).port;
    await post(`${server.url}/v1/webhooks`, {
      apiKey,
      url: `http://127.0.0.1:${port}/hook`,
      types: ['transfer.created'],
    });
    const lags: number[] = [];
    for (let index = 0; index < COUNT; index += 1) {
      const answer = await post(`${server.url}/v1/subaccount/credit/add`, {
        apiKey,
        tokenSubaccount: token,
        credit: '0.01',
      });
      const answeredAt = performance.now();
      const id = answer['transferId'] as string;
      while (!arrivals.has(id)) await sleep(1);
      lags.push(arrivals.get(id)! - answeredAt);
      await sleep(GAP_MS);
    }
    lags.sort((a, b) => a - b);
    const at = (share: number) =>
      lags[Math.min(lags.length - 1, Math.floor(share * lags.length))]!.toFixed(1);
    console.log(
      `${databaseUrl.startsWith('postgres') ? 'postgres' : 'sqlite'}: ${COUNT} events, answer → receiver ms: ` +
        `median ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${lags.at(-1)!.toFixed(1)}`,
    );
  } finally {
    await server.stop();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
