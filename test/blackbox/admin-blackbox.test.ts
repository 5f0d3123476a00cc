import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/** The real server reads TIRELIRE_ADMIN_TOKEN from its environment (src/main.ts). */
let dir: string;
let server: ServerProcess | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-admin-blackbox-'));
});
afterEach(async () => {
  if (server !== null) await server.stop();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'blackbox-operator-token';

async function createAccount(url: string, token: string) {
  const response = await fetch(`${url}/admin/v1/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-operator': 'ops' },
    body: JSON.stringify({ email: 'real@example.com', credit: '3.25' }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('the token from the environment opens the API; its key works and it never reaches the log', async () => {
  server = await startServerProcess({
    databaseUrl: join(dir, 'tirelire.db'),
    env: { TIRELIRE_ADMIN_TOKEN: TOKEN },
  });
  expect((await createAccount(server.url, 'wrong')).body).toMatchObject({ code: 29 });
  const created = await createAccount(server.url, TOKEN);
  expect(created.status).toBe(200);
  const me = await fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': String(created.body['apiKey']) } });
  expect(await me.json()).toMatchObject({ code: 200, credits: { balance: '3.250' } });
  await server.stop(); // its last log lines are flushed as it exits
  expect(server.output()).toContain('request completed');
  expect(server.output()).not.toContain(TOKEN);
  expect(server.output()).not.toContain(String(created.body['apiKey']));
});

test('without TIRELIRE_ADMIN_TOKEN the API is off', async () => {
  server = await startServerProcess({
    databaseUrl: join(dir, 'tirelire.db'),
    env: { TIRELIRE_ADMIN_TOKEN: '' },
  });
  const refused = await createAccount(server.url, '');
  expect(refused).toEqual({
    status: 401,
    body: { success: false, code: 29, message: 'Jeton opérateur absent ou invalide' },
  });
});
