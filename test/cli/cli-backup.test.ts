import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openStore } from '../../src/store/open-store.js';
import { assertBuilt, jsonOf, tirelire, tirelireAsync } from '../helpers/cli-harness.js';
import { seedMain, seedSub, type SeededMain, type SeededSub } from '../helpers/http-fixture.js';
import { postJson, startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/** Clients writing transfers the whole time the backup runs. */
const WRITERS = 8;

let dir: string;
let databaseUrl: string;
let server: ServerProcess | null = null;
beforeAll(assertBuilt);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-backup-'));
  databaseUrl = join(dir, 'live.db');
});
afterEach(async () => {
  await server?.crash();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

/** Adds of 0.01 from every writer until `stop`; counts the acknowledged ones as they come. */
function load(url: string, main: SeededMain, sub: SeededSub) {
  let acknowledged = 0;
  let running = true;
  const writers = Array.from({ length: WRITERS }, async () => {
    while (running) {
      const answer = await postJson(`${url}/v1/subaccount/credit/add`, {
        apiKey: main.apiKey,
        credit: '0.01',
        tokenSubaccount: sub.token,
      });
      if (answer.status !== 200)
        throw new Error(`add answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      acknowledged += 1;
    }
  });
  return {
    acknowledged: () => acknowledged,
    stop: async () => {
      running = false;
      await Promise.all(writers);
    },
  };
}

describe('tirelire backup', () => {
  it('copies the live store while transfers are written; verify accepts the copy', async () => {
    const store = await openStore({ databaseUrl });
    const main = await seedMain(store, 'main@example.com', '100000');
    const sub = await seedSub(store, main, 'sub@example.com', null);
    await store.close();
    server = await startServerProcess({ databaseUrl });
    const writing = load(server.url, main, sub);
    // The first answers prove the load is on before the copy starts.
    await postJson(`${server.url}/v1/subaccount/credit/add`, {
      apiKey: main.apiKey,
      credit: '0.01',
      tokenSubaccount: sub.token,
    });
    const before = writing.acknowledged();
    const copy = join(dir, 'copy.db');
    const backup = await tirelireAsync(['backup', '--db', databaseUrl, '--to', copy, '--json']);
    const after = writing.acknowledged();
    await writing.stop();
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.database).toBe(`{"database":"sqlite ${databaseUrl}"}`);
    expect(jsonOf(backup)).toMatchObject({ ok: true, to: copy });
    // Transfers were acknowledged while the backup ran: the copy was taken under load.
    expect(after).toBeGreaterThan(before);

    const verified = tirelire(['verify', '--db', copy, '--json']);
    expect(verified.status, verified.stderr).toBe(0);
    const report = jsonOf(verified) as { ok: boolean; transfers: number };
    expect(report.ok).toBe(true);
    // The opening top-up, the one add before the load, and a snapshot of the load's adds.
    expect(report.transfers).toBeGreaterThanOrEqual(2 + before);
    expect(report.transfers).toBeLessThanOrEqual(2 + after + WRITERS);

    const again = tirelire(['backup', '--db', databaseUrl, '--to', copy]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(`tirelire: backup failed: ${copy} already exists: choose a new file name\n`);
  });

  it('points PostgreSQL to pg_dump', () => {
    const result = tirelire([
      'backup',
      '--db',
      'postgres://postgres:pw@127.0.0.1:1/test',
      '--to',
      join(dir, 'x'),
    ]);
    expect(result.status).toBe(1);
    expect(result.database).toBe('tirelire: database: postgres postgres://postgres:***@127.0.0.1:1/test');
    expect(result.stderr).toContain('pg_dump');
  });
});
