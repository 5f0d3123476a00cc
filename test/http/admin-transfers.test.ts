import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csvField, wantsCsv } from '../../src/http/csv.js';
import {
  openApp,
  seedMain,
  seedSub,
  type AppFixture,
  type SeededMain,
  type SeededSub,
} from '../helpers/http-fixture.js';
import { adminClient, ADMIN_TOKEN, type AdminClient } from '../helpers/admin.js';

let fixture: AppFixture;
let admin: AdminClient;
let main: SeededMain;
let sub: SeededSub;
let other: SeededMain;

interface TransferJson {
  id: string;
  kind: string;
  amount: string;
  accountId: number;
  tokenSubaccount: string | null;
  createdAt: string;
  reason: string | null;
}

beforeEach(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  admin = adminClient(fixture);
  main = await seedMain(fixture.store, 'main@example.com', '100'); // topup 1
  sub = await seedSub(fixture.store, main, 'sub@example.com', '10'); // add 2
  other = await seedMain(fixture.store, 'other@example.com', '5'); // topup 3
});
afterEach(() => fixture.remove());

function publicMove(direction: 'add' | 'remove', credit: string) {
  return fixture.app.inject({
    method: 'POST',
    url: `/v1/subaccount/credit/${direction}`,
    payload: { apiKey: main.apiKey, credit, tokenSubaccount: sub.token },
  });
}

