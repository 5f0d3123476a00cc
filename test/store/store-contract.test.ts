import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatMicros, parseAmount } from '../../src/domain/money.js';
import type { Store } from '../../src/domain/store.js';
import type { Direction } from '../../src/domain/transfers.js';
import { hashApiKey } from '../../src/app/keys.js';
import { newTransferId } from '../../src/app/ids.js';
import { creditCommand, move, seedMain, seedSub } from '../helpers/fixtures.js';
import { storeFactories, type StoreUnderTest } from '../helpers/stores.js';
import { idempotencyContractCases } from './idempotency-cases.js';

/**
 * One suite, every store (as Kysely tests each dialect): what a store must do
 * to be a Tirelire store. PostgreSQL is skipped only when unreachable outside CI.
 */
for (const factory of storeFactories) {
  const available = await factory.available();
  if (!available && process.env.CI) throw new Error(`${factory.name} must be reachable in CI`);

  describe.skipIf(!available)(`store contract: ${factory.name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    beforeEach(async () => {
      subject = await factory.create();
      store = subject.store;
    });
    afterEach(async () => subject.dispose());

    const balanceOf = async (accountId: number) =>
      formatMicros((await store.getAccount(accountId))!.balanceMicros);

    it('adds and removes with exact balances: 0.1 then 0.2 is 0.3', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main);
      expect(await move(store, 'add', main.keyHash, sub.token, '0.1')).toMatchObject({ ok: true });
      const outcome = await move(store, 'add', main.keyHash, sub.token, '0.2');
      expect(outcome.ok && formatMicros(outcome.subaccountBalanceMicros)).toBe('0.3');
      expect(outcome.ok && formatMicros(outcome.mainBalanceMicros)).toBe('9.7');
      const back = await move(store, 'remove', main.keyHash, sub.token, '0.3');
      expect(
        back.ok && [formatMicros(back.mainBalanceMicros), formatMicros(back.subaccountBalanceMicros)],
      ).toEqual(['10', '0']);
      expect((await store.verify()).ok).toBe(true);
    });

    it('decides every code in the contract order', async () => {
      const main = await seedMain(store, '5');
      const other = await seedMain(store, '5');
      const sub = await seedSub(store, main);
      const foreign = await seedSub(store, other, '1');
      const advanced = await seedSub(store, main, '0', 'advanced');
      const suspended = await seedMain(store, '5');
      await store.setStatus(suspended.accountId, 'suspended');
      const rows: [string, string, string, string, number][] = [
        ['add', hashApiKey('nope'), 'x', 'abc', 10],
        ['add', hashApiKey(advanced.apiKey!), sub.token, '-1', 4],
        ['add', suspended.keyHash, sub.token, '1', 4],
        ['add', main.keyHash, 'unknown', '1e3', 20],
        ['add', main.keyHash, 'unknown', '1.1234567', 20],
        ['add', main.keyHash, 'unknown', '1000000000.000001', 20],
        ['add', main.keyHash, 'unknown', '-3', 5],
        ['add', main.keyHash, 'unknown', '0', 5],
        ['add', main.keyHash, 'unknown', '1', 7],
        ['add', main.keyHash, foreign.token, '1', 7],
        ['remove', main.keyHash, sub.token, '1', 6],
        ['add', main.keyHash, sub.token, '5.000001', 8],
      ];
      for (const [direction, keyHash, token, amount, code] of rows) {
        const outcome = await move(store, direction as 'add', keyHash, token, amount);
        expect({ amount, outcome }).toEqual({ amount, outcome: { ok: false, code } });
      }
      const report = await store.verify();
      expect(report.ok).toBe(true);
      expect(await balanceOf(main.accountId)).toBe('5');
    });

    it('decides each command of a batch on its own, against running balances', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main);
      const outcomes = await store.applyCredits([
        creditCommand('add', main.keyHash, sub.token, '6'),
        creditCommand('add', main.keyHash, sub.token, '6'),
        creditCommand('add', main.keyHash, 'missing', '1'),
        creditCommand('add', main.keyHash, sub.token, '4'),
        creditCommand('add', main.keyHash, sub.token, '0.01'),
      ]);
      expect(outcomes.map((o) => (o.ok ? 200 : o.code))).toEqual([200, 8, 7, 200, 6]);
      expect(await balanceOf(sub.accountId)).toBe('10');
      expect((await store.verify()).transfers).toBe(3);
    });

    it('applies a batch of one caller in order, each command on its own', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main);
      const other = await seedSub(store, main);
      const outcome = await store.applyCreditBatch({
        keyHash: main.keyHash,
        apply: 'each',
        commands: [
          creditCommand('add', main.keyHash, sub.token, '6'),
          creditCommand('add', main.keyHash, other.token, '6'),
          creditCommand('remove', main.keyHash, sub.token, '2.5'),
          creditCommand('add', main.keyHash, other.token, '6'),
          creditCommand('remove', main.keyHash, other.token, '1'),
          creditCommand('add', main.keyHash, 'missing', '1'),
          creditCommand('add', main.keyHash, sub.token, '1.0000001'),
        ],
      });
      expect(outcome.ok && outcome.applied).toBe(true);
      const results = outcome.ok ? outcome.outcomes : [];
      expect(results.map((o) => (o.ok ? 200 : o.code))).toEqual([200, 8, 200, 200, 200, 7, 20]);
      expect(results[3]).toMatchObject({
        ok: true,
        mainBalanceMicros: 500_000n,
        subaccountBalanceMicros: 6_000_000n,
      });
      expect(outcome.ok && formatMicros(outcome.mainBalanceMicros)).toBe('1.5');
      expect([
        await balanceOf(main.accountId),
        await balanceOf(sub.accountId),
        await balanceOf(other.accountId),
      ]).toEqual(['1.5', '3.5', '5']);
      const report = await store.verify();
      expect(report.ok).toBe(true);
      expect(report.transfers).toBe(5);
      const [first] = results;
      expect(first!.ok && (await store.getTransfer(first!.transferId))?.subaccountToken).toBe(sub.token);
    });

    it('applies an all-or-nothing batch whole, or not at all', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main, '1');
      const before = (await store.verify()).transfers;
      const commands = (last: string) => [
        creditCommand('add', main.keyHash, sub.token, '4'),
        creditCommand('remove', main.keyHash, sub.token, '5'),
        creditCommand('remove', main.keyHash, sub.token, last),
      ];
      const failed = await store.applyCreditBatch({
        keyHash: main.keyHash,
        apply: 'all-or-nothing',
        commands: commands('0.000001'),
      });
      expect(failed).toMatchObject({ ok: true, applied: false, mainBalanceMicros: 9_000_000n });
      expect(failed.ok && failed.outcomes.map((o) => (o.ok ? 200 : o.code))).toEqual([200, 200, 6]);
      expect([await balanceOf(main.accountId), await balanceOf(sub.accountId)]).toEqual(['9', '1']);
      expect((await store.verify()).transfers).toBe(before);
      const checked = await store.applyCreditBatch({
        keyHash: main.keyHash,
        apply: 'none',
        commands: commands('0'),
      });
      expect(checked.ok && [checked.applied, checked.outcomes.map((o) => (o.ok ? 200 : o.code))]).toEqual([
        false,
        [200, 200, 5],
      ]);
      expect((await store.verify()).transfers).toBe(before);
      const whole = await store.applyCreditBatch({
        keyHash: main.keyHash,
        apply: 'all-or-nothing',
        commands: commands('-1').slice(0, 2),
      });
      expect(whole).toMatchObject({ ok: true, applied: true, mainBalanceMicros: 10_000_000n });
      expect([await balanceOf(main.accountId), await balanceOf(sub.accountId)]).toEqual(['10', '0']);
      expect((await store.verify()).transfers).toBe(before + 2);
    });

    it('runs batches and single commands at once without losing or creating money', async () => {
      const main = await seedMain(store, '100');
      const subs = [await seedSub(store, main), await seedSub(store, main), await seedSub(store, main)];
      const batchOf = (index: number) =>
        store.applyCreditBatch({
          keyHash: main.keyHash,
          apply: index % 2 === 0 ? 'each' : 'all-or-nothing',
          commands: subs.map((sub) => creditCommand('add', main.keyHash, sub.token, '1')),
        });
      const singles = subs.flatMap((sub) =>
        [0, 1, 2].map(() => move(store, 'add', main.keyHash, sub.token, '0.5')),
      );
      const [batches, moves] = await Promise.all([
        Promise.all([0, 1, 2, 3, 4, 5].map(batchOf)),
        Promise.all(singles),
      ]);
      expect(batches.every((batch) => batch.ok && batch.applied)).toBe(true);
      expect(moves.every((outcome) => outcome.ok)).toBe(true);
      // 6 batches × 3 EUR + 9 single moves × 0.5 EUR left the main account.
      expect(await balanceOf(main.accountId)).toBe('77.5');
      const report = await store.verify();
      expect(report.ok).toBe(true);
    });

    it('checks a batch caller once: 10 for an unknown key, 4 for a suspended account', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main);
      const command = creditCommand('add', main.keyHash, sub.token, '1');
      const unknown = hashApiKey('nope');
      expect(
        await store.applyCreditBatch({
          keyHash: unknown,
          apply: 'each',
          commands: [{ ...command, keyHash: unknown }],
        }),
      ).toEqual({
        ok: false,
        code: 10,
      });
      await store.setStatus(main.accountId, 'suspended');
      expect(
        await store.applyCreditBatch({ keyHash: main.keyHash, apply: 'each', commands: [command] }),
      ).toEqual({
        ok: false,
        code: 4,
      });
      expect(await balanceOf(sub.accountId)).toBe('0');
    });

    it('creates subaccounts with an opening credit, or nothing at all', async () => {
      const main = await seedMain(store, '3');
      const sub = await seedSub(store, main, '2.5');
      expect(await balanceOf(sub.accountId)).toBe('2.5');
      await expect(seedSub(store, main, '0.500001')).rejects.toThrow('code 8');
      const before = await store.verify();
      const page = await store.listSubaccounts(main.accountId, 1, 20);
      expect(page.total).toBe(1);
      expect(page.items[0]!.email).toBe(`sub-${sub.token}@example.com`);
      expect(before.transfers).toBe(2);
      const duplicate = await store.createSubaccount({
        keyHash: main.keyHash,
        type: 'simple',
        email: page.items[0]!.email,
        profile: {},
        token: 'another-token',
        subaccountKeyHash: null,
        creditToAttribute: null,
        transferId: newTransferId(),
        createdAt: new Date(),
      });
      expect(duplicate).toEqual({ ok: false, code: 23 });
    });

    it('pages subaccounts in creation order', async () => {
      const main = await seedMain(store, '1');
      const tokens: string[] = [];
      for (let i = 0; i < 23; i++) tokens.push((await seedSub(store, main)).token);
      const first = await store.listSubaccounts(main.accountId, 1, 20);
      const second = await store.listSubaccounts(main.accountId, 2, 20);
      expect(first.total).toBe(23);
      expect([...first.items, ...second.items].map((a) => a.token)).toEqual(tokens);
    });

    it('tops up and charges through the funding account, conserving money', async () => {
      const main = await seedMain(store, '1');
      const sub = await seedSub(store, main, '0.4');
      const topUp = await store.operatorTransfer({
        kind: 'topup',
        accountId: main.accountId,
        amountMicros: 2_000_000n,
        transferId: newTransferId(),
        createdAt: new Date(),
        reason: 'payment 42',
        operator: 'alice',
      });
      expect(topUp.ok && [topUp.transfer.reason, topUp.transfer.operator]).toEqual(['payment 42', 'alice']);
      const charge = (accountId: number, amountMicros: bigint) =>
        store.operatorTransfer({
          kind: 'charge',
          accountId,
          amountMicros,
          transferId: newTransferId(),
          createdAt: new Date(),
          reason: 'sms',
          operator: 'platform',
        });
      expect((await charge(sub.accountId, 400_000n)).ok).toBe(true);
      expect(await charge(sub.accountId, 1n)).toEqual({ ok: false, code: 6 });
      expect(await charge(main.accountId, 2_600_001n)).toEqual({ ok: false, code: 8 });
      expect(await charge(987654, 1n)).toEqual({ ok: false, code: 30 });
      const report = await store.verify();
      expect(report).toMatchObject({ ok: true, customerBalanceMicros: 2_600_000n, fundedMicros: 2_600_000n });
    });

    it('refuses a suspended account and a replaced key at once', async () => {
      const main = await seedMain(store, '1');
      const sub = await seedSub(store, main);
      await store.setStatus(main.accountId, 'suspended');
      expect(await move(store, 'add', main.keyHash, sub.token, '1')).toEqual({ ok: false, code: 4 });
      await store.setStatus(main.accountId, 'active');
      await store.replaceKey(main.accountId, hashApiKey('new key'));
      expect(await store.authenticate(main.keyHash)).toBeNull();
      expect(await move(store, 'add', hashApiKey('new key'), sub.token, '1')).toMatchObject({ ok: true });
    });

    it('records audited suspend, resume and rotate-key, newest first, append-only', async () => {
      const main = await seedMain(store, '1');
      const other = await seedMain(store, '1');
      const at = (second: number) => new Date(Date.UTC(2026, 10, 27, 10, 0, second));
      await store.setStatus(main.accountId, 'suspended', {
        operator: 'alice',
        reason: 'unpaid',
        createdAt: at(1),
      });
      await store.setStatus(main.accountId, 'active', { operator: 'bob', reason: null, createdAt: at(2) });
      await store.replaceKey(main.accountId, hashApiKey('k2'), {
        operator: 'carol',
        reason: 'leak',
        createdAt: at(3),
      });
      await store.setStatus(other.accountId, 'suspended', {
        operator: 'dan',
        reason: null,
        createdAt: at(4),
      });
      // Unaudited changes (fixtures, tests) leave no row.
      await store.setStatus(main.accountId, 'active');
      const actions = await store.listOperatorActions(main.accountId, 100);
      expect(
        actions.map(({ action, operator, reason, createdAt, accountId }) => [
          action,
          operator,
          reason,
          createdAt.toISOString(),
          accountId,
        ]),
      ).toEqual([
        ['rotate-key', 'carol', 'leak', at(3).toISOString(), main.accountId],
        ['resume', 'bob', null, at(2).toISOString(), main.accountId],
        ['suspend', 'alice', 'unpaid', at(1).toISOString(), main.accountId],
      ]);
      expect(actions[0]!.id).toBeGreaterThan(actions[1]!.id);
      expect(await store.listOperatorActions(main.accountId, 2)).toHaveLength(2);
      expect((await store.getAccount(main.accountId))!.status).toBe('active');
      expect(await store.authenticate(hashApiKey('k2'))).not.toBeNull();
      await expect(subject.exec("UPDATE operator_actions SET reason = 'x'")).rejects.toThrow(/append-only/);
      await expect(subject.exec('DELETE FROM operator_actions')).rejects.toThrow(/append-only/);
      expect(await store.listOperatorActions(main.accountId, 100)).toHaveLength(3);
    });

    it('records no action for an account that cannot change (the funding account, none)', async () => {
      const audit = { operator: 'alice', reason: null, createdAt: new Date() };
      await store.setStatus(987654, 'suspended', audit);
      await store.replaceKey(987654, hashApiKey('nobody'), audit);
      expect(await store.listOperatorActions(987654, 100)).toEqual([]);
    });

    it('keeps each transfer and finds it by id', async () => {
      const main = await seedMain(store, '1');
      const sub = await seedSub(store, main);
      const command = creditCommand('add', main.keyHash, sub.token, '0.25');
      await store.applyCredits([command]);
      const transfer = await store.getTransfer(command.transferId);
      expect(transfer).toMatchObject({
        id: command.transferId,
        kind: 'add',
        amountMicros: 250_000n,
        debitAccountId: main.accountId,
        creditAccountId: sub.accountId,
        subaccountToken: sub.token,
      });
      expect(await store.getTransfer(newTransferId())).toBeNull();
    });

    it('refuses to change or delete a transfer, and verify names a tampered account', async () => {
      const main = await seedMain(store, '1');
      await expect(subject.exec('UPDATE transfers SET amount = 1')).rejects.toThrow(/append-only/);
      await expect(subject.exec('DELETE FROM transfers')).rejects.toThrow(/append-only/);
      expect((await store.verify()).ok).toBe(true);
      await subject.exec(`UPDATE accounts SET balance = balance + 1 WHERE id = ${main.accountId}`);
      const report = await store.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toContainEqual(
        expect.objectContaining({ invariant: 4, accountId: main.accountId, email: main.email }),
      );
    });

    it('lists transfers newest first, filtered, in cursor pages without gap or duplicate', async () => {
      const main = await seedMain(store, '10'); // topup
      const other = await seedMain(store, '1'); // topup
      const sub = await seedSub(store, main, '1'); // add
      const sub2 = await seedSub(store, main);
      for (let i = 0; i < 7; i++)
        await move(store, 'add', main.keyHash, i % 2 ? sub.token : sub2.token, '0.1');
      await store.operatorTransfer({
        kind: 'charge',
        accountId: sub.accountId,
        amountMicros: 1n,
        transferId: newTransferId(),
        createdAt: new Date(),
        reason: 'usage',
        operator: 'bob',
      });
      const all = await store.listTransfers({ limit: 100 });
      expect(all.nextCursor).toBeNull();
      expect(all.items).toHaveLength(11);
      expect(all.items[0]).toMatchObject({ kind: 'charge', subaccountToken: sub.token, operator: 'bob' });
      expect(all.items.at(-1)).toMatchObject({ kind: 'topup', mainAccountId: main.accountId });
      const walked: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listTransfers({ limit: 3, cursor });
        expect(page.items.length).toBeLessThanOrEqual(3);
        walked.push(...page.items.map((t) => t.id));
        // A transfer written meanwhile is newer than every page: it shifts nothing.
        await move(store, 'add', main.keyHash, sub.token, '0.01');
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(4);
      expect(walked).toEqual(all.items.map((t) => t.id));
      const ofOther = await store.listTransfers({ mainAccountId: other.accountId, limit: 10 });
      expect(ofOther.items.map((t) => t.kind)).toEqual(['topup']);
      const ofSub = await store.listTransfers({ subaccountId: sub.accountId, kind: 'add', limit: 100 });
      expect(ofSub.items.every((t) => t.subaccountId === sub.accountId && t.kind === 'add')).toBe(true);
      expect(ofSub.items).toHaveLength(1 + 3 + pages);
      const charges = await store.listTransfers({ mainAccountId: main.accountId, kind: 'charge', limit: 10 });
      expect(charges.items.map((t) => t.amountMicros)).toEqual([1n]);
      const newest = all.items[0]!.createdAt;
      const future = new Date(Date.now() + 60_000);
      expect((await store.listTransfers({ since: future, limit: 10 })).items).toEqual([]);
      expect((await store.listTransfers({ until: all.items.at(-1)!.createdAt, limit: 10 })).items).toEqual(
        [],
      );
      const recent = await store.listTransfers({ since: newest, until: future, kind: 'charge', limit: 10 });
      expect(recent.items.map((t) => t.id)).toEqual([all.items[0]!.id]);
    });

    it('pages a subaccount history as the tree history filtered to it, whatever the moves and the cursor', async () => {
      const main = await seedMain(store, '1000');
      const subs = [await seedSub(store, main, '5'), await seedSub(store, main), await seedSub(store, main)];
      const amount = fc.constantFrom('0.01', '0.5', '2');
      const step = fc.oneof(
        // Several commands in one transaction: a subaccount moved more than once in one commit.
        fc.record({
          moves: fc.array(fc.tuple(fc.constantFrom<Direction>('add', 'remove'), fc.nat(2), amount), {
            minLength: 1,
            maxLength: 5,
          }),
        }),
        fc.record({ charge: fc.nat(2) }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { maxLength: 6 }),
          fc.integer({ min: 1, max: 4 }),
          async (steps, limit) => {
            for (const moveStep of steps) {
              if ('charge' in moveStep) {
                await store.operatorTransfer({
                  kind: 'charge',
                  accountId: subs[moveStep.charge]!.accountId,
                  amountMicros: 1n,
                  transferId: newTransferId(),
                  createdAt: new Date(),
                  reason: 'usage',
                  operator: 'test',
                });
              } else {
                const commands = moveStep.moves.map(([direction, i, value]) =>
                  creditCommand(direction, main.keyHash, subs[i]!.token, value),
                );
                await store.applyCredits(commands);
              }
            }
            const tree = (await store.listTransfers({ mainAccountId: main.accountId, limit: 1000 })).items;
            for (const sub of subs) {
              for (const kind of [undefined, 'add', 'charge'] as const) {
                const expected = tree.filter(
                  (t) => t.subaccountId === sub.accountId && (kind ?? t.kind) === t.kind,
                );
                const walked: string[] = [];
                let cursor: string | undefined;
                do {
                  const page = await store.listTransfers({
                    subaccountId: sub.accountId,
                    kind,
                    limit,
                    cursor,
                  });
                  expect(page.items.length).toBeLessThanOrEqual(limit);
                  walked.push(...page.items.map((t) => t.id));
                  cursor = page.nextCursor ?? undefined;
                } while (cursor !== undefined);
                expect(walked).toEqual(expected.map((t) => t.id));
              }
            }
            // A cursor of the tree's history (a transfer of any subaccount) bounds the walk by position.
            const cut = Math.ceil(tree.length / 2);
            const treeCursor = (await store.listTransfers({ mainAccountId: main.accountId, limit: cut }))
              .nextCursor;
            if (treeCursor !== null) {
              const below = await store.listTransfers({
                subaccountId: subs[0]!.accountId,
                cursor: treeCursor,
                limit: 1000,
              });
              const expected = tree.slice(cut).filter((t) => t.subaccountId === subs[0]!.accountId);
              expect(below.items.map((t) => t.id)).toEqual(expected.map((t) => t.id));
            }
          },
        ),
        { numRuns: 12 },
      );
      expect((await store.verify()).ok).toBe(true);
    });

    it('keeps in a subaccount history the moves of one transaction that leave its balance as it was', async () => {
      const main = await seedMain(store, '10');
      const sub = await seedSub(store, main, '1');
      const outcomes = await store.applyCredits([
        creditCommand('add', main.keyHash, sub.token, '0.5'),
        creditCommand('remove', main.keyHash, sub.token, '0.5'),
      ]);
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
      expect(await balanceOf(sub.accountId)).toBe('1');
      const history = await store.listTransfers({ subaccountId: sub.accountId, limit: 10 });
      expect(history.items.map((t) => t.kind)).toEqual(['remove', 'add', 'add']);
      await move(store, 'add', main.keyHash, sub.token, '0.1');
      const after = await store.listTransfers({ subaccountId: sub.accountId, limit: 10 });
      expect(after.items.map((t) => t.kind)).toEqual(['add', 'remove', 'add', 'add']);
      expect((await store.verify()).ok).toBe(true);
    });

    it('lists main accounts newest first with their subaccount counts, searched and paged', async () => {
      const created: Awaited<ReturnType<typeof seedMain>>[] = [];
      for (let i = 0; i < 5; i++) created.push(await seedMain(store, '1'));
      await seedSub(store, created[1]!);
      await seedSub(store, created[1]!);
      const all = await store.listMainAccounts({ limit: 100 });
      expect(all.items.map((item) => item.account.id)).toEqual(created.map((m) => m.accountId).reverse());
      expect(all.items.every((item) => item.account.kind === 'main')).toBe(true);
      expect(all.items.find((item) => item.account.id === created[1]!.accountId)?.subaccountCount).toBe(2);
      expect(await store.countSubaccounts(created[1]!.accountId)).toBe(2);
      expect(await store.countSubaccounts(created[0]!.accountId)).toBe(0);
      const first = await store.listMainAccounts({ limit: 2 });
      const second = await store.listMainAccounts({ limit: 2, cursor: first.nextCursor! });
      const third = await store.listMainAccounts({ limit: 2, cursor: second.nextCursor! });
      expect(third.nextCursor).toBeNull();
      expect([...first.items, ...second.items, ...third.items].map((item) => item.account.id)).toEqual(
        all.items.map((item) => item.account.id),
      );
      const needle = created[3]!.email.slice(5, 17).toUpperCase();
      const found = await store.listMainAccounts({ search: needle, limit: 10 });
      expect(found.items.map((item) => item.account.email)).toEqual([created[3]!.email]);
      expect((await store.listMainAccounts({ search: '%', limit: 10 })).items).toEqual([]);
      expect((await store.listMainAccounts({ search: 'main_', limit: 10 })).items).toEqual([]);
    });

    it('finds a subaccount by its token, and nothing else', async () => {
      const main = await seedMain(store, '1');
      const sub = await seedSub(store, main);
      expect(await store.findSubaccountByToken(sub.token)).toMatchObject({
        id: sub.accountId,
        kind: 'sub',
        parentId: main.accountId,
        token: sub.token,
      });
      expect(await store.findSubaccountByToken('missing')).toBeNull();
    });

    it('matches an exact model over random add/remove sequences', async () => {
      const amount = fc
        .tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 999_999 }))
        .map(([whole, micros]) => `${whole}.${String(micros).padStart(6, '0')}`.replace(/\.?0+$/, ''));
      const operation = fc.record({
        direction: fc.constantFrom('add' as const, 'remove' as const),
        sub: fc.integer({ min: 0, max: 2 }),
        amount: fc.oneof(amount, fc.constantFrom('0.1', '0.2', '0.3', '-1', '1e2', '0')),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 40 }), async (operations) => {
          const main = await seedMain(store, '50');
          const subs = [await seedSub(store, main), await seedSub(store, main), await seedSub(store, main)];
          const model = { main: 50_000_000n, subs: [0n, 0n, 0n] };
          for (const op of operations) {
            const outcome = await move(store, op.direction, main.keyHash, subs[op.sub]!.token, op.amount);
            const parsed = parseAmount(op.amount);
            const debit = op.direction === 'add' ? model.main : model.subs[op.sub]!;
            const expectedOk = parsed.kind === 'positive' && debit >= parsed.micros && debit > 0n;
            expect(outcome.ok).toBe(expectedOk);
            if (outcome.ok && parsed.kind === 'positive') {
              const delta = op.direction === 'add' ? parsed.micros : -parsed.micros;
              model.main -= delta;
              model.subs[op.sub]! += delta;
              expect(outcome.mainBalanceMicros).toBe(model.main);
              expect(outcome.subaccountBalanceMicros).toBe(model.subs[op.sub]);
            }
          }
          expect((await store.getAccount(main.accountId))!.balanceMicros).toBe(model.main);
          for (const [i, sub] of subs.entries()) {
            const balance = (await store.getAccount(sub.accountId))!.balanceMicros;
            expect(balance).toBe(model.subs[i]);
            expect(balance >= 0n).toBe(true);
          }
          expect(model.main + model.subs.reduce((a, b) => a + b, 0n)).toBe(50_000_000n);
          expect((await store.verify()).ok).toBe(true);
        }),
        { numRuns: factory.name === 'sqlite' ? 60 : 25 },
      );
    });

    idempotencyContractCases(() => store);
  });
}
