import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { seedMain } from '../helpers/fixtures.js';
import { openSqliteStore, retryWhileBusy } from '../../src/store/sqlite/open.js';

/**
 * Two processes may open the same new file at once (a server and a `tirelire
 * migrate`, two servers started together). While one holds the file's lock,
 * the other's first steps (the switch of a new file to WAL, the migrations)
 * wait for it (busy_timeout) instead of failing with "database is locked";
 * and where SQLite refuses at once rather than wait (two connections both
 * switching the new file to WAL), the switch is tried again.
 */
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-open-locked-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Another process takes the new file's exclusive lock, says so, holds it `holdMs`, then lets go. */
function holdLock(path: string, holdMs: number): Promise<{ released: Promise<number | null> }> {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN EXCLUSIVE; CREATE TABLE held (x); ');
    process.stdout.write('locked\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['-e', script, path, String(holdMs)], { cwd: process.cwd() });
  const released = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ released }));
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`the locking process ended first (${code})`)));
  });
}

test('opening a new file that another process holds locked waits for it, then migrates', async () => {
  const path = join(dir, 'tirelire.db');
  const { released } = await holdLock(path, 400);
  const started = Date.now();
  const store = openSqliteStore(path);
  try {
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const main = await seedMain(store, '1');
    expect(await store.authenticate(main.keyHash)).not.toBeNull();
  } finally {
    await store.close();
  }
  expect(await released).toBe(0);
});

test('a step refused with SQLITE_BUSY is tried again until it passes', () => {
  let calls = 0;
  const answer = retryWhileBusy(() => {
    calls += 1;
    if (calls < 3) throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
    return 'wal';
  });
  expect(answer).toBe('wal');
  expect(calls).toBe(3);
});

test('any other error, or SQLITE_BUSY that lasts, is thrown', () => {
  let calls = 0;
  const failing = () => {
    calls += 1;
    throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR');
  };
  expect(() => retryWhileBusy(failing)).toThrow('disk I/O error');
  expect(calls).toBe(1);

  calls = 0;
  const started = Date.now();
  expect(() =>
    retryWhileBusy(() => {
      calls += 1;
      throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
    }),
  ).toThrow('database is locked');
  expect(calls).toBe(50);
  expect(Date.now() - started).toBeLessThan(5_000);
});
