import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LedgerStats } from '../../src/domain/ledger-stats.js';
import { LedgerStatsReader } from '../../src/store/sqlite/ledger-stats.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
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
      const commands = Array.from({ length: count }, (_, index) =>
        creditCommand(
          index % 3 === 2 ? 'remove' : 'add',
          main.keyHash,
          subs[index % 2]!.token,
          `0.0${1 + (index % 9)}`,
        ),
      );
      const outcomes = await store.applyCredits(commands);
      expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    };
  }

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
      const stats = await new LedgerStatsReader(db, step).read();
      expect(stats.movedMicros).toEqual(movedByScan());
      expect(stats.movedMicros.add).toBeGreaterThan(0n);
      expect(stats.movedMicros.remove).toBeGreaterThan(0n);
    }
    const reader = new LedgerStatsReader(db, 4);
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
    const reader = new LedgerStatsReader(db, 4);
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

  it('gives the event loop its turn between steps, and reads asked together share one', async () => {
    const more = await ledgerOf(20);
    await more();
    const turnTaken = async (reader: LedgerStatsReader) => {
      let turned = false;
      setImmediate(() => (turned = true));
      await reader.read();
      return turned;
    };
    expect(await turnTaken(new LedgerStatsReader(db, 1_000_000))).toBe(false);
    expect(await turnTaken(new LedgerStatsReader(db, 5))).toBe(true);

    const reader = new LedgerStatsReader(db, 5);
    const [one, two] = [reader.read(), reader.read()];
    expect(two).toBe(one);
    await one;
    expect(reader.read()).not.toBe(one);
  });
});
