import { beforeEach, expect, it } from 'vitest';
import type { EventType } from '../../src/domain/events.js';
import type { Store } from '../../src/domain/store.js';
import { DISABLE_AFTER_MS, type AttemptRecord, type ClaimedDelivery } from '../../src/domain/webhooks.js';
import { move, registerEndpoint, seedMain, seedSub } from '../helpers/fixtures.js';
import { describeEachStore } from '../helpers/stores.js';

/**
 * Webhook endpoints and deliveries on every store: what the delivery worker
 * relies on (contract section 7). The worker itself, with real receivers, is
 * tested over HTTP.
 */
await describeEachStore('webhooks', (current) => {
  let store: Store;
  beforeEach(() => {
    store = current().store;
  });

  const t0 = new Date('2026-12-02T10:00:00Z');
  const later = (ms: number) => new Date(t0.getTime() + ms);

  const endpoint = (ownerAccountId: number | null, types: EventType[] | null = null) =>
    registerEndpoint(store, ownerAccountId, { types, createdAt: t0 });

  const claimAll = (now: Date, busy: string[] = []) => store.claimDeliveries(now, 100, 30_000, busy);
  const byEndpoint = (claimed: readonly ClaimedDelivery[]) =>
    claimed.map((delivery) => `${delivery.endpoint.id} ${delivery.event.type}`).sort();

  it('creates, lists, finds and deletes endpoints, at most 10 per main account', async () => {
    const main = await seedMain(store, '0');
    const made = [];
    for (let index = 0; index < 10; index += 1) made.push(await endpoint(main.accountId));
    expect(made[0]).toMatchObject({ ownerAccountId: main.accountId, status: 'enabled', types: null });
    const eleventh = await store.createWebhook({
      ...made[0]!,
      id: 'we_eleventh',
      secret: 'whsec_x',
      createdAt: t0,
    });
    expect(eleventh).toEqual({ ok: false, code: 39 });
    const operators = await endpoint(null, ['transfer.created']);
    expect((await store.listWebhooks(main.accountId)).map((found) => found.id).sort()).toEqual(
      made.map((found) => found.id).sort(),
    );
    expect(await store.listWebhooks(null)).toEqual([operators]);
    expect(await store.getWebhook(operators.id)).toEqual(operators);
    expect(await store.deleteWebhook(made[0]!.id)).toBe(true);
    expect(await store.deleteWebhook(made[0]!.id)).toBe(false);
    expect(await store.getWebhook(made[0]!.id)).toBeNull();
    expect(await store.listWebhooks(main.accountId)).toHaveLength(9);
  });

  it('rotates a secret, keeping the old one beside it for a while', async () => {
    const main = await seedMain(store, '1');
    const made = await endpoint(main.accountId);
    expect(await store.rotateWebhookSecret(made.id, 'whsec_bmV3', later(1000))).toEqual(made);
    expect(await store.rotateWebhookSecret('we_missing', 'whsec_bmV3', later(1000))).toBeNull();
    await store.fanOutEvents(t0, 100);
    await move(store, 'add', main.keyHash, (await seedSub(store, main)).token, '1');
    await store.fanOutEvents(t0, 100);
    const [claimed] = await claimAll(t0);
    expect(claimed!.endpoint).toMatchObject({
      secret: 'whsec_bmV3',
      previousSecret: 'whsec_c2VjcmV0',
      previousUntil: later(1000),
    });
  });

  it('hands each committed event once to every enabled endpoint that wants it', async () => {
    const mine = await seedMain(store, '5');
    const theirs = await seedMain(store, '5');
    await store.fanOutEvents(t0, 100); // the two opening top-ups, before any endpoint
    const all = await endpoint(mine.accountId);
    const onlyCreations = await endpoint(mine.accountId, ['subaccount.created']);
    const operator = await endpoint(null);
    await endpoint(theirs.accountId, ['account.suspended']);
    await seedSub(store, mine, '1');
    expect(await store.webhookBacklog()).toEqual({ events: 2, deliveries: 0 });
    expect(await store.fanOutEvents(t0, 100)).toBe(2);
    expect(await store.fanOutEvents(t0, 100)).toBe(0);
    expect(await store.webhookBacklog()).toEqual({ events: 0, deliveries: 5 });
    expect(byEndpoint(await claimAll(t0))).toEqual(
      [
        `${all.id} subaccount.created`,
        `${all.id} transfer.created`,
        `${onlyCreations.id} subaccount.created`,
        `${operator.id} subaccount.created`,
        `${operator.id} transfer.created`,
      ].sort(),
    );
  });

  it('gives the first endpoint the events committed after its registration, none before', async () => {
    const main = await seedMain(store, '5');
    const sub = await seedSub(store, main);
    for (let index = 0; index < 3; index += 1) await move(store, 'add', main.keyHash, sub.token, '1');
    const before = (await store.listEvents({ accountId: main.accountId, after: 0, limit: 1000 })).length;
    expect(await store.webhookBacklog()).toEqual({ events: 0, deliveries: 0 });
    const made = await endpoint(main.accountId);
    await move(store, 'add', main.keyHash, sub.token, '1');
    await move(store, 'remove', main.keyHash, sub.token, '1');
    expect(await store.webhookBacklog()).toEqual({ events: 2, deliveries: 0 });
    expect(await store.fanOutEvents(t0, 100)).toBe(2);
    const claimed = await claimAll(t0);
    expect(claimed.map((delivery) => [delivery.endpoint.id, delivery.event.sequence]).sort()).toEqual([
      [made.id, before + 1],
      [made.id, before + 2],
    ]);
  });

  it('leases a claimed delivery: nobody gets it again until the lease runs out or it is recorded', async () => {
    const main = await seedMain(store, '5');
    const made = await endpoint(main.accountId, ['subaccount.created']);
    await seedSub(store, main);
    await store.fanOutEvents(t0, 100);
    expect(await claimAll(t0, [made.id])).toEqual([]);
    const [first] = await claimAll(t0);
    expect(first).toMatchObject({ attempts: 0, event: { type: 'subaccount.created' } });
    expect(await claimAll(later(29_999))).toEqual([]);
    const [again] = await claimAll(later(30_000));
    expect(again!.id).toBe(first!.id);
  });

  it('records attempts: a retry comes due at its time, a success or the last failure ends the delivery', async () => {
    const main = await seedMain(store, '5');
    const made = await endpoint(main.accountId, ['subaccount.created']);
    await seedSub(store, main);
    await store.fanOutEvents(t0, 100);
    const [claimed] = await claimAll(t0);
    const attempt = (at: Date, status: number | null, retryAt: Date | null): AttemptRecord => ({
      deliveryId: claimed!.id,
      endpointId: made.id,
      attempt: {
        eventId: claimed!.event.id,
        attempt: 1,
        status,
        error: status === null ? 'timeout' : null,
        durationMs: 12,
        at,
      },
      retryAt,
      succeeded: status !== null && status < 300,
    });
    await store.recordAttempts([attempt(t0, 500, later(5000))]);
    expect(await claimAll(later(4999))).toEqual([]);
    const [retry] = await claimAll(later(5000));
    expect(retry!.attempts).toBe(1);
    await store.recordAttempts([
      {
        ...attempt(later(5000), null, null),
        attempt: { ...attempt(later(5000), null, null).attempt, attempt: 2 },
      },
    ]);
    expect(await claimAll(later(10 ** 9))).toEqual([]);
    expect((await store.getWebhook(made.id))!.failingSince).toEqual(t0);
    const log = await store.listDeliveryAttempts(made.id, 1);
    expect(log.items).toEqual([
      {
        eventId: claimed!.event.id,
        attempt: 2,
        status: null,
        error: 'timeout',
        durationMs: 12,
        at: later(5000),
      },
    ]);
    const rest = await store.listDeliveryAttempts(made.id, 10, log.nextCursor!);
    expect(rest).toEqual({
      items: [{ eventId: claimed!.event.id, attempt: 1, status: 500, error: null, durationMs: 12, at: t0 }],
      nextCursor: null,
    });
    await store.resendEvent(made.id, claimed!.event.id, later(6000));
    const [resent] = await claimAll(later(6000));
    expect(resent).toMatchObject({ attempts: 0, event: { id: claimed!.event.id } });
    await store.recordAttempts([{ ...attempt(later(6000), 204, null), deliveryId: resent!.id }]);
    expect((await store.getWebhook(made.id))!.failingSince).toBeNull();
    expect(await claimAll(later(10 ** 9))).toEqual([]);
  });

  it('disables an endpoint that failed every attempt for 5 days, and claims nothing more for it', async () => {
    const main = await seedMain(store, '5');
    await store.fanOutEvents(t0, 100);
    const made = await endpoint(main.accountId);
    const sub = await seedSub(store, main, '1');
    await move(store, 'add', main.keyHash, sub.token, '1');
    await store.fanOutEvents(t0, 100);
    const claimed = await claimAll(t0);
    expect(claimed).toHaveLength(3);
    const failure = (delivery: ClaimedDelivery, at: Date): AttemptRecord => ({
      deliveryId: delivery.id,
      endpointId: made.id,
      attempt: { eventId: delivery.event.id, attempt: 1, status: 503, error: null, durationMs: 1, at },
      retryAt: later(DISABLE_AFTER_MS * 2),
      succeeded: false,
    });
    await store.recordAttempts([failure(claimed[0]!, t0), failure(claimed[1]!, later(DISABLE_AFTER_MS - 1))]);
    expect((await store.getWebhook(made.id))!.status).toBe('enabled');
    await store.recordAttempts([failure(claimed[2]!, later(DISABLE_AFTER_MS))]);
    expect((await store.getWebhook(made.id))!.status).toBe('disabled');
    expect(await claimAll(later(DISABLE_AFTER_MS * 3))).toEqual([]);
  });

  it('two claims at once never get the same delivery', async () => {
    const main = await seedMain(store, '50');
    await endpoint(main.accountId);
    const sub = await seedSub(store, main);
    for (let index = 0; index < 30; index += 1) await move(store, 'add', main.keyHash, sub.token, '1');
    await store.fanOutEvents(t0, 1000);
    const [first, second] = await Promise.all([
      store.claimDeliveries(t0, 20, 30_000, []),
      store.claimDeliveries(t0, 20, 30_000, []),
    ]);
    const ids = [...first!, ...second!].map((delivery) => delivery.id);
    expect(new Set(ids).size).toBe(ids.length);
    // The subaccount's creation and the 30 adds: the opening top-up came before the endpoint.
    expect(ids.length).toBe(31);
    expect(await store.findEvent(first![0]!.event.id)).toEqual(first![0]!.event);
    expect(await store.findEvent('evt_missing')).toBeNull();
  });
});
