import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decideCredit } from '../../src/domain/ledger-rules.js';
import { LedgerDraft } from '../../src/domain/ledger-draft.js';
import { NO_RULES } from '../../src/domain/rules.js';
import { openAppOn, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub, StoreApp } from '../helpers/http-fixture.js';
import { startServerProcess } from '../helpers/server-process.js';
import { storeFactories } from '../helpers/stores.js';

/**
 * A main account can never read or move another's money: another owner's
 * subaccount answers exactly like one that does not exist (7); a subaccount's
 * key and a suspended account's key get 4, on every route. The decision is the
 * domain's, but the rows it sees are each store's own queries: every store runs it.
 */

for (const factory of storeFactories) {
  const available = await factory.available();
  if (!available && process.env['CI']) throw new Error(`${factory.name} must be reachable in CI`);

  describe.skipIf(!available)(`tenancy isolation: ${factory.name}`, () => {
    let fixture: StoreApp;
    let alice: SeededMain;
    let bob: SeededMain;
    let aliceSub: SeededSub;
    let bobSub: SeededSub;
    let bobAdvanced: SeededSub;
    let suspended: SeededMain;

    beforeAll(async () => {
      fixture = await openAppOn(factory);
      alice = await seedMain(fixture.store, 'alice@example.com', '100');
      bob = await seedMain(fixture.store, 'bob@example.com', '100');
      aliceSub = await seedSub(fixture.store, alice, 'alice-sub@example.com', '10');
      bobSub = await seedSub(fixture.store, bob, 'bob-sub@example.com', '10');
      bobAdvanced = await seedSub(fixture.store, bob, 'bob-adv@example.com', '5', 'advanced');
      suspended = await seedMain(fixture.store, 'suspended@example.com', '100');
      await seedSub(fixture.store, suspended, 'suspended-sub@example.com', '1');
      await fixture.store.setStatus(suspended.accountId, 'suspended');
    });
    afterAll(() => fixture.remove());

    function post(url: string, payload: Record<string, unknown>) {
      return fixture.app.inject({ method: 'POST', url, payload });
    }

    async function balances(): Promise<string> {
      const report = await fixture.store.verify();
      expect(report.ok).toBe(true);
      const accounts = await Promise.all(
        [alice, bob, suspended].map((main) => fixture.store.getAccount(main.accountId)),
      );
      return JSON.stringify({
        transfers: report.transfers,
        balances: accounts.map((a) => a?.balanceMicros.toString()),
      });
    }

    describe('another owner’s subaccount', () => {
      test.each(['add', 'remove'])(
        '%s answers exactly like a token that does not exist',
        async (direction) => {
          const before = await balances();
          const url = `/v1/subaccount/credit/${direction}`;
          const other = await post(url, { apiKey: alice.apiKey, credit: '1', tokenSubaccount: bobSub.token });
          const missing = await post(url, {
            apiKey: alice.apiKey,
            credit: '1',
            tokenSubaccount: 'f'.repeat(32),
          });
          expect(other.statusCode).toBe(404);
          expect(other.json()).toEqual({ success: false, code: 7, message: "Le sous-compte n'existe pas" });
          expect(other.statusCode).toBe(missing.statusCode);
          expect(other.body).toBe(missing.body);
          expect(Object.keys(other.headers).sort()).toEqual(Object.keys(missing.headers).sort());
          expect(await balances()).toBe(before);
        },
      );

      test('timing: other owner’s token and a missing token answer in the same time (within noise)', async () => {
        const url = '/v1/subaccount/credit/add';
        const samples: Record<'other' | 'missing', number[]> = { other: [], missing: [] };
        // Interleaved, so drift (JIT, GC, disk cache) hits both sides alike.
        for (let i = 0; i < 300; i += 1) {
          for (const kind of i % 2 === 0
            ? (['other', 'missing'] as const)
            : (['missing', 'other'] as const)) {
            const token = kind === 'other' ? bobSub.token : `${'e'.repeat(31)}${i % 10}`;
            const started = process.hrtime.bigint();
            await post(url, { apiKey: alice.apiKey, credit: '1', tokenSubaccount: token });
            samples[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
          }
        }
        const median = (values: number[]) =>
          [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
        const [other, missing] = [median(samples.other), median(samples.missing)];
        // Generous bounds: a difference an attacker could use would be a systematic extra query, not noise.
        expect(Math.abs(other - missing)).toBeLessThan(Math.max(0.25, 0.3 * Math.min(other, missing)));
      });

      test('history, a transfer and a batch of another owner’s answer as if they did not exist', async () => {
        const get = (url: string) => fixture.app.inject({ method: 'GET', url });
        const bobHistory = await get(
          `/v1/subaccount/credit/transfers?apiKey=${bob.apiKey}&tokenSubaccount=${bobSub.token}`,
        );
        const bobTransfer = (bobHistory.json() as { data: { id: string }[] }).data[0]!.id;
        const history = await get(
          `/v1/subaccount/credit/transfers?apiKey=${alice.apiKey}&tokenSubaccount=${bobSub.token}`,
        );
        expect(history.json()).toMatchObject({ success: false, code: 7 });
        const transfer = await get(`/v1/subaccount/credit/transfers/${bobTransfer}?apiKey=${alice.apiKey}`);
        const missing = await get(`/v1/subaccount/credit/transfers/${randomUUID()}?apiKey=${alice.apiKey}`);
        expect(transfer.json()).toMatchObject({ success: false, code: 27 });
        expect(transfer.body).toBe(missing.body);
        const before = await balances();
        const batch = await post('/v1/subaccount/credit/batch', {
          apiKey: alice.apiKey,
          operations: [{ direction: 'add', tokenSubaccount: bobSub.token, credit: '1' }],
        });
        expect(batch.json()).toMatchObject({ results: [{ success: false, code: 7 }] });
        expect(await balances()).toBe(before);
      });

      test('the list shows only the caller’s own subaccounts; create cannot reach another owner', async () => {
        const list = await fixture.app.inject({
          method: 'GET',
          url: `/v1/subaccount/list?apiKey=${alice.apiKey}`,
        });
        const tokens = (list.json() as { data: { token: string }[] }).data.map((item) => item.token);
        expect(tokens).toEqual([aliceSub.token]);
        const created = await post('/v1/subaccount/create', {
          apiKey: alice.apiKey,
          parameters: { email: bobSub.email },
        });
        // Email uniqueness is per owner: alice gets a subaccount of her own, bob's is untouched.
        expect(created.json()).toMatchObject({ success: true, parent_email: alice.email });
        const bobList = await fixture.app.inject({
          method: 'GET',
          url: `/v1/subaccount/list?apiKey=${bob.apiKey}`,
        });
        expect((bobList.json() as { total: number }).total).toBe(2);
      });
    });

    describe('keys that are not an active main account’s get 4 everywhere', () => {
      const requests = () =>
        [
          {
            method: 'POST',
            url: '/v1/subaccount/credit/add',
            payload: { credit: '1', tokenSubaccount: bobSub.token },
          },
          {
            method: 'POST',
            url: '/v1/subaccount/credit/remove',
            payload: { credit: '1', tokenSubaccount: bobSub.token },
          },
          {
            method: 'POST',
            url: '/v1/subaccount/create',
            payload: { parameters: { email: 'new@example.com' } },
          },
          { method: 'GET', url: '/v1/subaccount/list' },
          {
            method: 'POST',
            url: '/v1/subaccount/credit/batch',
            payload: { operations: [{ direction: 'add', tokenSubaccount: bobSub.token, credit: '1' }] },
          },
          { method: 'GET', url: `/v1/subaccount/credit/transfers?tokenSubaccount=${bobSub.token}` },
          { method: 'GET', url: `/v1/subaccount/credit/transfers/${randomUUID()}` },
        ] as const;
      test.each([
        ['a subaccount’s key', () => bobAdvanced.apiKey!],
        ['a suspended main account’s key', () => suspended.apiKey],
      ])('%s', async (_name, key) => {
        const before = await balances();
        for (const request of requests()) {
          const response = await fixture.app.inject({ ...request, headers: { 'x-api-key': key() } });
          expect(response.statusCode, request.url).toBe(403);
          expect(response.json()).toMatchObject({ success: false, code: 4 });
        }
        expect(await balances()).toBe(before);
      });

      test('me: suspended gets 4; an advanced subaccount reads only its own balance', async () => {
        const me = (key: string) =>
          fixture.app.inject({ method: 'GET', url: '/v1/me', headers: { 'x-api-key': key } });
        expect((await me(suspended.apiKey)).json()).toMatchObject({ code: 4 });
        expect((await me(bobAdvanced.apiKey!)).json()).toMatchObject({
          success: true,
          user: { username: bobAdvanced.email },
          credits: { balance: '5.000' },
        });
      });
    });
  });
}

describe('another owner’s subaccount, in the domain', () => {
  test('the decision is one code path: the ledger rule gives the same outcome for both', () => {
    const account = {
      email: 'a',
      token: null,
      status: 'active' as const,
      balanceMicros: 5n,
      eventSequence: 0,
      heldMicros: 0n,
      rules: NO_RULES,
      closedAt: null,
    };
    const caller = { ...account, id: 1, kind: 'main' as const, parentId: null, keyHash: 'k' };
    const othersSub = { ...account, id: 9, kind: 'sub' as const, parentId: 2, token: 'theirs' };
    const draft = new LedgerDraft(() => '0');
    draft.read(caller);
    draft.read(othersSub);
    for (const direction of ['add', 'remove'] as const) {
      const command = {
        transferId: 't',
        direction,
        keyHash: 'k',
        amount: { kind: 'positive' as const, micros: 1n },
        createdAt: new Date(0),
        idempotencyKey: null,
      };
      expect(decideCredit(draft, { ...command, tokenSubaccount: 'theirs' })).toEqual(
        decideCredit(draft, { ...command, tokenSubaccount: 'missing' }),
      );
    }
  });
});

describe('key rotation against a running server process', () => {
  const ADMIN_TOKEN = 'rotation-admin-token';
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-rotate-'));
  const databaseUrl = join(dir, 'tirelire.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the old key is refused at once, through the operator API and the CLI', async () => {
    const server = await startServerProcess({ databaseUrl, env: { TIRELIRE_ADMIN_TOKEN: ADMIN_TOKEN } });
    try {
      const admin = (path: string, body?: unknown) =>
        fetch(`${server.url}/admin/v1${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(body ?? {}),
        }).then((response) => response.json() as Promise<{ apiKey: string; account: { id: number } }>);
      const me = (key: string) =>
        fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': key } }).then(
          (response) => response.json() as Promise<{ code: number }>,
        );
      const created = await admin('/accounts', { email: 'rotate@example.com', credit: '3' });
      const firstKey = created.apiKey;
      expect((await me(firstKey)).code).toBe(200);

      const rotated = await admin(`/accounts/${created.account.id}/rotate-key`);
      expect(rotated.apiKey).not.toBe(firstKey);
      expect((await me(firstKey)).code).toBe(10);
      expect((await me(rotated.apiKey)).code).toBe(200);

      // The CLI writes the same SQLite file from another process; the server caches no key.
      const bin = fileURLToPath(new URL('../../bin/tirelire.js', import.meta.url));
      const { stdout } = await promisify(execFile)(process.execPath, [
        bin,
        'account',
        'rotate-key',
        '--email',
        'rotate@example.com',
        '--db',
        databaseUrl,
        '--json',
      ]);
      const cliKey = (JSON.parse(stdout) as { apiKey: string }).apiKey;
      expect((await me(rotated.apiKey)).code).toBe(10);
      expect((await me(cliKey)).code).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
