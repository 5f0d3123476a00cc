import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashApiKey } from '../../src/app/keys.js';
import { openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, StoreApp } from '../helpers/http-fixture.js';
import {
  availableOrSkip,
  codeOf,
  requests,
  serverStores,
  SURFACE_TOKEN,
  type Requests,
} from '../helpers/surface.js';

/**
 * The operator's subaccounts: POST /admin/v1/accounts/:id/subaccounts (the
 * owner's create, named by id) and GET /admin/v1/subaccounts (search by part
 * of an email or by token), on every store.
 */
interface Created {
  subaccount: { id: number; email: string; token: string; type: string; status: string; balance: string };
  apiKey: string | null;
  transferId: string | null;
}

interface Found {
  id: number;
  email: string;
  token: string;
  status: string;
  balance: string;
  accountId: number;
  accountEmail: string;
}

interface SearchPage {
  data: Found[];
  nextCursor: string | null;
}

let unique = 0;
/** A fresh address per call: the suite shares one store. */
const fresh = (name: string) => `${name}-${(unique += 1)}@example.com`;

for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`operator subaccounts: ${factory.name}`, () => {
    let fixture: StoreApp;
    let http: Requests;

    beforeAll(async () => {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN });
      http = requests(fixture);
    });
    afterAll(() => fixture.remove());

    const create = (id: number | string, body: unknown, headers: Record<string, string> = {}) =>
      http.post(`/admin/v1/accounts/${id}/subaccounts`, body, headers);
    const search = async (query: string) => {
      const answer = await http.get(`/admin/v1/subaccounts?${query}`);
      expect(answer.statusCode).toBe(200);
      return answer.json() as SearchPage;
    };
    const mainBalance = async (main: SeededMain) =>
      (
        (await http.get(`/admin/v1/accounts/${main.accountId}`)).json() as {
          account: { balance: string };
        }
      ).account.balance;
    const ledgerSize = async () => {
      const report = await fixture.store.verify();
      return { ok: report.ok, accounts: report.accounts, transfers: report.transfers };
    };

    describe('POST /admin/v1/accounts/:id/subaccounts', () => {
      test('creates a simple subaccount with its opening add, as its owner would', async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '100');
        const email = fresh('Shop');
        const answer = await create(
          main.accountId,
          { type: 'simple', parameters: { email, creditToAttribute: '12.5' } },
          { 'x-operator': 'alice' },
        );
        expect(answer.statusCode).toBe(200);
        const body = answer.json() as Created;
        expect(body).toMatchObject({
          success: true,
          code: 200,
          subaccount: { email, type: 'simple', status: 'active', balance: '12.500', held: '0.000' },
          apiKey: null,
        });
        expect(body.subaccount.token).toMatch(/^[0-9a-f]{32}$/);
        expect(await mainBalance(main)).toBe('87.500');
        const transfer = await fixture.store.getTransfer(body.transferId!);
        expect(transfer).toMatchObject({ kind: 'add', amountMicros: 12_500_000n });
        // The subaccount is the main account's own: its owner's key moves credit to it.
        const added = await http.post('/v1/subaccount/credit/add', {
          apiKey: main.apiKey,
          tokenSubaccount: body.subaccount.token,
          credit: '1',
        });
        expect(added.json()).toMatchObject({ code: 200, subaccountCredit: 13.5 });
        const events = (await http.get(`/admin/v1/events?accountId=${main.accountId}`)).json() as {
          data: { type: string; data: { email?: string } }[];
        };
        expect(events.data.filter((event) => event.type === 'subaccount.created')).toEqual([
          expect.objectContaining({ data: expect.objectContaining({ email }) }),
        ]);
        expect((await fixture.store.verify()).ok).toBe(true);
      });

      test('gives a simple subaccount without email a generated one, and no opening transfer', async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '0');
        const body = (await create(main.accountId, {})).json() as Created;
        expect(body.subaccount.email).toMatch(/^sub-[0-9a-f]{8}@subaccounts\.tirelire\.invalid$/);
        expect(body.subaccount.type).toBe('simple');
        expect(body.transferId).toBeNull();
      });

      test("shows an advanced subaccount's key once; it is the subaccount's", async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '0');
        const body = (
          await create(main.accountId, {
            type: 'advanced',
            parameters: { email: fresh('adv'), firstname: 'Ada', isBuyer: true },
          })
        ).json() as Created;
        expect(body.apiKey).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
        const caller = await fixture.store.authenticate(hashApiKey(body.apiKey!));
        expect(caller).toMatchObject({ accountId: body.subaccount.id, kind: 'sub' });
        const detail = await http.get(`/admin/v1/accounts/${main.accountId}`);
        expect(detail.body).not.toContain(body.apiKey);
        expect((await fixture.store.getAccount(body.subaccount.id))?.profile).toEqual({
          firstname: 'Ada',
          isBuyer: true,
        });
      });

      test('may give a suspended main account a subaccount', async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '0');
        expect(codeOf(await http.post(`/admin/v1/accounts/${main.accountId}/suspend`))).toBe(200);
        expect(codeOf(await create(main.accountId, { parameters: { email: fresh('sub') } }))).toBe(200);
      });

      test('refuses in the order of the operator API, and changes nothing', async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '5');
        const empty = await seedMain(fixture.store, fresh('empty'), '0');
        const taken = fresh('taken');
        await seedSub(fixture.store, main, taken, null);
        const sub = await seedSub(fixture.store, main, fresh('sub'), null);
        const subId = (await fixture.store.findSubaccountByToken(sub.token))!.id;
        const ok = { parameters: { email: fresh('new') } };
        const cases: [number | string, unknown, number, number][] = [
          ['abc', ok, 22, 400],
          [0, ok, 22, 400],
          [main.accountId, { type: 'premium' }, 22, 400],
          [main.accountId, { parameters: { email: 'not-an-email' } }, 22, 400],
          [main.accountId, { type: 'advanced' }, 22, 400],
          [main.accountId, { parameters: { email: fresh('x'), title: 't'.repeat(101) } }, 22, 400],
          [main.accountId, { parameters: 'text' }, 22, 400],
          [999_999_999, ok, 30, 404],
          [subId, ok, 30, 404],
          [1, ok, 30, 404],
          [main.accountId, { parameters: { email: fresh('x'), creditToAttribute: '1e3' } }, 20, 400],
          [main.accountId, { parameters: { email: fresh('x'), creditToAttribute: '-1' } }, 5, 400],
          [main.accountId, { parameters: { email: taken } }, 23, 409],
          [main.accountId, { parameters: { email: fresh('x'), creditToAttribute: '6' } }, 8, 422],
          [empty.accountId, { parameters: { email: fresh('x'), creditToAttribute: '1' } }, 6, 422],
        ];
        const before = await ledgerSize();
        for (const [id, body, code, status] of cases) {
          const answer = await create(id, body, { 'accept-language': 'en' });
          expect([id, body, answer.json()]).toEqual([
            id,
            body,
            expect.objectContaining({ success: false, code }),
          ]);
          expect(answer.statusCode).toBe(status);
        }
        expect(await ledgerSize()).toEqual(before);
        expect(codeOf(await create(main.accountId, ok, { 'x-operator': 'x'.repeat(65) }))).toBe(22);
        const noToken = await fixture.app.inject({
          method: 'POST',
          url: `/admin/v1/accounts/${main.accountId}/subaccounts`,
          headers: { authorization: `Bearer ${main.apiKey}` },
        });
        expect([noToken.statusCode, codeOf(noToken)]).toEqual([401, 29]);
        expect(await ledgerSize()).toEqual(before);
      });

      test("the same email under another main account is that account's business", async () => {
        const alice = await seedMain(fixture.store, fresh('alice'), '0');
        const bob = await seedMain(fixture.store, fresh('bob'), '0');
        const email = fresh('client');
        await seedSub(fixture.store, alice, email, null);
        expect(codeOf(await create(bob.accountId, { parameters: { email } }))).toBe(200);
      });

      test('Idempotency-Key: a retry replays the answer without the key and creates nothing', async () => {
        const main = await seedMain(fixture.store, fresh('reseller'), '10');
        const body = { type: 'advanced', parameters: { email: fresh('adv'), creditToAttribute: '2' } };
        const headers = { 'idempotency-key': `create-${unique}` };
        const first = await create(main.accountId, body, headers);
        const created = first.json() as Created;
        expect(created.apiKey).not.toBeNull();
        const before = await ledgerSize();
        const again = await create(main.accountId, body, headers);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.json()).toEqual({ ...created, apiKey: null });
        expect(created.transferId).not.toBeNull();
        expect(await fixture.store.getTransfer(created.transferId!)).toMatchObject({
          idempotencyKey: headers['idempotency-key'],
        });
        const other = await create(main.accountId, { ...body, type: 'simple' }, headers);
        expect([other.statusCode, codeOf(other)]).toEqual([409, 24]);
        expect(await ledgerSize()).toEqual(before);
        expect(await mainBalance(main)).toBe('8.000');
        expect(codeOf(await create(main.accountId, body, { 'idempotency-key': '' }))).toBe(26);
      });
    });

    describe('GET /admin/v1/subaccounts', () => {
      test('finds part of an email case-insensitively across main accounts, newest first, with their main account', async () => {
        const tag = `find${unique}`;
        const alice = await seedMain(fixture.store, fresh('alice'), '10');
        const bob = await seedMain(fixture.store, fresh('bob'), '0');
        const first = await seedSub(fixture.store, alice, `Shop.${tag}@Example.COM`, '2.5');
        await seedSub(fixture.store, alice, `other.${tag}@example.org`, null);
        const second = await seedSub(fixture.store, bob, `shop.${tag}@example.com`, null);
        const page = await search(`search=SHOP.${tag.toUpperCase()}@example.com`);
        expect(page.nextCursor).toBeNull();
        expect(page.data.map((found) => found.token)).toEqual([second.token, first.token]);
        expect(page.data[1]).toMatchObject({
          email: `Shop.${tag}@Example.COM`,
          status: 'active',
          balance: '2.500',
          type: 'simple',
          accountId: alice.accountId,
          accountEmail: alice.email,
        });
        expect(page.data[0]).toMatchObject({ accountId: bob.accountId, accountEmail: bob.email });
      });

      test('a whole token answers its subaccount alone; closed subaccounts are found too', async () => {
        const main = await seedMain(fixture.store, fresh('alice'), '10');
        const sub = await seedSub(fixture.store, main, fresh('tokened'), '1');
        const byToken = await search(`search=${sub.token}`);
        expect(byToken).toEqual({
          success: true,
          code: 200,
          data: [expect.objectContaining({ token: sub.token, accountId: main.accountId })],
          nextCursor: null,
        });
        const closed = await http.post(`/admin/v1/accounts/${main.accountId}/subaccounts/${sub.token}/close`);
        expect(codeOf(closed)).toBe(200);
        const again = await search(`search=${encodeURIComponent(sub.email)}`);
        expect(again.data).toEqual([
          expect.objectContaining({ token: sub.token, status: 'closed', balance: '0.000' }),
        ]);
        // A token's prefix is no token: it is looked for in emails only.
        expect((await search(`search=${sub.token.slice(0, 31)}`)).data).toEqual([]);
      });

      test('% and _ are plain text; every page is walked once with the cursor', async () => {
        const tag = `walk${unique}`;
        const main = await seedMain(fixture.store, fresh('alice'), '0');
        const made: string[] = [];
        for (let index = 0; index < 5; index += 1) {
          made.push((await seedSub(fixture.store, main, `${tag}_${index}@example.com`, null)).token);
        }
        await seedSub(fixture.store, main, `${tag}x1@example.com`, null);
        expect((await search(`search=${tag}%25`)).data).toEqual([]);
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const query: string = `search=${tag}_&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
          const page = await search(query);
          expect(page.data.length).toBeLessThanOrEqual(2);
          seen.push(...page.data.map((found) => found.token));
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(seen).toEqual([...made].reverse());
      });

      test('bounds its inputs (22) and answers only the operator (29)', async () => {
        for (const query of [
          'limit=0',
          'limit=101',
          'limit=ten',
          'cursor=abc',
          `search=${'a'.repeat(255)}`,
        ]) {
          const answer = await http.get(`/admin/v1/subaccounts?${query}`);
          expect([query, answer.statusCode, codeOf(answer)]).toEqual([query, 400, 22]);
        }
        expect((await search(`limit=100&search=${'a'.repeat(254)}`)).data).toEqual([]);
        const main = await seedMain(fixture.store, fresh('alice'), '0');
        const refused = await fixture.app.inject({
          url: '/admin/v1/subaccounts',
          headers: { authorization: `Bearer ${main.apiKey}` },
        });
        expect([refused.statusCode, codeOf(refused)]).toEqual([401, 29]);
      });

      test('a page examines a bounded window: short or empty pages go on to the older subaccounts', async () => {
        const tag = `window${unique}`;
        const main = await seedMain(fixture.store, fresh('alice'), '0');
        const hit = await seedSub(fixture.store, main, `hit.${tag}@example.com`, null);
        for (let index = 0; index < 4; index += 1) {
          await seedSub(fixture.store, main, `miss${index}.${tag}@example.com`, null);
        }
        const newest = await seedSub(fixture.store, main, `hit2.${tag}@example.com`, null);
        const query = { search: `HIT`, limit: 10, examineLimit: 2 };
        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await fixture.store.searchSubaccounts({ ...query, cursor });
          pages.push(page.items.map((item) => item.subaccount.token!));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && pages.length < 100);
        // Newest first, two subaccounts examined a page; other tests' subaccounts lie below this one's.
        expect(pages.slice(0, 3)).toEqual([[newest.token], [], [hit.token]]);
        expect(pages.flat().filter((token) => token === hit.token || token === newest.token)).toHaveLength(2);
        const all = await fixture.store.searchSubaccounts({ search: tag, limit: 10, examineLimit: 10_000 });
        expect(all.items.map((item) => item.subaccount.token)).toHaveLength(6);
        expect(all.nextCursor).toBeNull();
      });
    });
  });
}
