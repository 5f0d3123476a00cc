import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;

beforeEach(async () => {
  fixture = await openApp();
  main = await seedMain(fixture.store, 'main@example.com', '100');
  sub = await seedSub(fixture.store, main, 'sub@example.com', null);
});

afterEach(() => fixture.remove());

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fixture.app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers });
}

function add(key: string | null, credit: string | number = '1', extra: Record<string, string> = {}) {
  const headers = key === null ? extra : { 'idempotency-key': key, ...extra };
  return post(
    '/v1/subaccount/credit/add',
    { apiKey: main.apiKey, credit, tokenSubaccount: sub.token },
    headers,
  );
}

const transferCount = async () => (await fixture.store.verify()).transfers;
const subBalance = async () => {
  const page = await fixture.store.listSubaccounts(main.accountId, 1, 20);
  return page.items[0]!.balanceMicros;
};

describe('Idempotency-Key on the credit routes', () => {
  test('a retry gets the first answer byte for byte, marked replayed, and moves nothing', async () => {
    const first = await add('retry-1', '2.5');
    expect(first.statusCode).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const before = await transferCount();
    // Another language and the amount as a number: the same request, the first bytes.
    const again = await add('retry-1', 2.5, { 'accept-language': 'en' });
    expect(again.statusCode).toBe(first.statusCode);
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await transferCount()).toBe(before);
    expect(await subBalance()).toBe(2_500_000n);
  });

  test('the same key with another request is 24, and the first stays recorded', async () => {
    const first = await add('k', '1');
    const other = await add('k', '2');
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ success: false, code: 24 });
    const remove = await post(
      '/v1/subaccount/credit/remove',
      { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
      { 'idempotency-key': 'k' },
    );
    expect(remove.json()).toMatchObject({ code: 24 });
    expect((await add('k', '1')).body).toBe(first.body);
    expect(await subBalance()).toBe(1_000_000n);
  });

  test('keys are scoped to the API key: another caller may use the same key', async () => {
    const other = await seedMain(fixture.store, 'other@example.com', '10');
    const otherSub = await seedSub(fixture.store, other, 'other-sub@example.com', null);
    await add('shared', '1');
    const response = await post(
      '/v1/subaccount/credit/add',
      { apiKey: other.apiKey, credit: '1', tokenSubaccount: otherSub.token },
      { 'idempotency-key': 'shared' },
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['idempotent-replayed']).toBeUndefined();
  });

  test('a business refusal is recorded: the retry gets it even once it would succeed', async () => {
    const removal = () =>
      post(
        '/v1/subaccount/credit/remove',
        { apiKey: main.apiKey, credit: '1', tokenSubaccount: sub.token },
        { 'idempotency-key': 'refused' },
      );
    const first = await removal();
    expect(first.json()).toMatchObject({ code: 6 });
    await add(null, '5');
    const again = await removal();
    expect(again.body).toBe(first.body);
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  test('a wrong API key is not recorded', async () => {
    const wrong = () =>
      post(
        '/v1/subaccount/credit/add',
        { apiKey: 'nope', credit: '1', tokenSubaccount: sub.token },
        { 'idempotency-key': 'w' },
      );
    expect((await wrong()).json()).toMatchObject({ code: 10 });
    expect((await wrong()).headers['idempotent-replayed']).toBeUndefined();
  });

  test.each([
    ['empty', ''],
    ['256 characters', 'x'.repeat(256)],
  ])('a key that is %s is 26 and changes nothing', async (_name, key) => {
    const response = await add(key);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 26 });
    expect(await subBalance()).toBe(0n);
  });

  test('a 255-character key is accepted and kept on the transfer', async () => {
    const key = 'k'.repeat(255);
    const response = await add(key);
    expect(response.statusCode).toBe(200);
    const transfer = await fixture.store.getTransfer(response.json<{ transferId: string }>().transferId);
    expect(transfer?.idempotencyKey).toBe(key);
  });

  test('50 concurrent requests with one key move the money once; all get the same answer', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => add('burst', '1')));
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(answers.filter((answer) => answer.headers['idempotent-replayed'] === 'true')).toHaveLength(49);
    expect(await subBalance()).toBe(1_000_000n);
    expect((await fixture.store.verify()).ok).toBe(true);
  });
});

describe('Idempotency-Key on create', () => {
  const create = (key: string, email: string, extra: Record<string, unknown> = {}) =>
    post(
      '/v1/subaccount/create',
      { apiKey: main.apiKey, type: 'advanced', parameters: { email, creditToAttribute: '3', ...extra } },
      { 'idempotency-key': key },
    );

  test('a retried create answers the same subaccount and transfer, without the key; one subaccount exists', async () => {
    const first = await create('c1', 'new@example.com');
    const made = first.json() as { subaccount: { apiKey: string } };
    expect(made).toMatchObject({ success: true, transferId: expect.any(String) });
    expect(made.subaccount.apiKey).toMatch(/^tl_/);
    const again = await create('c1', 'new@example.com');
    // Keys are stored only as hashes: the record, and so the replay, carries null in its place.
    expect(again.body).toBe(first.body.replace(JSON.stringify(made.subaccount.apiKey), 'null'));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await fixture.store.listSubaccounts(main.accountId, 1, 20)).total).toBe(2);
    const changed = await create('c1', 'new@example.com', { title: 'Dr' });
    expect(changed.json()).toMatchObject({ code: 24 });
  });

  test('a refused create (23) is replayed as refused', async () => {
    const first = await create('c2', 'sub@example.com');
    expect(first.json()).toMatchObject({ code: 23 });
    expect((await create('c2', 'sub@example.com')).headers['idempotent-replayed']).toBe('true');
  });
});

describe('Idempotency-Key on the batch route', () => {
  const batch = (key: string, credits: string[]) =>
    post(
      '/v1/subaccount/credit/batch',
      {
        apiKey: main.apiKey,
        operations: credits.map((credit) => ({ direction: 'add', tokenSubaccount: sub.token, credit })),
      },
      { 'idempotency-key': key },
    );

  test('a retried batch replays its answer and applies nothing again; another batch under the key is 24', async () => {
    const first = await batch('b1', ['1', '2', '1000']);
    expect(first.statusCode).toBe(200);
    const again = await batch('b1', ['1', '2', '1000']);
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await subBalance()).toBe(3_000_000n);
    expect((await batch('b1', ['1'])).json()).toMatchObject({ code: 24 });
    const history = await fixture.store.listTransfers({
      mainAccountId: main.accountId,
      kind: 'add',
      limit: 10,
    });
    expect(history.items.map((transfer) => transfer.idempotencyKey)).toEqual(['b1', 'b1']);
  });
});
