import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { newTransferId } from '../../src/app/ids.js';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';

let fixture: AppFixture;
let main: SeededMain;
let sub: SeededSub;
let other: SeededSub;

beforeEach(async () => {
  fixture = await openApp();
  main = await seedMain(fixture.store, 'main@example.com', '100');
  sub = await seedSub(fixture.store, main, 'sub@example.com', null);
  other = await seedSub(fixture.store, main, 'other@example.com', null);
});

afterEach(() => fixture.remove());

function move(direction: 'add' | 'remove', credit: string, token = sub.token, key?: string) {
  return fixture.app.inject({
    method: 'POST',
    url: `/v1/subaccount/credit/${direction}`,
    payload: { apiKey: main.apiKey, credit, tokenSubaccount: token },
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });
}

function history(query: Record<string, string>, headers: Record<string, string> = {}) {
  const search = new URLSearchParams({ apiKey: main.apiKey, ...query });
  return fixture.app.inject({ method: 'GET', url: `/v1/subaccount/credit/transfers?${search}`, headers });
}

interface Item {
  id: string;
  direction: string;
  tokenSubaccount: string | null;
  amount: number;
  credit: number | null;
  subaccountCredit: number | null;
  createdAt: string;
  idempotencyKey: string | null;
}

describe('GET /v1/subaccount/credit/transfers', () => {
  test('lists every transfer of the caller newest first, with exact amounts and balances after', async () => {
    const added = (await move('add', '2.5', sub.token, 'key-1')).json<{ transferId: string }>();
    await move('remove', '0.5');
    await move('add', '1', other.token);
    const response = await history({});
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('"amount":0.5,"credit":98,"subaccountCredit":2,');
    const body = response.json<{ data: Item[]; nextCursor: string | null }>();
    expect(body.nextCursor).toBeNull();
    expect(body.data.map((item) => [item.direction, item.tokenSubaccount, item.amount])).toEqual([
      ['add', other.token, 1],
      ['remove', sub.token, 0.5],
      ['add', sub.token, 2.5],
      ['topup', null, 100],
    ]);
    expect(body.data[2]).toEqual({
      id: added.transferId,
      direction: 'add',
      tokenSubaccount: sub.token,
      amount: 2.5,
      credit: 97.5,
      subaccountCredit: 2.5,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      idempotencyKey: 'key-1',
    });
  });

  test('filters by subaccount and pages with a cursor', async () => {
    for (let i = 1; i <= 5; i++) await move('add', String(i));
    await move('add', '9', other.token);
    const first = (await history({ tokenSubaccount: sub.token, limit: '2' })).json<{
      data: Item[];
      nextCursor: string;
    }>();
    expect(first.data.map((item) => item.amount)).toEqual([5, 4]);
    const second = (
      await history({ tokenSubaccount: sub.token, limit: '2', cursor: first.nextCursor })
    ).json<{
      data: Item[];
      nextCursor: string;
    }>();
    expect(second.data.map((item) => item.amount)).toEqual([3, 2]);
    const last = (await history({ tokenSubaccount: sub.token, limit: '2', cursor: second.nextCursor })).json<{
      data: Item[];
      nextCursor: string | null;
    }>();
    expect(last).toMatchObject({ data: [{ amount: 1 }], nextCursor: null });
  });

  test('another owner’s token is 7, bad parameters 22, a bad key 10', async () => {
    const stranger = await seedMain(fixture.store, 'stranger@example.com', '1');
    const foreign = await seedSub(fixture.store, stranger, 'foreign@example.com', null);
    expect((await history({ tokenSubaccount: foreign.token })).json()).toMatchObject({ code: 7 });
    expect((await history({ limit: '0' })).json()).toMatchObject({ code: 22 });
    expect((await history({ since: 'yesterday' })).json()).toMatchObject({ code: 22 });
    expect((await history({ cursor: 'abc' })).json()).toMatchObject({ code: 22 });
    expect((await history({ apiKey: 'wrong' })).json()).toMatchObject({ code: 10 });
  });

  test('since and until bound the list', async () => {
    await move('add', '1');
    const now = new Date();
    const later = new Date(now.getTime() + 60_000).toISOString();
    expect((await history({ since: later })).json()).toMatchObject({ data: [] });
    expect((await history({ until: '2000-01-01' })).json()).toMatchObject({ data: [] });
    const all = (await history({ since: '2000-01-01', until: later })).json<{ data: Item[] }>();
    expect(all.data).toHaveLength(2);
  });

  test('Accept: text/csv gives the same rows as CSV', async () => {
    await move('add', '1.5', sub.token, '=cmd()');
    const json = (await history({})).json<{ data: Item[] }>();
    const csv = await history({}, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,direction,tokenSubaccount,amount,credit,subaccountCredit,createdAt,idempotencyKey',
    );
    const item = json.data[0]!;
    expect(lines[1]).toBe(`${item.id},add,${sub.token},1.5,98.5,1.5,${item.createdAt},'=cmd()`);
    expect(lines).toHaveLength(3);
  });
});

describe('GET /v1/subaccount/credit/transfers/{id}', () => {
  test('returns the caller’s transfer, and 27 for an unknown or foreign one', async () => {
    const { transferId } = (await move('add', '3')).json<{ transferId: string }>();
    const url = (id: string, apiKey = main.apiKey) =>
      `/v1/subaccount/credit/transfers/${id}?apiKey=${encodeURIComponent(apiKey)}`;
    const found = await fixture.app.inject({ method: 'GET', url: url(transferId) });
    expect(found.json()).toMatchObject({ success: true, transfer: { id: transferId, amount: 3 } });
    const stranger = await seedMain(fixture.store, 'stranger@example.com', '1');
    const foreign = await fixture.app.inject({ method: 'GET', url: url(transferId, stranger.apiKey) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 27 });
    expect((await fixture.app.inject({ method: 'GET', url: url(newTransferId()) })).json()).toMatchObject({
      code: 27,
    });
    expect((await fixture.app.inject({ method: 'GET', url: url('nope') })).json()).toMatchObject({
      code: 27,
    });
  });
});
