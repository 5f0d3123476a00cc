import pg from 'pg';
import { MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMicros, parseAmount } from '../../src/domain/money.js';
import type { Store } from '../../src/domain/store.js';
import type { CreditOutcome } from '../../src/domain/transfers.js';
import { newTransferId } from '../../src/app/ids.js';
import { hashApiKey } from '../../src/app/keys.js';
import { openPostgresStore } from '../../src/store/postgres/open.js';
import { dropPostgresSchema, postgresReachable } from '../../src/store/postgres/schema-admin.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { freshSchema, POSTGRES_URL } from '../helpers/postgres-factory.js';

/**
 * What only a shared database shows: several processes (here, several stores
 * with pools of their own) hammering the same rows at once. Skipped only when
 * PostgreSQL is unreachable outside CI.
 */
const reachable = await postgresReachable(POSTGRES_URL);
if (!reachable && process.env['CI']) throw new Error(`PostgreSQL must be reachable in CI at ${POSTGRES_URL}`);

const PROCESSES = 3;

describe.skipIf(!reachable)('PostgreSQL store under concurrency', () => {
  const schema = freshSchema();
  let stores: Store[] = [];
  const first = () => stores[0]!;
  const balance = async (accountId: number) =>
    formatMicros((await first().getAccount(accountId))!.balanceMicros);
  const okCount = (outcomes: readonly CreditOutcome[]) => outcomes.filter((outcome) => outcome.ok).length;
  const codes = (outcomes: readonly CreditOutcome[]) =>
    new Set(outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.code])));

  beforeAll(async () => {
    // Opening the stores together also runs their migrations together on an empty schema.
    stores = await Promise.all(
      Array.from({ length: PROCESSES }, () => openPostgresStore(POSTGRES_URL, { schema, poolMax: 10 })),
    );
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    if (reachable) await dropPostgresSchema(POSTGRES_URL, schema);
  });

  it('500 concurrent adds of 1 from a main holding 300: exactly 300 succeed, none lost', async () => {
    const main = await seedMain(first(), '300');
    const sub = await seedSub(first(), main);
    const outcomes = await Promise.all(
      Array.from({ length: 500 }, (_, index) =>
        stores[index % PROCESSES]!.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]),
      ),
    );
    const flat = outcomes.flat();
    expect(okCount(flat)).toBe(300);
    expect(codes(flat)).toEqual(new Set([6]));
    // Each success saw a different main balance: no two transfers read the same state.
    const seen = new Set(flat.flatMap((outcome) => (outcome.ok ? [outcome.mainBalanceMicros] : [])));
    expect(seen.size).toBe(300);
    expect([await balance(main.accountId), await balance(sub.accountId)]).toEqual(['0', '300']);
    expect(await first().verify()).toMatchObject({ ok: true, problems: [] });
  });

  it('256 concurrent removes of 9 from a subaccount holding 10: exactly 1 succeeds', async () => {
    const main = await seedMain(first(), '10');
    const sub = await seedSub(first(), main, '10');
    const outcomes = await Promise.all(
      Array.from({ length: 256 }, (_, index) =>
        stores[index % PROCESSES]!.applyCredits([creditCommand('remove', main.keyHash, sub.token, '9')]),
      ),
    );
    expect(okCount(outcomes.flat())).toBe(1);
    expect(codes(outcomes.flat())).toEqual(new Set([8]));
    expect([await balance(main.accountId), await balance(sub.accountId)]).toEqual(['9', '1']);
    expect((await first().verify()).ok).toBe(true);
  });

  it('decides each command of a batch on its own: failures do not fail the others', async () => {
    const main = await seedMain(first(), '10');
    const sub = await seedSub(first(), main);
    const outcomes = await first().applyCredits([
      creditCommand('add', main.keyHash, sub.token, '4'),
      creditCommand('add', main.keyHash, sub.token, '7'),
      creditCommand('add', main.keyHash, 'no-such-token', '1'),
      creditCommand('add', hashApiKey('wrong'), sub.token, '1'),
      creditCommand('remove', main.keyHash, sub.token, '1.5'),
      creditCommand('add', main.keyHash, sub.token, '0.000001'),
    ]);
    expect(
      outcomes.map((outcome) => (outcome.ok ? formatMicros(outcome.mainBalanceMicros) : outcome.code)),
    ).toEqual(['6', 8, 7, 10, '7.5', '7.499999']);
    expect(await balance(sub.accountId)).toBe('2.500001');
    expect((await first().verify()).ok).toBe(true);
  });

  it('batches locking two main accounts in opposite orders never deadlock', async () => {
    const [a, b] = [await seedMain(first(), '1000'), await seedMain(first(), '1000')];
    const [subA, subB] = [await seedSub(first(), a), await seedSub(first(), b)];
    const batches = Array.from({ length: 120 }, (_, index) => {
      const [x, y] = [
        creditCommand('add', a.keyHash, subA.token, '1'),
        creditCommand('add', b.keyHash, subB.token, '1'),
      ];
      return stores[index % PROCESSES]!.applyCredits(index % 2 === 0 ? [x, y] : [y, x]);
    });
    const outcomes = (await Promise.all(batches)).flat();
    expect(okCount(outcomes)).toBe(240);
    expect([await balance(a.accountId), await balance(b.accountId)]).toEqual(['880', '880']);
    expect((await first().verify()).ok).toBe(true);
  });

  it('creates one main account per e-mail even from several processes at once', async () => {
    const email = `race-${newTransferId()}@example.com`;
    const outcomes = await Promise.all(
      Array.from({ length: 9 }, (_, index) =>
        stores[index % PROCESSES]!.createMainAccount({
          email,
          keyHash: hashApiKey(`key-${index}-${email}`),
          openingMicros: 1_000_000n,
          transferId: newTransferId(),
          createdAt: new Date(),
          reason: null,
          operator: null,
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.code === 23)).toHaveLength(8);
    expect((await first().verify()).ok).toBe(true);
  });

  it('keeps balances beyond 2^53 micros exact (int8 never goes through a JS number)', async () => {
    const main = await seedMain(first(), '1000000000');
    const amountMicros = 9_007_199_254_740_993n;
    const outcome = await first().operatorTransfer({
      kind: 'topup',
      accountId: main.accountId,
      amountMicros,
      transferId: newTransferId(),
      createdAt: new Date(),
      reason: 'big',
      operator: 'test',
    });
    expect(outcome.ok && outcome.transfer.creditBalanceAfterMicros).toBe(
      amountMicros + 1_000_000_000_000_000n,
    );
    const account = await first().getAccount(main.accountId);
    expect(account?.balanceMicros).toBe(10_007_199_254_740_993n);
    const transfer = outcome.ok ? await first().getTransfer(outcome.transfer.id) : null;
    expect(transfer?.amountMicros).toBe(amountMicros);
  });

  it('charges with codes 6 and 8 and refuses top-ups of unknown accounts (30)', async () => {
    const main = await seedMain(first(), '5');
    const sub = await seedSub(first(), main, '2');
    const charge = (accountId: number, eur: string) =>
      first().operatorTransfer({
        kind: 'charge',
        accountId,
        amountMicros: (parseAmount(eur) as { micros: bigint }).micros,
        transferId: newTransferId(),
        createdAt: new Date(),
        reason: null,
        operator: null,
      });
    expect(await charge(sub.accountId, '2.5')).toEqual({ ok: false, code: 8 });
    expect(await charge(sub.accountId, '2')).toMatchObject({
      ok: true,
      transfer: { subaccountToken: sub.token },
    });
    expect(await charge(sub.accountId, '1')).toEqual({ ok: false, code: 6 });
    expect(await charge(987_654_321, '1')).toEqual({ ok: false, code: 30 });
    expect(await first().verify()).toMatchObject({ ok: true, fundedMicros: expect.any(BigInt) });
  });

  it('rolls back a subaccount whose opening credit fails, and refuses a taken e-mail (23)', async () => {
    const main = await seedMain(first(), '3');
    const create = (email: string, credit: string | null) =>
      first().createSubaccount({
        keyHash: main.keyHash,
        type: 'simple',
        email,
        profile: { firstname: 'Ada' },
        token: newTransferId(),
        subaccountKeyHash: null,
        creditToAttribute: credit === null ? null : parseAmount(credit),
        transferId: newTransferId(),
        createdAt: new Date(),
      });
    expect(await create('a@example.com', '4')).toEqual({ ok: false, code: 8 });
    const created = await create('a@example.com', '3');
    expect(
      created.ok && [formatMicros(created.account.balanceMicros), created.account.profile.firstname],
    ).toEqual(['3', 'Ada']);
    expect(await create('a@example.com', null)).toEqual({ ok: false, code: 23 });
    expect((await first().listSubaccounts(main.accountId, 1, 20)).total).toBe(1);
  });

  it('keeps transfers append-only even for a raw SQL connection', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      await expect(client.query('UPDATE transfers SET amount = amount + 1')).rejects.toThrow(/append-only/);
      await expect(client.query('DELETE FROM transfers')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE transfers')).rejects.toThrow(/append-only/);
      await expect(
        client.query('UPDATE accounts SET balance = -1 WHERE kind = $1', ['main']),
      ).rejects.toThrow(/balance_not_negative/);
    } finally {
      await client.end();
    }
  });

  it('refuses a transfer or an event naming an account that does not exist, and keeps every account', async () => {
    const main = await seedMain(first(), '5');
    const sub = await seedSub(first(), main);
    // search_path left at its default: the checks must still read this schema's accounts.
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const missing = 2_000_000_000;
    const transfer = (debit: number, credit: number, mainId: number, subId: number | null) =>
      client.query(
        `INSERT INTO ${schema}.transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
           credit_balance_after, main_account_id, subaccount_id, created_at)
         VALUES ($1, 'add', $2, $3, 1, 0, 1, $4, $5, now())`,
        [newTransferId(), debit, credit, mainId, subId],
      );
    const inRolledBack = async (work: () => Promise<unknown>) => {
      await client.query('BEGIN');
      try {
        return await work();
      } finally {
        await client.query('ROLLBACK');
      }
    };
    try {
      // A row naming only accounts that exist goes in (rolled back: the ledger stays balanced).
      await expect(
        inRolledBack(() => transfer(main.accountId, sub.accountId, main.accountId, sub.accountId)),
      ).resolves.toMatchObject({ rowCount: 1 });
      for (const names of [
        [missing, sub.accountId, main.accountId, sub.accountId],
        [main.accountId, missing, main.accountId, sub.accountId],
        [main.accountId, sub.accountId, missing, sub.accountId],
        [main.accountId, sub.accountId, main.accountId, missing],
      ]) {
        const [debit, credit, mainId, subId] = names as [number, number, number, number];
        await expect(inRolledBack(() => transfer(debit, credit, mainId, subId))).rejects.toMatchObject({
          code: '23503',
          message: 'a transfer names an account that does not exist',
        });
      }
      await expect(
        inRolledBack(() =>
          client.query(
            `INSERT INTO ${schema}.events (account_id, sequence, id, type, data, created_at)
             VALUES ($1, 1, 'evt_x', 'balance.low', '{}', now())`,
            [missing],
          ),
        ),
      ).rejects.toMatchObject({ code: '23503', message: 'an event names an account that does not exist' });
      await expect(
        client.query(`DELETE FROM ${schema}.accounts WHERE id = $1`, [sub.accountId]),
      ).rejects.toThrow(/accounts are never deleted or renumbered: DELETE refused/);
      await expect(
        client.query(`UPDATE ${schema}.accounts SET id = $2 WHERE id = $1`, [sub.accountId, missing]),
      ).rejects.toThrow(/UPDATE refused/);
      await expect(client.query(`TRUNCATE ${schema}.accounts CASCADE`)).rejects.toThrow(/TRUNCATE refused/);
    } finally {
      await client.end();
    }
    expect(await first().verify()).toMatchObject({ ok: true, problems: [] });
  });
});

