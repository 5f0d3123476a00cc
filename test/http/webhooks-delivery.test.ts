import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../src/domain/store.js';
import { wireApp } from '../../src/main.js';
import { seedMain, type SeededMain } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';
import { startReceiver, verify, type Receiver } from '../helpers/webhook-receiver.js';

/**
 * The delivery worker against real receivers (node:http servers), on every
 * store: each delivery verifies with the standardwebhooks package and is
 * the feed's own bytes, a failing receiver gets its event on retry, a
 * receiver that hangs does not delay a healthy one, a rotated secret signs
 * beside the old one, and a URL on a private address is refused at
 * connection time even when it got into the store.
 */
await describeEachStore('webhook delivery', (current) => {
  let store: Store;
  let app: FastifyInstance;
  let main: SeededMain;
  const receivers: Receiver[] = [];

  async function start(allowPrivate = true) {
    app = wireApp({
      store,
      webhooks: { allowPrivate, retryScheduleMs: [100, 200] },
      deliverWebhooks: true,
    });
    await app.ready();
  }

  async function receiver(...args: Parameters<typeof startReceiver>) {
    const made = await startReceiver(...args);
    receivers.push(made);
    return made;
  }

  beforeEach(async () => {
    store = current().store;
    main = await seedMain(store, '100');
  });

  afterEach(async () => {
    await app?.close();
    await Promise.all(receivers.splice(0).map((made) => made.close()));
  });

  const post = (url: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url, payload: { apiKey: main.apiKey, ...payload } });

  async function register(url: string, types?: string[]) {
    const answer = await post('/v1/webhooks', { url, ...(types === undefined ? {} : { types }) });
    expect(answer.statusCode, answer.body).toBe(200);
    return (answer.json() as { webhook: { id: string; secret: string } }).webhook;
  }

  async function createSub(credit?: string) {
    const parameters = {
      email: `sub-${randomUUID()}@example.com`,
      ...(credit === undefined ? {} : { creditToAttribute: credit }),
    };
    const answer = await post('/v1/subaccount/create', { type: 'simple', parameters });
    expect(answer.statusCode, answer.body).toBe(200);
    return (answer.json() as { subaccount: { token: string } }).subaccount.token;
  }

  async function add(token: string, credit: string) {
    const answer = await post('/v1/subaccount/credit/add', { tokenSubaccount: token, credit });
    expect(answer.statusCode, answer.body).toBe(200);
    return (answer.json() as { transferId: string }).transferId;
  }

  it('signs every delivery as standardwebhooks verifies it, with the bytes of the feed', async () => {
    await start();
    const to = await receiver();
    const endpoint = await register(to.url);
    const token = await createSub('5');
    const transferId = await add(token, '1');
    const received = await to.until(
      (all) =>
        all.some((entry) => entry.body.includes(transferId)) &&
        all.some((entry) => entry.event.type === 'subaccount.created'),
    );
    const feed = (await app.inject({ method: 'GET', url: `/v1/events?apiKey=${main.apiKey}` })).body;
    const ours = received.filter((entry) => entry.event.accountId === main.accountId);
    expect(ours.map((entry) => entry.event.type)).toEqual(
      expect.arrayContaining(['subaccount.created', 'transfer.created', 'transfer.created']),
    );
    for (const entry of received) {
      expect(verify(entry, endpoint.secret)).toEqual(JSON.parse(entry.body));
      expect(entry.headers['webhook-id']).toBe(entry.event.id);
      expect(entry.headers['content-type']).toBe('application/json');
      expect(Number(entry.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
      expect(feed).toContain(entry.body);
      expect(() => verify(entry, `whsec_${Buffer.from('another secret').toString('base64')}`)).toThrow();
    }
    const metric = async (line: RegExp) =>
      Number(line.exec((await app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? NaN);
    await expect
      .poll(() => metric(/^tirelire_webhook_attempts_total\{outcome="delivered"\} (\d+)$/m))
      .toBeGreaterThanOrEqual(3);
    // Handed out: the subaccount, its opening credit and the add, after the registration.
    expect(await metric(/^tirelire_events_total (\d+)$/m)).toBeGreaterThanOrEqual(3);
    // Written: those and the main account's opening top-up, before it.
    expect(await metric(/^tirelire_ledger_events_total (\d+)$/m)).toBeGreaterThanOrEqual(4);
    expect(await metric(/^tirelire_webhook_delivery_lag_seconds_count (\d+)$/m)).toBeGreaterThanOrEqual(3);
    expect(await metric(/^tirelire_webhook_backlog\{kind="events"\} (\d+)$/m)).toBeGreaterThanOrEqual(0);
  });

  it('a receiver failing the first attempts gets the event on retry, and the log shows each attempt', async () => {
    await start();
    const flaky = await receiver((attempt) => (attempt <= 2 ? 500 : 204));
    const endpoint = await register(flaky.url, ['subaccount.created']);
    await createSub();
    const received = await flaky.until((all) => all.length >= 3);
    expect(new Set(received.map((entry) => entry.headers['webhook-id'])).size).toBe(1);
    await expect
      .poll(async () => {
        const log = await app.inject({
          method: 'GET',
          url: `/v1/webhooks/${endpoint.id}/deliveries?apiKey=${main.apiKey}`,
        });
        return (log.json() as { data: { attempt: number; status: number }[] }).data.map(
          (line) => `${line.attempt} ${line.status}`,
        );
      })
      .toEqual(['3 204', '2 500', '1 500']);
  });

  it('an endpoint that hangs does not delay a healthy one: each event reaches it within 1 s', async () => {
    await start();
    const hanging = await receiver(() => 'hang');
    const healthy = await receiver();
    await register(hanging.url, ['transfer.created']);
    await register(healthy.url, ['transfer.created']);
    const token = await createSub('50');
    await healthy.until((all) => all.length >= 1);
    const lags: number[] = [];
    for (let index = 0; index < 8; index += 1) {
      const transferId = await add(token, '1');
      const answeredAt = performance.now();
      const received = await healthy.until((all) => all.some((entry) => entry.body.includes(transferId)));
      lags.push(received.find((entry) => entry.body.includes(transferId))!.at - answeredAt);
    }
    expect(hanging.received.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...lags)).toBeLessThan(1000);
  });

  it('after a rotation, deliveries carry a signature with each secret', async () => {
    await start();
    const to = await receiver();
    const endpoint = await register(to.url, ['subaccount.created']);
    const rotated = await post(`/v1/webhooks/${endpoint.id}/rotate-secret`, {});
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret } = (rotated.json() as { webhook: { secret: string } }).webhook;
    expect(secret).not.toBe(endpoint.secret);
    await createSub();
    const [entry] = await to.until((all) => all.length >= 1);
    expect(String(entry!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(entry!, secret)).toMatchObject({ type: 'subaccount.created' });
    expect(verify(entry!, endpoint.secret)).toMatchObject({ type: 'subaccount.created' });
  });

  it('refuses at connection time a URL on a loopback address that got into the store', async () => {
    await start(false);
    const to = await receiver();
    const made = await store.createWebhook({
      id: `we_${randomUUID().replaceAll('-', '')}`,
      ownerAccountId: main.accountId,
      url: to.url.replace('127.0.0.1', 'localhost'),
      types: null,
      secret: `whsec_${Buffer.from('a secret of the test').toString('base64')}`,
      createdAt: new Date(),
    });
    if (!made.ok) throw new Error(`createWebhook refused with ${made.code}`);
    await createSub();
    await expect
      .poll(async () =>
        (await store.listDeliveryAttempts(made.endpoint.id, 10)).items.map((line) => line.error),
      )
      .toContainEqual(expect.stringMatching(/^address refused: localhost is loopback$/));
    expect(to.received).toEqual([]);
  });
});
