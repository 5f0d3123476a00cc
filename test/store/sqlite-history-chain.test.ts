import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../src/store/sqlite/migrations.js';
import { ROWS_PER_INSERT } from '../../src/store/sqlite/statements.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MARK_ABOVE } from '../../src/store/sqlite/subaccount-history.js';
import { readLedgerFacts } from '../../src/store/sqlite/verify.js';
import { creditCommand, move, seedMain, seedSub } from '../helpers/fixtures.js';
import { migrateTo, sqliteFileEachTest } from '../helpers/sqlite-file.js';

/**
 * Migration 7 replaces the index on (subaccount_id, seq) by a chain: each
 * transfer names its subaccount's previous one and its rank, each subaccount
 * its last and their number; one transfer in HISTORY_MARK_EVERY stays indexed.
 * A ledger written before it must come out linked, and verify must see any
 * link that breaks a history.
 */
describe('SQLite subaccount history chain (migration 7)', () => {
  let db: Database.Database;
  sqliteFileEachTest('tirelire-chain-', (opened) => (db = opened));

  /** A ledger at migration 6: one main account, three subaccounts, and `moves` transfers to the first two. */
  function ledgerAtVersion6(moves: number): { main: bigint; subs: bigint[] } {
    migrateTo(db, 6);
    const account = db.prepare(
      'INSERT INTO accounts (kind, parent_id, email, token, balance, created_at) VALUES (?, ?, ?, ?, ?, 0) RETURNING id',
    );
    const main = account.pluck().get('main', null, 'm@x', null, 0n) as bigint;
    const subs = [1, 2, 3].map((i) => account.pluck().get('sub', main, `s${i}@x`, `t${i}`, 0n) as bigint);
    const transfer = db.prepare(
      `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
         credit_balance_after, main_account_id, subaccount_id, created_at)
       VALUES (?, ?, ?, ?, 1, 0, 0, ?, ?, 0)`,
    );
    const funding = db.prepare("SELECT id FROM accounts WHERE kind = 'funding'").pluck().get() as bigint;
    transfer.run('topup', 'topup', funding, main, main, null);
    for (let i = 0; i < moves; i++) {
      // Subaccounts 3 and 4 in an uneven order, the main account's own transfers between.
      const sub = subs[i % 3 === 0 ? 1 : 0]!;
      transfer.run(`t${i}`, 'add', main, sub, main, sub);
      if (i % 4 === 0) transfer.run(`c${i}`, 'charge', main, funding, main, null);
    }
    return { main, subs };
  }

  const historyOf = (sub: bigint) =>
    db.prepare('SELECT seq FROM transfers WHERE subaccount_id = ? ORDER BY seq').pluck().all(sub) as bigint[];

  it('links every transfer written before it, then drops the index', () => {
    const { subs } = ledgerAtVersion6(25);
    migrate(db);
    for (const sub of subs) {
      const seqs = historyOf(sub);
      const links = db
        .prepare('SELECT previous_seq FROM transfers WHERE subaccount_id = ? ORDER BY seq')
        .pluck()
        .all(sub) as (bigint | null)[];
      expect(links).toEqual(seqs.length === 0 ? [] : [null, ...seqs.slice(0, -1)]);
      const ranks = db
        .prepare('SELECT history_ordinal FROM transfers WHERE subaccount_id = ? ORDER BY seq')
        .pluck()
        .all(sub);
      expect(ranks).toEqual(seqs.map((_, index) => BigInt(index + 1)));
      const head = db.prepare('SELECT last_seq, history_count FROM accounts WHERE id = ?').raw().get(sub);
      expect(head).toEqual([seqs.at(-1) ?? null, BigInt(seqs.length)]);
    }
    expect(historyOf(subs[2]!)).toEqual([]);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transfers' AND sql IS NOT NULL",
      )
      .pluck()
      .all();
    expect(indexes).toEqual(['transfers_main', 'transfers_sub_marks', 'transfers_main_few']);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    // Still append-only after the migration stepped the trigger aside.
    expect(() => db.exec('UPDATE transfers SET previous_seq = NULL')).toThrow(/append-only/);
  });

  it('reads the migrated history in pages through the store, newest first', async () => {
    const { subs } = ledgerAtVersion6(40);
    migrate(db);
    const store = new SqliteStore(db, null);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listTransfers({ subaccountId: Number(subs[0]), limit: 7, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const expected = db
      .prepare('SELECT id FROM transfers WHERE subaccount_id = ? ORDER BY seq DESC')
      .pluck()
      .all(subs[0]);
    expect(seen).toEqual(expected);
  });

  it('pages from any position, a cursor of the history or not, as the old index did', async () => {
    const { subs } = ledgerAtVersion6(400);
    migrate(db);
    const store = new SqliteStore(db, null);
    const top = db.prepare('SELECT MAX(seq) FROM transfers').pluck().get() as bigint;
    const expected = db.prepare(
      'SELECT id FROM transfers WHERE subaccount_id = ? AND seq < ? ORDER BY seq DESC LIMIT 5',
    );
    for (const sub of subs) {
      for (let position = 1n; position <= top + 1n; position += 1n) {
        const page = await store.listTransfers({
          subaccountId: Number(sub),
          limit: 4,
          cursor: String(position),
        });
        const rows = expected.pluck().all(sub, position) as string[];
        expect(page.items.map((t) => t.id)).toEqual(rows.slice(0, 4));
        expect(page.nextCursor === null).toBe(rows.length <= 4);
      }
    }
    // A position outside the history is found through the partial index, not by walking from the head.
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${MARK_ABOVE}`).all({ sub: subs[0], cursor: 1 }) as {
      detail: string;
    }[];
    expect(plan.map((step) => step.detail).join(' ')).toContain('transfers_sub_marks');
  });

  it('numbers a transaction of more transfers than one INSERT takes in order, each linked to its previous', async () => {
    migrate(db);
    const store = new SqliteStore(db, null);
    const main = await seedMain(store, '1000');
    const subs = [await seedSub(store, main), await seedSub(store, main), await seedSub(store, main)];
    await move(store, 'add', main.keyHash, subs[2]!.token, '1');
    const before = db.prepare('SELECT MAX(seq) FROM transfers').pluck().get() as bigint;
    // Two full INSERTs and part of a third; the first subaccount's transfers cross the INSERTs.
    const size = 2 * ROWS_PER_INSERT + 22;
    const commands = Array.from({ length: size }, (_, i) =>
      creditCommand(i % 5 === 4 ? 'remove' : 'add', main.keyHash, subs[i % 7 === 0 ? 1 : 0]!.token, '0.5'),
    );
    const outcome = await store.applyCreditBatch({ keyHash: main.keyHash, commands, apply: 'each' });
    expect(outcome.ok && outcome.applied).toBe(true);
    const written = db
      .prepare('SELECT seq, id FROM transfers WHERE seq > ? ORDER BY seq')
      .raw()
      .all(before) as [bigint, string][];
    expect(written.map(([seq]) => seq)).toEqual(commands.map((_, i) => before + BigInt(i + 1)));
    expect(written.map(([, id]) => id)).toEqual(commands.map((command) => command.transferId));
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    // One event per transfer, in sequence; the next transaction numbers on from the batch.
    const events = db
      .prepare(
        `SELECT t.id FROM events e JOIN transfers t ON t.seq = e.transfer_seq
         WHERE e.account_id = ? AND e.type IS NULL ORDER BY e.sequence`,
      )
      .pluck()
      .all(main.accountId) as string[];
    expect(events.slice(-size)).toEqual(commands.map((command) => command.transferId));
    const next = await move(store, 'add', main.keyHash, subs[0]!.token, '1');
    expect(next.ok && db.prepare('SELECT seq FROM transfers WHERE id = ?').pluck().get(next.transferId)).toBe(
      before + BigInt(size + 1),
    );
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    expect((await store.verify()).ok).toBe(true);
  });

  it('links the transfers of a subaccount whose balance ends where it began (an add and a remove of the same amount)', async () => {
    migrate(db);
    const store = new SqliteStore(db, null);
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    await move(store, 'add', main.keyHash, sub.token, '1');
    const even = [creditCommand('add', main.keyHash, sub.token, '2')];
    even.push(creditCommand('remove', main.keyHash, sub.token, '2'));
    expect(
      await store.applyCreditBatch({ keyHash: main.keyHash, commands: even, apply: 'each' }),
    ).toMatchObject({
      ok: true,
      applied: true,
    });
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    const page = await store.listTransfers({ subaccountId: sub.accountId, limit: 10 });
    expect(page.items.map((t) => t.id)).toEqual([
      even[1]!.transferId,
      even[0]!.transferId,
      expect.any(String),
    ]);
  });

  it('refuses a database migrated by a later build, which it would write past', () => {
    migrate(db);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)').run(
      MIGRATIONS.length + 1,
    );
    const known = MIGRATIONS.length;
    expect(() => migrate(db)).toThrow(`schema version ${known + 1}, newer than this build's ${known}`);
  });

  it('counts each link that breaks a history: a skipped transfer, a wrong last, a last on another subaccount', () => {
    const { subs } = ledgerAtVersion6(12);
    migrate(db);
    db.exec('DROP TRIGGER transfers_no_update');
    const [first, second, third] = historyOf(subs[0]!);
    // The third names the first: the second drops out of the history.
    db.prepare('UPDATE transfers SET previous_seq = ? WHERE seq = ?').run(first, third);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(1);
    db.prepare('UPDATE transfers SET previous_seq = ? WHERE seq = ?').run(second, third);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    // A rank out of step.
    db.prepare('UPDATE transfers SET history_ordinal = 7 WHERE seq = ?').run(second);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(1);
    db.prepare('UPDATE transfers SET history_ordinal = 2 WHERE seq = ?').run(second);
    // A last that is not the newest hides the newer ones; a count that is not theirs.
    db.prepare('UPDATE accounts SET last_seq = ? WHERE id = ?').run(third, subs[0]);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(1);
    db.prepare('UPDATE accounts SET last_seq = ? WHERE id = ?').run(historyOf(subs[0]!).at(-1), subs[0]);
    db.prepare('UPDATE accounts SET history_count = history_count + 1 WHERE id = ?').run(subs[0]);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(1);
    db.prepare('UPDATE accounts SET history_count = history_count - 1 WHERE id = ?').run(subs[0]);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(0);
    // A subaccount with no transfer whose last names another's.
    db.prepare('UPDATE accounts SET last_seq = ? WHERE id = ?').run(first, subs[2]);
    expect(readLedgerFacts(db).brokenHistoryLinks).toBe(1);
  });
});