describe.skipIf(!reachable)('PostgreSQL migrations', () => {
  it('run from several processes at once on an empty schema, once', async () => {
    const schema = freshSchema();
    try {
      const stores = await Promise.all(
        Array.from({ length: 6 }, () => openPostgresStore(POSTGRES_URL, { schema, poolMax: 2 })),
      );
      await Promise.all(stores.map((store) => store.migrate()));
      const report = await stores[0]!.verify();
      expect(report).toMatchObject({ ok: true, accounts: 1, transfers: 0 });
      await Promise.all(stores.map((store) => store.close()));
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      const versions = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      await client.end();
      expect(versions.rows).toEqual(MIGRATIONS.map((step) => ({ version: step.version })));
    } finally {
      await dropPostgresSchema(POSTGRES_URL, schema);
    }
  });

  it('refuse a schema a newer build migrated, and change nothing in it', async () => {
    const schema = freshSchema();
    const known = Math.max(...MIGRATIONS.map((step) => step.version));
    try {
      const store = await openPostgresStore(POSTGRES_URL, { schema });
      await seedMain(store, '2');
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [known + 1]);
        await expect(openPostgresStore(POSTGRES_URL, { schema })).rejects.toThrow(
          `schema version ${known + 1}, newer than this build's ${known}`,
        );
        const versions = await client.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
        expect(versions.rows[0]).toEqual({ n: MIGRATIONS.length + 1 });
      } finally {
        await client.end();
      }
    } finally {
      await dropPostgresSchema(POSTGRES_URL, schema);
    }
  });

  it('move a ledger written with text transfer ids (version 6) to uuid ids, every transfer kept', async () => {
    const schema = freshSchema();
    const id = newTransferId();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
      for (const step of MIGRATIONS.filter((m) => m.version <= 6)) await client.query(step.sql);
      await client.query(
        `CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
         INSERT INTO schema_migrations (version) SELECT generate_series(1, 6);
         INSERT INTO accounts (kind, email, key_hash, balance, event_sequence, created_at)
           VALUES ('main', 'old@example.com', 'k', 5000000, 1, now());
         UPDATE accounts SET balance = -5000000 WHERE kind = 'funding';`,
      );
      // A top-up as version 6 wrote it: its id as text, and its event naming it.
      await client.query(
        `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
           credit_balance_after, main_account_id, created_at)
         SELECT $1, 'topup', f.id, m.id, 5000000, -5000000, 5000000, m.id, now()
         FROM accounts f, accounts m WHERE f.kind = 'funding' AND m.kind = 'main'`,
        [id],
      );
      await client.query(
        `INSERT INTO events (account_id, sequence, id, type, transfer_id, created_at)
         SELECT id, 1, 'evt_' || id || '_1_0', 'transfer.created', $1, now() FROM accounts WHERE kind = 'main'`,
        [id],
      );
      const store = await openPostgresStore(POSTGRES_URL, { schema });
      try {
        expect((await store.getTransfer(id))?.amountMicros).toBe(5_000_000n);
        expect(await store.getTransfer('not-a-transfer-id')).toBeNull();
        expect(await store.verify()).toMatchObject({ ok: true, transfers: 1 });
      } finally {
        await store.close();
      }
      const types = await client.query(
        `SELECT table_name, data_type FROM information_schema.columns
         WHERE table_schema = $1 AND ((table_name = 'transfers' AND column_name = 'id')
           OR (table_name IN ('events', 'holds') AND column_name = 'transfer_id')) ORDER BY table_name`,
        [schema],
      );
      expect(types.rows).toEqual([
        { table_name: 'events', data_type: 'uuid' },
        { table_name: 'holds', data_type: 'uuid' },
        { table_name: 'transfers', data_type: 'uuid' },
      ]);
    } finally {
      await client.end();
      await dropPostgresSchema(POSTGRES_URL, schema);
    }
  });

  it('takes the schema from ?schema= on the URL, so processes sharing DATABASE_URL share it', async () => {
    const schema = freshSchema();
    try {
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('schema', schema);
      const store = await openPostgresStore(url.toString());
      await seedMain(store, '2');
      expect(await store.verify()).toMatchObject({ ok: true, accounts: 2 });
      await store.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      const found = await client.query(`SELECT count(*)::int AS n FROM ${schema}.accounts`);
      await client.end();
      expect(found.rows).toEqual([{ n: 2 }]);
    } finally {
      await dropPostgresSchema(POSTGRES_URL, schema);
    }
  });
});
