import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TRANSFERS_EXAMINED, type TransferFilter, type TransferPage } from '../../src/domain/pages.js';
import type { Store } from '../../src/domain/store.js';
import { wireApp } from '../../src/main.js';
import { CSV_STREAM_PAGE_SIZE } from '../../src/http/csv.js';
import { hashApiKey } from '../../src/app/keys.js';
import { ADMIN_TOKEN } from '../helpers/admin.js';
import { creditCommand } from '../helpers/fixtures.js';
import { seedMain, seedSub, type SeededMain } from '../helpers/http-fixture.js';
import { storeFactories, type StoreUnderTest } from '../helpers/stores.js';

/**
 * `Accept: text/csv` without `limit` streams the whole filtered history, page
 * after page by cursor (issue 5): every row once, on every store.
 */
const ADDS = 25_000;
const CHUNK = 2_500;
// The opening top-up of the main account, then the adds.
const ROWS = ADDS + 1;

async function seedHistory(store: Store): Promise<{ main: SeededMain; token: string }> {
  const main = await seedMain(store, 'streamer@example.com', '1000');
  const sub = await seedSub(store, main, 'kid@example.com', null);
  const keyHash = hashApiKey(main.apiKey);
  for (let done = 0; done < ADDS; done += CHUNK) {
    const commands = Array.from({ length: CHUNK }, () => creditCommand('add', keyHash, sub.token, '0.001'));
    const outcomes = await store.applyCredits(commands);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
  }
  return { main, token: sub.token };
}

/** Rows after the header; each row's first field is the transfer id. */
function csvIds(body: string, header: string): string[] {
  expect(body.endsWith('\r\n')).toBe(true);
  const lines = body.slice(0, -2).split('\r\n');
  expect(lines[0]).toBe(header);
  return lines.slice(1).map((line) => line.slice(0, line.indexOf(',')));
}

function expectWholeHistory(ids: readonly string[]): void {
  expect(ids).toHaveLength(ROWS);
  expect(new Set(ids).size).toBe(ROWS);
  // Newest first: UUIDv7 ids of one process are increasing, so the rows come in decreasing order.
  expect([...ids].sort().reverse()).toEqual(ids);
}

const PUBLIC_HEADER = 'id,direction,tokenSubaccount,amount,credit,subaccountCredit,createdAt,idempotencyKey';
const ADMIN_HEADER =
  'id,kind,amount,accountId,tokenSubaccount,debitAccountId,creditAccountId,mainBalanceAfter,subaccountBalanceAfter,reason,operator,idempotencyKey,createdAt';

for (const factory of storeFactories) {
  const available = await factory.available();
  if (!available && process.env.CI) throw new Error(`${factory.name} must be reachable in CI`);

  describe.skipIf(!available)(`streamed CSV: ${factory.name}`, () => {
    let subject: StoreUnderTest;
    let app: FastifyInstance;
    let main: SeededMain;
    beforeAll(async () => {
      subject = await factory.create();
      ({ main } = await seedHistory(subject.store));
      app = wireApp({ store: subject.store, adminToken: ADMIN_TOKEN });
      await app.ready();
    });
    afterAll(async () => {
      await app.close();
      await subject.dispose();
    });

    it(`streams a ${ROWS}-row public history whole, every row once, newest first`, async () => {
      const response = await app.inject({
        url: '/v1/subaccount/credit/transfers',
        headers: { 'x-api-key': main.apiKey, accept: 'text/csv' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(response.headers['x-next-cursor']).toBeUndefined();
      expectWholeHistory(csvIds(response.body, PUBLIC_HEADER));
    });

    it(`streams the operator's filtered listing whole; with limit, one page and X-Next-Cursor`, async () => {
      const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/csv' };
      const whole = await app.inject({
        url: `/admin/v1/transfers?accountId=${main.accountId}`,
        headers: auth,
      });
      expect(whole.statusCode).toBe(200);
      expectWholeHistory(csvIds(whole.body, ADMIN_HEADER));
      const adds = await app.inject({ url: '/admin/v1/transfers?kind=topup', headers: auth });
      expect(csvIds(adds.body, ADMIN_HEADER)).toHaveLength(1);
      const page = await app.inject({
        url: `/admin/v1/transfers?accountId=${main.accountId}&limit=100`,
        headers: auth,
      });
      expect(csvIds(page.body, ADMIN_HEADER)).toHaveLength(100);
      expect(page.headers['x-next-cursor']).toMatch(/^\d+$/);
    });

    it('a window far back: short pages with a next cursor to the end, and the CSV stream follows them', async () => {
      const url = '/v1/subaccount/credit/transfers?until=2001-01-01T00:00:00Z&limit=50';
      const headers = { 'x-api-key': main.apiKey };
      let pages = 0;
      let cursor: string | null = null;
      do {
        const response: { statusCode: number; json: () => unknown } = await app.inject({
          url: cursor === null ? url : `${url}&cursor=${cursor}`,
          headers,
        });
        expect(response.statusCode).toBe(200);
        const body = response.json() as { data: unknown[]; nextCursor: string | null };
        expect(body.data).toEqual([]);
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null);
      // Each page reads the next MAX_TRANSFERS_EXAMINED transfers of the tree, the last what is left.
      expect(pages).toBe(Math.ceil(ROWS / MAX_TRANSFERS_EXAMINED));
      const csv = await app.inject({
        url: url.replace('&limit=50', ''),
        headers: { ...headers, accept: 'text/csv' },
      });
      expect(csvIds(csv.body, PUBLIC_HEADER)).toEqual([]);
      expect(csv.headers['x-next-cursor']).toBeUndefined();
    });
  });
}

describe.skipIf(storeFactories[0]?.name !== 'sqlite')('streamed CSV: a client that goes away', () => {
  let subject: StoreUnderTest;
  let main: SeededMain;
  beforeAll(async () => {
    subject = await storeFactories[0]!.create();
    ({ main } = await seedHistory(subject.store));
  });
  afterAll(() => subject.dispose());

  it('stops fetching pages once the client has disconnected', async () => {
    const { store } = subject;
    const original = store.listTransfers.bind(store);
    let calls = 0;
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    // Every page after the first waits for the test: the disconnect is then
    // certainly seen by the server while a fetch is in flight.
    const counting = Object.assign(Object.create(store) as Store, {
      listTransfers: async (filter: TransferFilter): Promise<TransferPage> => {
        calls += 1;
        if (calls > 1) await gate;
        return original(filter);
      },
    });
    const app = wireApp({ store: counting });
    const sent: { stream?: Readable; raw?: ServerResponse } = {};
    app.addHook('onSend', async (_request, reply, payload) => {
      if (payload instanceof Readable) Object.assign(sent, { stream: payload, raw: reply.raw });
      return payload;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as AddressInfo;
      const client = httpRequest({
        port,
        host: '127.0.0.1',
        path: '/v1/subaccount/credit/transfers',
        headers: { 'x-api-key': main.apiKey, accept: 'text/csv' },
      });
      client.end();
      const [response] = (await once(client, 'response')) as [IncomingMessage];
      await once(response, 'data');
      client.destroy();
      const { stream, raw } = sent as Required<typeof sent>;
      if (!raw.closed) await once(raw, 'close');
      openGate();
      await finished(stream).catch(() => undefined);
      expect(stream.destroyed).toBe(true);
      // One page before the stream, at most the one in flight when the client left: not the 26 of the history.
      expect(calls).toBeLessThanOrEqual(2);
      expect(Math.ceil(ROWS / CSV_STREAM_PAGE_SIZE)).toBeGreaterThan(2);
    } finally {
      await app.close();
    }
  });
});
