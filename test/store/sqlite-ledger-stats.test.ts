import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerStats } from '../../src/domain/ledger-stats.js';
import { LedgerStatsReader, type StatsSteps } from '../../src/store/sqlite/ledger-stats.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { creditsAmong, seedMain, seedSub } from '../helpers/fixtures.js';
import { sqliteStoreEachTest } from '../helpers/sqlite-file.js';

/**
 * /metrics on SQLite sums the money moved by kind once, then only the
 * transfers after the last it summed, in steps with the event loop's turns
 * between them (store-ledger-stats.test.ts holds the figures on both stores).
 */
describe('SQLite ledger stats, summed as the ledger grows', () => {
  let db: Database.Database;
  let store: SqliteStore;
  sqliteStoreEachTest('tirelire-stats-', (opened, storeOn) => {
    db = opened;
    store = storeOn;
  });

  /** A main account, two subaccounts, and `count` adds and removes between them (a topup and adds to start). */
  async function ledgerOf(count: number): Promise<() => Promise<void>> {
    const main = await seedMain(store, '1000');
    const subs = [await seedSub(store, main, '5'), await seedSub(store, main, '7')];
    return async () => {
      await creditsAmong(store, main, subs, count);
    };
  }

  const readers: LedgerStatsReader[] = [];
  afterEach(() => {
    for (const opened of readers.splice(0)) opened.close();
  });

  /** A reader on the store's file, closed after the test; `step` for both transfers and accounts. */
  function openReader(step?: number | StatsSteps): LedgerStatsReader {
    const steps = typeof step === 'number' ? { transfers: step, accounts: step } : step;
    const opened = new LedgerStatsReader(db, steps);
    readers.push(opened);
    return opened;
  }

  const readOnce = (step?: number | StatsSteps) => openReader(step).read();

  /** The money moved by kind as one full scan of the transfers sums it. */
  function movedByScan(): LedgerStats['movedMicros'] {
    const moved = { add: 0n, remove: 0n, topup: 0n, charge: 0n, autotopup: 0n, close: 0n };
    const rows = db.prepare('SELECT kind, SUM(amount) AS total FROM transfers GROUP BY kind').all() as {
      kind: keyof typeof moved;
      total: bigint;
    }[];
    for (const row of rows) moved[row.kind] = BigInt(row.total);
    return moved;
  }

  it('matches a full scan, in steps of any size, and again after more transfers', async () => {
    const more = await ledgerOf(25);
    await more();
    for (const step of [1, 4, 1_000_000]) {
      const stats = await readOnce(step);
      expect(stats.movedMicros).toEqual(movedByScan());
      expect(stats.movedMicros.add).toBeGreaterThan(0n);
      expect(stats.movedMicros.remove).toBeGreaterThan(0n);
    }
    const reader = openReader(4);
    await reader.read();
    await more();
    const after = await reader.read();
    expect(after.movedMicros).toEqual(movedByScan());
    // The accounts are read whole at each read.
    expect(after).toEqual(await store.ledgerStats());
  });

  it('adds only the transfers after the last it summed', async () => {
    const more = await ledgerOf(10);
    await more();
    const reader = openReader(4);
    const first = await reader.read();
    // Never done by the ledger (its schema refuses it): an old transfer changed behind the reader's back
    // shows that the reader does not read it again.
    db.exec('DROP TRIGGER transfers_no_update');
    db.prepare(
      "UPDATE transfers SET amount = amount + 1 WHERE seq = (SELECT MIN(seq) FROM transfers WHERE kind = 'add')",
    ).run();
    await more();
    const second = await reader.read();
    expect(second.movedMicros.add).toBe(movedByScan().add - 1n);
    expect(second.movedMicros.add).toBeGreaterThan(first.movedMicros.add);
  });

  it('sees one snapshot across its turns, while transfers commit between its steps', async () => {
    const more = await ledgerOf(6);
    await more();
    const before = await readOnce();
    // One account and one transfer per step: the funding account, the main
    // account and its two subaccounts each in a step of their own.
    const reading = openReader(1).read();
    await more();
    const after = await store.ledgerStats();
    expect(after.balanceMicros).not.toEqual(before.balanceMicros);
    expect(after.movedMicros).not.toEqual(before.movedMicros);
    expect(await reading).toEqual(before);
    expect(await readOnce()).toEqual(after);
  });

  it('gives the event loop its turn between steps, and reads asked together share one', async () => {
    const more = await ledgerOf(20);
    await more();
    const turnTaken = async (reader: LedgerStatsReader) => {
      let turned = false;
      setImmediate(() => (turned = true));
      await reader.read();
      return turned;
    };
    expect(await turnTaken(openReader(1_000_000))).toBe(false);
    expect(await turnTaken(openReader(5))).toBe(true);

    const shared = openReader(5);
    const [one, two] = [shared.read(), shared.read()];
    expect(two).toBe(one);
    await one;
    expect(shared.read()).not.toBe(one);
  });
});
