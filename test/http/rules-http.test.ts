import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub, StoreApp } from '../helpers/http-fixture.js';
import { encodeBody } from '../helpers/request-encoding.js';
import {
  availableOrSkip,
  codeOf,
  requests,
  serverStores,
  SURFACE_TOKEN,
  type Requests,
} from '../helpers/surface.js';

/**
 * Balance rules over HTTP (contract section 8): the public route for a
 * subaccount, the operator's for any account, codes in order, a patch's
 * absent / null / value, and the rules at work on the operator's charges.
 */
const NONE = { lowBalance: null, autoTopup: null, spendingCap: null };

for (const factory of serverStores) {
  const available = await availableOrSkip(factory);

  describe.skipIf(!available)(`balance rules over HTTP: ${factory.name}`, () => {
    let fixture: StoreApp;
    let http: Requests;
    let alice: SeededMain;
    let bob: SeededMain;
    let bobSub: SeededSub;

    beforeAll(async () => {
      fixture = await openAppOn(factory, { adminToken: SURFACE_TOKEN });
      http = requests(fixture);
      alice = await seedMain(fixture.store, 'alice@example.com', '1000');
      bob = await seedMain(fixture.store, 'bob@example.com', '100');
      bobSub = await seedSub(fixture.store, bob, 'bob-sub@example.com', '1');
    });
    afterAll(() => fixture.remove());

    const setRules = (body: Record<string, unknown>) =>
      http.post('/v1/subaccount/rules', { apiKey: alice.apiKey, ...body });
    const getRules = (token: string) =>
      http.get(`/v1/subaccount/rules?apiKey=${alice.apiKey}&tokenSubaccount=${token}`);
    const rulesOf = async (token: string) => (await getRules(token)).json() as { rules: unknown };

    test('set, read back, change one, remove one: the POST answers what a GET then reads', async () => {
      const sub = await seedSub(fixture.store, alice, 'rules@example.com', '10');
      expect(await rulesOf(sub.token)).toEqual({ success: true, code: 200, rules: NONE });
      const set = await setRules({
        tokenSubaccount: sub.token,
        lowBalance: 10,
        autoTopup: { below: '5', to: '20.5' },
        spendingCap: { amount: '100', period: 'day' },
      });
      const expected = {
        lowBalance: '10.000',
        autoTopup: { below: '5.000', to: '20.500' },
        spendingCap: { amount: '100.000', period: 'day' },
      };
      expect(set.json()).toEqual({ success: true, code: 200, rules: expected });
      expect(set.body).toBe((await getRules(sub.token)).body);
      const changed = await setRules({
        tokenSubaccount: sub.token,
        autoTopup: { below: '1', add: '2.000001' },
      });
      expect((changed.json() as { rules: unknown }).rules).toEqual({
        ...expected,
        autoTopup: { below: '1.000', add: '2.000001' },
      });
      const removed = await setRules({ tokenSubaccount: sub.token, lowBalance: null, spendingCap: null });
      expect((removed.json() as { rules: unknown }).rules).toEqual({
        ...NONE,
        autoTopup: { below: '1.000', add: '2.000001' },
      });
      expect((await setRules({ tokenSubaccount: sub.token })).body).toBe(removed.body);
    });

    test('a form sets nested rules and removes one with the text null; XML answers too', async () => {
      const sub = await seedSub(fixture.store, alice, 'form@example.com', '10');
      await setRules({ tokenSubaccount: sub.token, lowBalance: '3' });
      const fields = {
        apiKey: alice.apiKey,
        tokenSubaccount: sub.token,
        'autoTopup[below]': '2',
        'autoTopup[to]': '4',
        lowBalance: 'null',
      };
      for (const encoding of ['form', 'multipart'] as const) {
        const body = await encodeBody(fields, encoding);
        const answer = await http.send({ method: 'POST', url: '/v1/subaccount/rules', ...body });
        expect(answer.json()).toEqual({
          success: true,
          code: 200,
          rules: { ...NONE, autoTopup: { below: '2.000', to: '4.000' } },
        });
      }
      const xml = await http.get(
        `/v1/subaccount/rules?apiKey=${alice.apiKey}&tokenSubaccount=${sub.token}&_format=xml`,
      );
      expect(xml.headers['content-type']).toContain('application/xml');
      expect(xml.body).toContain('<![CDATA[2.000]]>');
    });

    test('codes in order: 1, 3, 10, 4, 7, then the patch (22, 20, 5) rule by rule; a refused patch changes nothing', async () => {
      const sub = await seedSub(fixture.store, alice, 'codes@example.com', '1');
      const advanced = await seedSub(fixture.store, alice, 'codes-adv@example.com', null, 'advanced');
      await setRules({ tokenSubaccount: sub.token, lowBalance: '7' });
      const before = (await getRules(sub.token)).body;
      const rows: [Record<string, unknown>, number][] = [
        [{ apiKey: undefined, lowBalance: 'x' }, 1],
        [{ tokenSubaccount: undefined, lowBalance: 'x' }, 3],
        [{ apiKey: 'tl_nope', lowBalance: 'x' }, 10],
        [{ apiKey: advanced.apiKey, lowBalance: 'x' }, 4],
        [{ tokenSubaccount: bobSub.token, lowBalance: 'x' }, 7],
        [{ tokenSubaccount: 'f'.repeat(32) }, 7],
        [{ autoTopup: { below: '5', to: '5' } }, 22],
        [{ autoTopup: { below: '5', to: '9', add: '1' } }, 22],
        [{ autoTopup: { below: '5' } }, 22],
        [{ autoTopup: { to: '9' } }, 22],
        [{ autoTopup: { below: '5', to: '9', extra: '1' } }, 22],
        [{ autoTopup: '5' }, 22],
        [{ spendingCap: { amount: '5', period: 'week' } }, 22],
        [{ spendingCap: { amount: '5' } }, 22],
        [{ spendingCap: { amount: '1e3', period: 'day' } }, 20],
        [{ lowBalance: '1.1234567' }, 20],
        [{ lowBalance: true }, 20],
        [{ lowBalance: '0' }, 5],
        // Field by field, in the body's order of rules (the domain's applyRulesPatch).
        [{ lowBalance: '-1', spendingCap: { amount: '5', period: 'year' } }, 5],
        [{ lowBalance: '2', spendingCap: { amount: '-5', period: 'day' } }, 5],
      ];
      for (const [fields, code] of rows) {
        const body: Record<string, unknown> = { apiKey: alice.apiKey, tokenSubaccount: sub.token, ...fields };
        for (const [name, value] of Object.entries(fields)) if (value === undefined) delete body[name];
        const answer = await http.post('/v1/subaccount/rules', body);
        expect(codeOf(answer), JSON.stringify(fields)).toBe(code);
      }
      expect((await getRules(sub.token)).body).toBe(before);
    });

    test('the operator: a main account (no automatic top-up: 22) and a subaccount; 30 and 7', async () => {
      const sub = await seedSub(fixture.store, alice, 'op@example.com', '1');
      const base = `/admin/v1/accounts/${alice.accountId}/rules`;
      const main = await http.post(base, {
        lowBalance: '50',
        spendingCap: { amount: '500', period: 'month' },
      });
      expect(main.json()).toEqual({
        success: true,
        code: 200,
        rules: { lowBalance: '50.000', autoTopup: null, spendingCap: { amount: '500.000', period: 'month' } },
      });
      expect(codeOf(await http.post(base, { autoTopup: { below: '1', to: '2' } }))).toBe(22);
      expect((await http.get(base)).body).toBe(main.body);
      const onSub = await http.post(`${base}?tokenSubaccount=${sub.token}`, { lowBalance: '0.5' });
      expect((onSub.json() as { rules: unknown }).rules).toEqual({ ...NONE, lowBalance: '0.500' });
      expect((await http.get(`${base}?tokenSubaccount=${sub.token}`)).body).toBe(onSub.body);
      expect((await getRules(sub.token)).body).toBe(onSub.body);
      expect(codeOf(await http.get('/admin/v1/accounts/999999/rules'))).toBe(30);
      expect(codeOf(await http.get(`${base}?tokenSubaccount=${bobSub.token}`))).toBe(7);
      expect(codeOf(await http.post('/admin/v1/accounts/abc/rules', {}))).toBe(22);
      const account = (await http.get(`/admin/v1/accounts/${alice.accountId}`)).json() as {
        account: { rules: unknown };
        subaccounts: { token: string; rules: unknown }[];
      };
      expect(account.account.rules).toEqual((main.json() as { rules: unknown }).rules);
      expect(account.subaccounts.find((item) => item.token === sub.token)!.rules).toEqual({
        ...NONE,
        lowBalance: '0.500',
      });
      await http.post(base, { lowBalance: null, spendingCap: null });
    });

    test('the rules at work on operator charges: a cap (32), then an automatic top-up shown in the answer', async () => {
      const sub = await seedSub(fixture.store, alice, 'work@example.com', '2');
      await setRules({ tokenSubaccount: sub.token, spendingCap: { amount: '3', period: 'day' } });
      const charge = (credit: string, key?: string) =>
        http.post(
          `/admin/v1/accounts/${alice.accountId}/charge`,
          { credit, tokenSubaccount: sub.token },
          key === undefined ? {} : { 'idempotency-key': key },
        );
      expect(codeOf(await charge('1.5'))).toBe(200);
      expect(codeOf(await charge('1.6'))).toBe(32);
      expect(codeOf(await charge('0.5'))).toBe(200);
      await setRules({ tokenSubaccount: sub.token, spendingCap: null, autoTopup: { below: '1', to: '5' } });
      const mainBefore = (await fixture.store.getAccount(alice.accountId))!.balanceMicros;
      const charged = await charge('2', 'charge-with-topup');
      expect(charged.statusCode).toBe(200);
      // The sub had 0: a top-up of 7 leaves 5 after the charge of 2; the answer's main account shows it.
      const main = (charged.json() as { account: { balance: string } }).account;
      expect(main.balance).toBe(((Number(mainBefore) - 7_000_000) / 1e6).toFixed(3));
      expect((await fixture.store.findSubaccountByToken(sub.token))!.balanceMicros).toBe(5_000_000n);
      const replay = await charge('2', 'charge-with-topup');
      expect(replay.body).toBe(charged.body);
      const kinds = (
        (await http.get(`/admin/v1/transfers?tokenSubaccount=${sub.token}`)).json() as {
          data: { kind: string }[];
        }
      ).data.map((item) => item.kind);
      expect(kinds.slice(0, 2)).toEqual(['charge', 'autotopup']);
      expect((await fixture.store.verify()).ok).toBe(true);
    });
  });
}
