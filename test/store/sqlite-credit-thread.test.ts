import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { creditCommand, seedMain, seedSub } from '../helpers/fixtures.js';
import { sqliteThreadFactory, type StoreUnderTest } from '../helpers/stores.js';
import { ThreadCreditWriter, WRITER_YOUNG_GENERATION_MB } from '../../src/store/sqlite/credit-writer.js';
import { migrate } from '../../src/store/sqlite/migrations.js';
import { openSqliteDatabase } from '../../src/store/sqlite/open.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/**
 * The SQLite writer thread (src/store/sqlite/credit-writer.ts) beyond what the
 * store contract suite already runs on it: a failing transaction there fails
 * its callers with the error and leaves the next batch unharmed, so does a
 * thread that dies; the event loop's own writes wait for their turn without
 * blocking it; and the thread runs below the event loop's priority, with its
 * young generation capped.
 */
let subject: StoreUnderTest;

beforeEach(async () => {
  subject = await sqliteThreadFactory.create();
});

afterEach(async () => {
  await subject.dispose();
});

test('a transaction that throws on the writer thread rejects its batch with the error; the next batch commits', async () => {
  const { store } = subject;
  const main = await seedMain(store, '100');
  const sub = await seedSub(store, main);
  await subject.exec(`CREATE TRIGGER refuse_777 BEFORE INSERT ON transfers WHEN NEW.amount = 7770000
    BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END;`);
  const failing = store.applyCredits([
    creditCommand('add', main.keyHash, sub.token, '1'),
    creditCommand('add', main.keyHash, sub.token, '7.77'),
  ]);
  await expect(failing).rejects.toThrow('refused by a test trigger');
  const [after] = await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '2')]);
  expect(after).toMatchObject({
    ok: true,
    mainBalanceMicros: 98_000_000n,
    subaccountBalanceMicros: 2_000_000n,
  });
  expect((await store.verify()).transfers).toBe(2); // the opening top-up and the add of 2: nothing of the failed batch
});

test('a writer thread that dies fails the batch it held; the next batch starts a new thread and commits', async () => {
  await withThreadStore('dying-credit-worker.mjs', async (store) => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    await expect(store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')])).rejects.toThrow(
      'credit writer thread stopped (exit 3)',
    );
    const [after] = await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '2')]);
    expect(after).toMatchObject({
      ok: true,
      mainBalanceMicros: 8_000_000n,
      subaccountBalanceMicros: 2_000_000n,
    });
    expect((await store.verify()).transfers).toBe(2);
  });
});

test('a write on the event loop waits for the thread to give its turn, without blocking the event loop', async () => {
  await withThreadStore('slow-credit-worker.mjs', async (store, path) => {
    const main = await seedMain(store, '10');
    const first = await seedSub(store, main);
    const credit = store.applyCredits([creditCommand('add', main.keyHash, first.token, '1')]);
    await untilWriteLockHeld(path);
    const before = performance.now();
    const second = seedSub(store, main, '2');
    // Taking SQLite's lock on the event loop would have slept here until the thread's commit.
    expect(performance.now() - before).toBeLessThan(100);
    const [added] = await credit;
    expect(added).toMatchObject({ ok: true, mainBalanceMicros: 9_000_000n });
    await second;
    expect(await store.getAccount(main.accountId)).toMatchObject({ balanceMicros: 7_000_000n });
    expect((await store.verify()).ok).toBe(true);
  });
});

test('a write waiting for its turn from a thread that dies runs all the same', async () => {
  await withThreadStore('dying-credit-worker.mjs', async (store) => {
    const main = await seedMain(store, '10');
    const first = await seedSub(store, main);
    const failing = store.applyCredits([creditCommand('add', main.keyHash, first.token, '1')]);
    const second = seedSub(store, main, '3');
    await expect(failing).rejects.toThrow('credit writer thread stopped (exit 3)');
    await second;
    expect(await store.getAccount(main.accountId)).toMatchObject({ balanceMicros: 7_000_000n });
  });
});

test("the writer thread's young generation is capped", async () => {
  await withThreadStore('limits-credit-worker.mjs', async (store, path) => {
    const main = await seedMain(store, '10');
    const sub = await seedSub(store, main);
    const [added] = await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]);
    expect(added).toMatchObject({ ok: true, subaccountBalanceMicros: 1_000_000n });
    const limits = JSON.parse(readFileSync(`${path}.limits.json`, 'utf8')) as Record<string, number>;
    expect(limits.maxYoungGenerationSizeMb).toBe(WRITER_YOUNG_GENERATION_MB);
    expect(WRITER_YOUNG_GENERATION_MB).toBeLessThan(16);
  });
});

/** Runs `test` on a store in a new file whose writer thread runs test/fixtures/`fixture`; then closes and deletes both. */
async function withThreadStore(
  fixture: string,
  test: (store: SqliteStore, path: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-thread-'));
  const path = join(dir, 'tirelire.db');
  const db = openSqliteDatabase(path);
  migrate(db);
  const store = new SqliteStore(
    db,
    new ThreadCreditWriter(path, new URL(`../fixtures/${fixture}`, import.meta.url)),
  );
  try {
    await test(store, path);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until another connection holds the file's write lock (the thread, mid-transaction). */
async function untilWriteLockHeld(path: string): Promise<void> {
  const probe = new Database(path, { timeout: 0 });
  try {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
      } catch {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error('the writer thread never took the write lock');
  } finally {
    probe.close();
  }
}

test.skipIf(process.platform !== 'linux')(
  'the writer thread runs at nice 10, the event loop at 0',
  async () => {
    const { store } = subject;
    const main = await seedMain(store, '1');
    const sub = await seedSub(store, main);
    await store.applyCredits([creditCommand('add', main.keyHash, sub.token, '1')]);
    // Field 19 of /proc/…/stat, counted after the command name's closing parenthesis.
    const niceOf = (statPath: string) => {
      const stat = readFileSync(statPath, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const nices = readdirSync('/proc/self/task').map((thread) => niceOf(`/proc/self/task/${thread}/stat`));
    expect(nices).toContain(10);
    expect(niceOf('/proc/thread-self/stat')).toBe(0);
  },
);
