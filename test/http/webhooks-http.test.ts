import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openApp, seedMain, seedSub, type AppFixture, type SeededMain } from '../helpers/http-fixture.js';

/**
 * /v1/events, /v1/webhooks and their /admin/v1 twins over HTTP: shapes, the
 * contract's codes in order, one tree never seeing another's, the secret
 * shown once. Deliveries themselves: webhooks-delivery.test.ts.
 */
const ADMIN = 'webhooks-http-operator-token';
const RECEIVER = 'https://receiver.example/hook';

let fixture: AppFixture;
let main: SeededMain;
let other: SeededMain;

beforeEach(async () => {
  fixture = await openApp({ adminToken: ADMIN });
  main = await seedMain(fixture.store, 'main@example.com', '100');
  other = await seedMain(fixture.store, 'other@example.com', '100');
});
afterEach(() => fixture.remove());

type Json = Record<string, unknown>;
const call = (
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Json,
  headers: Record<string, string> = {},
) => fixture.app.inject({ method, url, ...(payload === undefined ? {} : { payload }), headers });
const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Json) =>
  call(method, url, payload, { authorization: `Bearer ${ADMIN}` });
const codeOf = async (pending: ReturnType<typeof call>) => (await pending).json<{ code: number }>().code;

async function register(owner: SeededMain, url = RECEIVER, extra: Json = {}) {
  const answer = await call('POST', '/v1/webhooks', { apiKey: owner.apiKey, url, ...extra });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json<{ webhook: { id: string; secret: string } }>().webhook;
}

describe('POST /v1/webhooks', () => {
  test('answers the endpoint with its secret once; the list never shows it', async () => {
    const answer = await call('POST', '/v1/webhooks', {
      apiKey: main.apiKey,
      url: RECEIVER,
      types: ['transfer.created', 'balance.depleted'],
    });
    const { webhook } = answer.json<{ webhook: Json & { secret: string } }>();
    expect(Object.keys(answer.json())).toEqual(['success', 'code', 'webhook']);
    expect(webhook).toMatchObject({
      url: RECEIVER,
      types: ['transfer.created', 'balance.depleted'],
      status: 'enabled',
    });
    expect(Object.keys(webhook)).toEqual(['id', 'url', 'types', 'status', 'createdAt', 'secret']);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(webhook.secret.slice('whsec_'.length), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(64);
    const list = await call('GET', `/v1/webhooks?apiKey=${main.apiKey}`);
    expect(list.json()).toEqual({ success: true, code: 200, data: [{ ...webhook, secret: undefined }] });
    expect(list.body).not.toContain('whsec_');
  });

  test('types as a comma-separated form field; every type when absent (null)', async () => {
    const form = await fixture.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `apiKey=${main.apiKey}&url=${encodeURIComponent(RECEIVER)}&types=subaccount.created,transfer.created`,
    });
    expect(form.json<{ webhook: Json }>().webhook.types).toEqual(['subaccount.created', 'transfer.created']);
    expect((await register(main)) as Json).toMatchObject({ types: null });
  });

  test('an idempotent replay answers the same bytes but the secret, and registers nothing more', async () => {
    const headers = { 'idempotency-key': 'hook-1' };
    const first = await call('POST', '/v1/webhooks', { apiKey: main.apiKey, url: RECEIVER }, headers);
    const again = await call('POST', '/v1/webhooks', { apiKey: main.apiKey, url: RECEIVER }, headers);
    const { secret } = first.json<{ webhook: { secret: string } }>().webhook;
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body.replace(JSON.stringify(secret), 'null'));
    expect(again.body).not.toContain('whsec_');
    expect(
      (await call('GET', `/v1/webhooks?apiKey=${main.apiKey}`)).json<{ data: unknown[] }>().data,
    ).toHaveLength(1);
  });

  test('codes in order: 1, 10, 4, 22, 38, 39', async () => {
    const sub = await seedSub(fixture.store, main, 'pro@example.com', null, 'advanced');
    const create = (fields: Json) => codeOf(call('POST', '/v1/webhooks', fields));
    expect(await create({ url: 'ftp://x' })).toBe(1);
    expect(await create({ apiKey: 'tl_wrong', url: 'ftp://x' })).toBe(10);
    expect(await create({ apiKey: sub.apiKey!, url: 'ftp://x' })).toBe(4);
    expect(await create({ apiKey: main.apiKey })).toBe(22);
    expect(await create({ apiKey: main.apiKey, url: RECEIVER, types: ['transfer.created', 'nope'] })).toBe(
      22,
    );
    expect(await create({ apiKey: main.apiKey, url: RECEIVER, types: 'transfer.created,' })).toBe(22);
    expect(await create({ apiKey: main.apiKey, url: [RECEIVER] })).toBe(22);
    for (const url of [
      'ftp://receiver.example/',
      'not a url',
      'http://127.1:8080/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
      'http://localhost/',
    ]) {
      expect(await create({ apiKey: main.apiKey, url }), url).toBe(38);
    }
    for (let index = 0; index < 10; index += 1) await register(main);
    const eleventh = await call('POST', '/v1/webhooks', { apiKey: main.apiKey, url: RECEIVER });
    expect([eleventh.statusCode, eleventh.json<Json>()['code']]).toEqual([409, 39]);
    // The operator's endpoints count against nobody.
    expect((await admin('POST', '/admin/v1/webhooks', { url: RECEIVER })).statusCode).toBe(200);
  });
});

