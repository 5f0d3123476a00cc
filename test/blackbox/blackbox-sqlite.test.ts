import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import { seedMain, seedSub } from '../helpers/http-fixture.js';
import type { SeededMain, SeededSub } from '../helpers/http-fixture.js';
import { postJson, startServerProcess } from '../helpers/server-process.js';
import type { ServerProcess } from '../helpers/server-process.js';

/** The real server process over real HTTP, on a SQLite file in a temp directory. */
let dir: string;
let databaseUrl: string;
let main: SeededMain;
let sub: SeededSub;
let server: ServerProcess | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-blackbox-'));
  databaseUrl = join(dir, 'tirelire.db');
  const store = await openStore({ databaseUrl });
  main = await seedMain(store, 'main@example.com', '100');
  sub = await seedSub(store, main, 'sub@example.com', '10');
  await store.close();
});

afterEach(async () => {
  if (server !== null) await server.crash();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

async function verifyStore() {
  const store = await openStore({ databaseUrl });
  try {
    return await store.verify();
  } finally {
    await store.close();
  }
}

test('256 concurrent removes of 9 from 10: exactly one succeeds', async () => {
  server = await startServerProcess({ databaseUrl });
  const url = `${server.url}/v1/subaccount/credit/remove`;
  const answers = await Promise.all(
    Array.from({ length: 256 }, () =>
      postJson(url, { apiKey: main.apiKey, credit: '9', tokenSubaccount: sub.token }),
    ),
  );
  const codes = answers.map((answer) => answer.body['code']);
  expect(codes.filter((code) => code === 200)).toHaveLength(1);
  expect(codes.filter((code) => code === 8)).toHaveLength(255);
  expect(answers.find((answer) => answer.status === 200)?.body).toMatchObject({
    credit: 99,
    subaccountCredit: 1,
  });
  const report = await verifyStore();
  expect(report.ok).toBe(true);
  expect(report.transfers).toBe(3); // opening top-up, creditToAttribute, the one remove
});

test('an acknowledged add survives kill -9 and a restart', async () => {
  server = await startServerProcess({ databaseUrl });
  const added = await postJson(`${server.url}/v1/subaccount/credit/add`, {
    apiKey: main.apiKey,
    credit: 0.1,
    tokenSubaccount: sub.token,
  });
  expect(added.body).toMatchObject({ success: true, code: 200, subaccountCredit: 10.1 });
  await server.crash();
  server = await startServerProcess({ databaseUrl });
  const list = await fetch(`${server.url}/v1/subaccount/list?apiKey=${main.apiKey}`);
  const body = (await list.json()) as { data: { token: string; credits: { balance: string } }[] };
  expect(body.data.find((item) => item.token === sub.token)?.credits.balance).toBe('10.100');
  const me = (await (
    await fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': main.apiKey } })
  ).json()) as {
    credits: { balance: string };
  };
  expect(me.credits.balance).toBe('89.900');
  expect(await verifyStore()).toMatchObject({ ok: true, transfers: 3 });
});

test('SIGTERM closes the server cleanly', async () => {
  server = await startServerProcess({ databaseUrl });
  const code = await server.stop();
  server = null;
  expect(code).toBe(0);
});