async function list(query: string): Promise<{ data: TransferJson[]; nextCursor: string | null }> {
  const response = await admin.get(`/transfers${query}`);
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Follows nextCursor to the end; `between` runs after each page (to write meanwhile). */
async function walk(query: string, between: () => Promise<void> = async () => {}) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await list(`${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
    ids.push(...page.data.map((transfer) => transfer.id));
    cursor = page.nextCursor;
    pages += 1;
    await between();
  } while (cursor !== null && pages < 100);
  return { ids, pages };
}

describe('GET /transfers', () => {
  it('lists every transfer of the platform, newest first', async () => {
    await publicMove('remove', '1');
    await admin.post(`/accounts/${main.accountId}/charge`, { credit: '2', reason: 'usage' });
    const { data, nextCursor } = await list('');
    expect(nextCursor).toBeNull();
    expect(data.map((t) => [t.kind, t.amount, t.accountId])).toEqual([
      ['charge', '2.000', main.accountId],
      ['remove', '1.000', main.accountId],
      ['topup', '5.000', other.accountId],
      ['add', '10.000', main.accountId],
      ['topup', '100.000', main.accountId],
    ]);
    expect(data[0]).toMatchObject({ reason: 'usage', operator: 'alice', mainBalanceAfter: '89.000' });
    expect(data[1]).toMatchObject({
      tokenSubaccount: sub.token,
      mainBalanceAfter: '91.000',
      subaccountBalanceAfter: '9.000',
    });
  });

  it('filters by account, subaccount token and kind', async () => {
    await publicMove('add', '1');
    await admin.post(`/accounts/${other.accountId}/charge`, { credit: '1' });
    const byAccount = await list(`?accountId=${main.accountId}`);
    expect(byAccount.data.every((t) => t.accountId === main.accountId)).toBe(true);
    expect(byAccount.data).toHaveLength(3);
    const bySub = await list(`?tokenSubaccount=${sub.token}`);
    expect(bySub.data.map((t) => t.kind)).toEqual(['add', 'add']);
    const both = await list(`?accountId=${main.accountId}&tokenSubaccount=${sub.token}&kind=add`);
    expect(both.data).toHaveLength(2);
    const charges = await list('?kind=charge');
    expect(charges.data.map((t) => t.accountId)).toEqual([other.accountId]);
    const topups = await list(`?kind=topup&accountId=${other.accountId}`);
    expect(topups.data.map((t) => t.amount)).toEqual(['5.000']);
  });

  it('filters by date: since inclusive, until exclusive', async () => {
    const all = (await list('')).data;
    const newest = all[0]!.createdAt;
    const oldest = all[all.length - 1]!.createdAt;
    expect((await list(`?since=${newest}`)).data.length).toBeGreaterThanOrEqual(1);
    expect((await list(`?until=${oldest}`)).data).toEqual([]);
    expect((await list('?since=2999-01-01')).data).toEqual([]);
    expect((await list('?until=2999-01-01T00:00:00%2B02:00')).data).toHaveLength(3);
    expect((await list('?since=2000-01-01&until=2999-12-31')).data).toHaveLength(3);
  });

  it('walks pages with the cursor with no gap or duplicate, even while transfers are written', async () => {
    for (let i = 0; i < 20; i++) await publicMove(i % 2 === 0 ? 'add' : 'remove', '0.01');
    const before = (await list('?limit=1000')).data.map((t) => t.id);
    expect(before).toHaveLength(23);
    const quiet = await walk('?limit=4');
    expect(quiet.pages).toBe(6);
    expect(quiet.ids).toEqual(before);
    // Transfers written between pages are newer than the first page: they never
    // shift the pages already being read.
    const busy = await walk('?limit=5', async () => {
      await publicMove('add', '0.01');
    });
    expect(busy.ids).toEqual(before);
    const filtered = await walk(`?limit=3&tokenSubaccount=${sub.token}`);
    expect(new Set(filtered.ids).size).toBe(filtered.ids.length);
    expect(filtered.ids.length).toBe(1 + 20 + busy.pages);
  });

  it.each([
    ['accountId=abc', 22],
    ['accountId=0', 22],
    ['accountId=999999', 30],
    ['tokenSubaccount=nope', 7],
    ['kind=refund', 22],
    ['since=yesterday', 22],
    ['since=2026-02-30', 22],
    ['since=2026-01-01T10:00:00', 22],
    ['until=2026-13-01', 22],
    ['limit=0', 22],
    ['limit=1001', 22],
    ['cursor=abc', 22],
    ['cursor=0', 22],
  ])('%s answers %i', async (query, code) => {
    const response = await admin.get(`/transfers?${query}`, { 'accept-language': 'en' });
    expect(response.json()).toMatchObject({ success: false, code });
  });

  it("answers 7 for a token of another main account's subaccount", async () => {
    const response = await admin.get(`/transfers?accountId=${other.accountId}&tokenSubaccount=${sub.token}`);
    expect(response.json()).toMatchObject({ code: 7 });
  });
});

describe('GET /transfers as CSV', () => {
  it('answers a header row and one RFC 4180 row per transfer, money exact', async () => {
    await admin.post(`/accounts/${main.accountId}/topup`, {
      credit: '0.000001',
      reason: 'say "hi", then\nbye',
    });
    const response = await admin.get(`/transfers?accountId=${main.accountId}`, { accept: 'text/csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe(
      'id,kind,amount,accountId,tokenSubaccount,debitAccountId,creditAccountId,mainBalanceAfter,' +
        'subaccountBalanceAfter,reason,operator,idempotencyKey,createdAt',
    );
    expect(response.body.endsWith('\r\n')).toBe(true);
    const json = (await list(`?accountId=${main.accountId}`)).data;
    // Rows end with CRLF; the bare LF inside the quoted reason is data, not a row end.
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${json[0]!.id},topup,0\\.000001,${main.accountId},,1,${main.accountId},90\\.000001,,` +
          `"say ""hi"", then\nbye",alice,,\\d{4}-\\d\\d-\\d\\dT[^,]+Z$`,
      ),
    );
    expect(lines[2]).toContain(`,add,10.000,${main.accountId},${sub.token},`);
  });

  it('bounds an export by limit and gives the next cursor in a header', async () => {
    const response = await admin.get('/transfers?limit=2', { accept: 'text/csv' });
    expect(response.body.split('\r\n')).toHaveLength(4);
    const next = response.headers['x-next-cursor'];
    expect(typeof next).toBe('string');
    const rest = await admin.get(`/transfers?cursor=${String(next)}`, { accept: 'text/csv' });
    expect(rest.body.split('\r\n')).toHaveLength(3);
    expect(rest.headers['x-next-cursor']).toBeUndefined();
  });

  it('refuses in JSON, like every error', async () => {
    const response = await admin.get('/transfers?kind=nope', { accept: 'text/csv' });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toMatchObject({ code: 22 });
  });
});

describe('CSV helpers', () => {
  it.each([
    [null, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['a"b', '"a""b"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['-5 refund', "'-5 refund"],
    [42, '42'],
  ])('csvField(%j) → %s', (value, text) => {
    expect(csvField(value)).toBe(text);
  });

  it.each([
    ['text/csv', true],
    ['text/csv;q=0.5, application/json', false],
    ['application/json;q=0.1, text/csv', true],
    ['*/*', false],
    ['text/csv;q=0', false],
    [undefined, false],
  ])('wantsCsv(%j) → %s', (accept, expected) => {
    expect(wantsCsv(accept)).toBe(expected);
  });
});