describe('one endpoint: delete, rotate-secret, deliveries, resend', () => {
  test("another owner's endpoint answers 37, the same bytes as a missing one", async () => {
    const theirs = await register(other);
    const missing = 'we_00000000000000000000000000000000';
    for (const id of [theirs.id, missing, 'junk']) {
      const answers = [
        await call('DELETE', `/v1/webhooks/${id}?apiKey=${main.apiKey}`),
        await call('POST', `/v1/webhooks/${id}/rotate-secret`, { apiKey: main.apiKey }),
        await call('GET', `/v1/webhooks/${id}/deliveries?apiKey=${main.apiKey}`),
        await call('POST', `/v1/webhooks/${id}/resend`, { apiKey: main.apiKey, eventId: 'evt_x' }),
      ];
      expect(answers.map((answer) => [answer.statusCode, answer.body])).toEqual(
        Array(4).fill([404, answers[0]!.body]),
      );
      expect(answers[0]!.json()).toMatchObject({ success: false, code: 37 });
    }
    expect(
      (await call('GET', `/v1/webhooks?apiKey=${other.apiKey}`)).json<{ data: unknown[] }>().data,
    ).toHaveLength(1);
  });

  test('delete removes it; rotate gives a new secret; an empty log pages', async () => {
    const mine = await register(main);
    const rotated = await call('POST', `/v1/webhooks/${mine.id}/rotate-secret`, { apiKey: main.apiKey });
    const { secret, id } = rotated.json<{ webhook: { secret: string; id: string } }>().webhook;
    expect([id, secret === mine.secret]).toEqual([mine.id, false]);
    expect(secret).toMatch(/^whsec_/);
    const log = await call('GET', `/v1/webhooks/${mine.id}/deliveries?apiKey=${main.apiKey}&limit=5`);
    expect(log.json()).toEqual({ success: true, code: 200, data: [], nextCursor: null });
    expect(
      await codeOf(call('GET', `/v1/webhooks/${mine.id}/deliveries?apiKey=${main.apiKey}&limit=0`)),
    ).toBe(22);
    expect(
      await codeOf(call('GET', `/v1/webhooks/${mine.id}/deliveries?apiKey=${main.apiKey}&cursor=x`)),
    ).toBe(22);
    const deleted = await call('DELETE', `/v1/webhooks/${mine.id}?apiKey=${main.apiKey}`);
    expect(deleted.body).toBe('{"success":true,"code":200}');
    expect(await codeOf(call('DELETE', `/v1/webhooks/${mine.id}?apiKey=${main.apiKey}`))).toBe(37);
  });

  test("resends an event of the endpoint's tree; another tree's or an unknown event is 22", async () => {
    const mine = await register(main);
    const feed = (owner: SeededMain) =>
      call('GET', `/v1/events?apiKey=${owner.apiKey}`).then(
        (answer) => answer.json<{ data: { id: string }[] }>().data,
      );
    const [own] = await feed(main);
    const [foreign] = await feed(other);
    const resend = (eventId?: string) =>
      call('POST', `/v1/webhooks/${mine.id}/resend`, {
        apiKey: main.apiKey,
        ...(eventId === undefined ? {} : { eventId }),
      });
    const resent = await resend(own!.id);
    expect(resent.json()).toEqual({ success: true, code: 200, eventId: own!.id });
    expect(await codeOf(resend(foreign!.id))).toBe(22);
    expect(await codeOf(resend('evt_00000000-0000-0000-0000-000000000000'))).toBe(22);
    expect(await codeOf(resend())).toBe(22);
    // The operator's endpoints take any tree's events.
    const operators = (await admin('POST', '/admin/v1/webhooks', { url: RECEIVER })).json<{
      webhook: { id: string };
    }>();
    const byOperator = await admin('POST', `/admin/v1/webhooks/${operators.webhook.id}/resend`, {
      eventId: foreign!.id,
    });
    expect(byOperator.json()).toEqual({ success: true, code: 200, eventId: foreign!.id });
  });
});

