import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { packageVersion } from '../../src/config.js';
import { startupBanner } from '../../src/main.js';
import { locateDatabase } from '../../src/store/open-store.js';
import { SERVER_ENTRY } from '../../soak/server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

let dir: string;
let server: ServerProcess | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-first-run-'));
});
afterEach(async () => {
  await server?.crash();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Polls until the server answers 200 (a failure guard of 20 s, not a timing). */
async function waitUntilReady(url: string): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 20_000;) {
    const status = await fetch(url).then(
      (answer) => answer.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} never answered 200`);
}

/** The lines the server wrote on stderr (output() interleaves them with the JSON log of stdout). */
function readableLines(process: ServerProcess): string[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('tirelire'));
}

describe('start-up', () => {
  test('one readable line names the URL, the store and its file, /console and /docs; a warning without a token', async () => {
    const databaseUrl = join(dir, 'ledger.db');
    server = await startServerProcess({ databaseUrl, env: { TIRELIRE_ADMIN_TOKEN: '' } });
    const { url } = server;
    expect(readableLines(server)).toEqual([
      `tirelire ${packageVersion()} listening on ${url} — store sqlite ${databaseUrl} — console ${url}/console/ — docs ${url}/docs`,
      'tirelire: warning: TIRELIRE_ADMIN_TOKEN is unset: the operator API and the console refuse everyone (code 29)',
    ]);
  });

  test('no warning with a token; GET / is a JSON index; the console has its favicon', async () => {
    server = await startServerProcess({
      databaseUrl: join(dir, 'ledger.db'),
      env: { TIRELIRE_ADMIN_TOKEN: 'x-token' },
    });
    expect(readableLines(server)).toHaveLength(1);
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(await index.json()).toEqual({
      name: 'tirelire',
      version: packageVersion(),
      description: 'Prepaid credit ledger speaking the Mailpartner subaccount API',
      links: {
        api: '/v1',
        docs: '/docs',
        openapi: '/openapi.json',
        console: '/console/',
        health: '/healthz',
        ready: '/readyz',
        metrics: '/metrics',
      },
    });
    const page = await (await fetch(`${server.url}/console/`)).text();
    expect(page).toContain('<link rel="icon" type="image/svg+xml" href="/console/favicon.svg" />');
    const icon = await fetch(`${server.url}/console/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await icon.text()).toMatch(/^<svg /);
    const root = await fetch(`${server.url}/favicon.ico`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/favicon.svg');
  });

  test('LOG_LEVEL=silent writes nothing on the terminal, the start-up line neither', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'silent',
        DATABASE_URL: join(dir, 'quiet.db'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let written = '';
    child.stdout.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
    const exited = new Promise((resolve) => child.once('close', resolve));
    try {
      await waitUntilReady(`http://127.0.0.1:${port}/readyz`);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(written).toBe('');
  });

  test('a PostgreSQL URL is said without its password', () => {
    const location = locateDatabase('postgres://app:s3cret@db.internal:6432/ledger?schema=t1');
    const banner = startupBanner({ url: 'http://127.0.0.1:8080', database: location.label, adminToken: 't' });
    expect(banner).toContain('store postgres postgres://app:***@db.internal:6432/ledger?schema=t1 —');
    expect(banner).not.toContain('s3cret');
    expect(locateDatabase('postgres://app@db/ledger').label).toBe('postgres postgres://app@db/ledger');
    expect(locateDatabase('postgres://app:p%40ss@[bad').label).toBe('postgres (unparsable DATABASE_URL)');
  });
});
