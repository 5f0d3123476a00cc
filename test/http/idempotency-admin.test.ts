import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ADMIN_TOKEN, adminClient, type AdminClient } from '../helpers/admin.js';
import { openApp, seedMain, seedSub, type AppFixture, type SeededMain } from '../helpers/http-fixture.js';

let fixture: AppFixture;
let admin: AdminClient;
let main: SeededMain;

beforeEach(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  admin = adminClient(fixture);
  main = await seedMain(fixture.store, 'main@example.com', '10');
});

afterEach(() => fixture.remove());

const transfers = async () => (await fixture.store.verify()).transfers;

describe('Idempotency-Key on the operator API', () => {
  test('a retried top-up replays its answer byte for byte and tops up once', async () => {
    const key = { 'idempotency-key': 'payment-42' };
    const first = await admin.post(`/accounts/${main.accountId}/topup`, { credit: '5', reason: 'p42' }, key);
    expect(first.json()).toMatchObject({ success: true, account: { balance: '15.000' } });
    const count = await transfers();
    const again = await admin.post(`/accounts/${main.accountId}/topup`, { credit: '5', reason: 'p42' }, key);
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await transfers()).toBe(count);
    const other = await admin.post(`/accounts/${main.accountId}/topup`, { credit: '6', reason: 'p42' }, key);
    expect(other.json()).toMatchObject({ code: 24 });
    const otherOperator = await admin.post(
      `/accounts/${main.accountId}/topup`,
      { credit: '5', reason: 'p42' },
      { ...key, 'x-operator': 'bob' },
    );
    expect(otherOperator.json()).toMatchObject({ code: 24 });
  });

  test('a refused charge is recorded; a charge of a subaccount replays', async () => {
    const sub = await seedSub(fixture.store, main, 'sub@example.com', '1');
    const refused = await admin.post(
      `/accounts/${main.accountId}/charge`,
      { credit: '2', tokenSubaccount: sub.token },
      { 'idempotency-key': 'c1' },
    );
    expect(refused.json()).toMatchObject({ code: 8 });
    const ok = () =>
      admin.post(
        `/accounts/${main.accountId}/charge`,
        { credit: '0.5', tokenSubaccount: sub.token },
        { 'idempotency-key': 'c2' },
      );
    const first = await ok();
    expect(first.statusCode).toBe(200);
    expect((await ok()).body).toBe(first.body);
    const page = await fixture.store.listSubaccounts(main.accountId, 1, 20);
    expect(page.items[0]!.balanceMicros).toBe(500_000n);
  });

  test("the operator's transfers show their Idempotency-Key in the history, as the public history does", async () => {
    const sub = await seedSub(fixture.store, main, 'keyed-sub@example.com', '1');
    const topup = await admin.post(
      `/accounts/${main.accountId}/topup`,
      { credit: '5' },
      { 'idempotency-key': 'inv-7' },
    );
    const charge = await admin.post(
      `/accounts/${main.accountId}/charge`,
      { credit: '0.5', tokenSubaccount: sub.token },
      { 'idempotency-key': 'use-8' },
    );
    const plain = await admin.post(`/accounts/${main.accountId}/topup`, { credit: '1' });
    const history = await admin.get(`/transfers?accountId=${main.accountId}`);
    const keyOf = new Map(
      history
        .json<{ data: { id: string; idempotencyKey: string | null }[] }>()
        .data.map((transfer) => [transfer.id, transfer.idempotencyKey]),
    );
    const idOf = (answer: typeof topup) => answer.json<{ transfer: { id: string } }>().transfer.id;
    expect(keyOf.get(idOf(topup))).toBe('inv-7');
    expect(keyOf.get(idOf(charge))).toBe('use-8');
    expect(keyOf.get(idOf(plain))).toBeNull();
  });

  test('a retried account creation answers the same account, once, and never the key again', async () => {
    const create = () =>
      admin.post('/accounts', { email: 'new@example.com', credit: '3' }, { 'idempotency-key': 'new-1' });
    const first = await create();
    const made = first.json() as { apiKey: string };
    expect(made).toMatchObject({ success: true, apiKey: expect.stringMatching(/^tl_/) });
    const again = await create();
    expect(again.body).toBe(first.body.replace(JSON.stringify(made.apiKey), 'null'));
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(
      (await admin.post('/accounts', { email: 'x@example.com' }, { 'idempotency-key': '' })).json(),
    ).toMatchObject({ code: 26 });
  });
});