describe('GET /v1/events', () => {
  test('pages the tree oldest first after a sequence, by type; nextAfter is after on an empty page', async () => {
    const sub = await seedSub(fixture.store, main, 'sub@example.com', '2');
    const page = async (query: string) =>
      (await call('GET', `/v1/events?apiKey=${main.apiKey}&${query}`)).json<{
        data: { sequence: number; type: string; accountId: number; data: Json }[];
        nextAfter: number;
      }>();
    const all = await page('');
    expect(all.data.map((event) => `${event.sequence} ${event.type}`)).toEqual([
      '1 transfer.created',
      '2 subaccount.created',
      '3 transfer.created',
    ]);
    expect(all.nextAfter).toBe(3);
    expect(all.data.every((event) => event.accountId === main.accountId)).toBe(true);
    expect(all.data[2]!.data).toMatchObject({ direction: 'add', tokenSubaccount: sub.token, amount: '2' });
    expect((await page('after=1&limit=1')).data.map((event) => event.sequence)).toEqual([2]);
    expect((await page('types=subaccount.created')).data.map((event) => event.sequence)).toEqual([2]);
    expect(await page('after=3')).toEqual({ success: true, code: 200, data: [], nextAfter: 3 });
  });

  test('codes: 1, 10, 4, then 22 for a bad after, limit or type', async () => {
    const events = (query: string) => codeOf(call('GET', `/v1/events?${query}`));
    expect(await events('')).toBe(1);
    expect(await events('apiKey=tl_nope')).toBe(10);
    for (const query of ['after=-1', 'after=x', 'limit=0', 'limit=1001', 'types=transfer.made', 'types=']) {
      const code = await events(`apiKey=${main.apiKey}&${query}`);
      expect(code, query).toBe(query === 'types=' ? 200 : 22);
    }
  });
});

describe('the operator', () => {
  test("reads any tree's events; 22 without accountId, 30 for no main account", async () => {
    const events = await admin('GET', `/admin/v1/events?accountId=${other.accountId}&limit=10`);
    expect(events.json<{ data: { accountId: number }[] }>().data).toEqual([
      expect.objectContaining({ accountId: other.accountId }),
    ]);
    expect(await codeOf(admin('GET', '/admin/v1/events'))).toBe(22);
    expect(await codeOf(admin('GET', '/admin/v1/events?accountId=999999'))).toBe(30);
    expect(await codeOf(admin('GET', `/admin/v1/events?accountId=${other.accountId}&after=x`))).toBe(22);
    expect(await codeOf(call('GET', `/admin/v1/events?accountId=${other.accountId}`))).toBe(29);
  });

  test("lists its own endpoints, or an account's; reaches every endpoint by id", async () => {
    const theirs = await register(other);
    const mine = (
      await admin('POST', '/admin/v1/webhooks', { url: RECEIVER, types: 'transfer.created' })
    ).json<{
      webhook: { id: string };
    }>().webhook;
    const ids = async (query: string) =>
      (await admin('GET', `/admin/v1/webhooks${query}`))
        .json<{ data: { id: string }[] }>()
        .data.map((item) => item.id);
    expect(await ids('')).toEqual([mine.id]);
    expect(await ids(`?accountId=${other.accountId}`)).toEqual([theirs.id]);
    expect(await codeOf(admin('GET', '/admin/v1/webhooks?accountId=999999'))).toBe(30);
    expect((await admin('GET', `/admin/v1/webhooks/${theirs.id}/deliveries`)).statusCode).toBe(200);
    expect((await admin('POST', `/admin/v1/webhooks/${theirs.id}/rotate-secret`)).statusCode).toBe(200);
    expect((await admin('DELETE', `/admin/v1/webhooks/${theirs.id}`)).statusCode).toBe(200);
    expect(await ids(`?accountId=${other.accountId}`)).toEqual([]);
  });
});
