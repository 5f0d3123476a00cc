import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { readLedgerFacts } from '../../src/store/sqlite/verify.js';
import { move, seedMain, seedSub } from '../helpers/fixtures.js';
import { migrateTo, sqliteFileEachTest } from '../helpers/sqlite-file.js';

/**
 * Migration 8 slims the event row: the id's random end instead of the id, and
 * for a transfer.created event its transfer's seq instead of its id and type.
 * Events written before it must read back exactly as they were.
 */
describe('SQLite event rows (migration 8)', () => {
  let db: Database.Database;
  sqliteFileEachTest('tirelire-events-', (opened) => (db = opened));

  /** A ledger at migration 7: a main account, a subaccount, two transfers, their events and one of no transfer. */
  function ledgerAtVersion7(): { main: bigint; ids: string[] } {
    migrateTo(db, 7);
    const account = db.prepare(
      `INSERT INTO accounts (kind, parent_id, email, token, balance, event_sequence, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id`,
    );
    const main = account.pluck().get('main', null, 'm@x', null, 3_000_000n, 4n) as bigint;
    const sub = account.pluck().get('sub', main, 's@x', 'tok1', 2_000_000n, 0n) as bigint;
    const transfer = db.prepare(
      `INSERT INTO transfers (id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
         credit_balance_after, main_account_id, subaccount_id, created_at, previous_seq, history_ordinal)
       VALUES (?, 'add', ?, ?, 1000000, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const first = '0190a000-0000-7000-8000-000000000001';
    const second = '0190a000-0000-7000-8000-000000000002';
    const one = transfer.run(
      first,
      main,
      sub,
      4_000_000n,
      1_000_000n,
      main,
      sub,
      1000,
      null,
      1,
    ).lastInsertRowid;
    transfer.run(second, main, sub, 3_000_000n, 2_000_000n, main, sub, 2000, one, 2);
    db.prepare('UPDATE accounts SET last_seq = ?, history_count = 2 WHERE id = ?').run(BigInt(one) + 1n, sub);
    const event = db.prepare(
      'INSERT INTO events (account_id, sequence, id, type, data, transfer_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const ids = [1, 2, 3, 4].map((sequence) => `evt_${main}_${sequence}_00000000000${sequence}`);
    event.run(main, 1, ids[0], 'subaccount.created', '{"tokenSubaccount":"tok1"}', null, 500);
    event.run(main, 2, ids[1], 'transfer.created', null, first, 1000);
    event.run(main, 3, ids[2], 'transfer.created', null, second, 2000);
    event.run(main, 4, ids[3], 'transfer.created', null, 'a-transfer-never-written', 3000);
    return { main, ids };
  }

  it('keeps every event as it read before: its id, type, data, transfer and time', async () => {
    const { main, ids } = ledgerAtVersion7();
    migrate(db);
    const store = new SqliteStore(db, null);
    const events = await store.listEvents({ accountId: Number(main), after: 0, limit: 10 });
    expect(events.map((e) => [e.id, e.type, e.transferId, e.createdAt.getTime()])).toEqual([
      [ids[0], 'subaccount.created', null, 500],
      [ids[1], 'transfer.created', '0190a000-0000-7000-8000-000000000001', 1000],
      [ids[2], 'transfer.created', '0190a000-0000-7000-8000-000000000002', 2000],
      [ids[3], 'transfer.created', null, 3000],
    ]);
    expect(events[0]!.data).toBe('{"tokenSubaccount":"tok1"}');
    expect(JSON.parse(events[2]!.data)).toMatchObject({ id: '0190a000-0000-7000-8000-000000000002' });
    expect((await store.findEvent(ids[1]!))?.transferId).toBe('0190a000-0000-7000-8000-000000000001');
    expect(await store.findEvent(`evt_${main}_2_000000000009`)).toBeNull();
    const byType = await store.listEvents({
      accountId: Number(main),
      after: 0,
      limit: 10,
      types: ['transfer.created'],
    });
    expect(byType.map((e) => e.sequence)).toEqual([2, 3, 4]);
    // The event whose transfer was never written is still reported, by its id.
    const facts = readLedgerFacts(db);
    expect([facts.eventsOfNoTransfer, facts.untoldTransfers]).toEqual([[ids[3]], 0]);
    expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
  });

  it('leaves the file as it was when an id does not name its own row', () => {
    const { main } = ledgerAtVersion7();
    db.prepare(
      "INSERT INTO events (account_id, sequence, id, type, data, created_at) VALUES (?, 5, 'evt_1_1_ab', 'x', '{}', 0)",
    ).run(main);
    expect(() => migrate(db)).toThrow(/NOT NULL/);
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(7n);
    expect(db.prepare('SELECT COUNT(*) FROM events WHERE id IS NOT NULL').pluck().get()).toBe(5n);
  });

  it('writes a transfer.created event as its transfer seq and the random end of its id, read back whole', async () => {
    migrate(db);
    const store = new SqliteStore(db, null);
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const moved = await move(store, 'add', main.keyHash, sub.token, '2.5');
    if (!moved.ok) throw new Error('the move was refused');
    const row = db
      .prepare(
        'SELECT sequence, nonce, type, data, transfer_seq FROM events WHERE account_id = ? ORDER BY sequence DESC',
      )
      .raw()
      .get(main.accountId) as [bigint, string, string | null, string | null, bigint];
    const seq = db.prepare('SELECT seq FROM transfers WHERE id = ?').pluck().get(moved.transferId) as bigint;
    expect(row.slice(2)).toEqual([null, null, seq]);
    expect(row[1]).toMatch(/^[0-9a-f]{12}$/);
    const [event] = await store.listEvents({
      accountId: main.accountId,
      after: Number(row[0]) - 1,
      limit: 1,
    });
    expect(event).toMatchObject({
      id: `evt_${main.accountId}_${row[0]}_${row[1]}`,
      type: 'transfer.created',
      transferId: moved.transferId,
    });
    expect(JSON.parse(event!.data)).toMatchObject({ id: moved.transferId, amount: '2.5' });
    expect(readLedgerFacts(db)).toMatchObject({ eventsOfNoTransfer: [], untoldTransfers: 0 });
  });
});
