import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

/**
 * What an operator gets from `npm install tirelire`: the tarball `npm pack`
 * makes (of the build `npm test` has just made), installed into an empty
 * folder from the registry like any package (better-sqlite3 is fetched and
 * built there, hence the long timeout), and its `tirelire serve` started as a
 * real process. The console and the API's documentation must come with it.
 */
const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url);
const work = mkdtempSync(join(tmpdir(), 'tirelire-pack-'));
const INSTALL_TIMEOUT_MS = 12 * 60_000;

afterAll(() => rmSync(work, { recursive: true, force: true }));

test(
  'the packed package installs and its tirelire serve answers /console and /docs',
  async () => {
    const tarball = await pack();
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{ "name": "operator", "private": true }\n');
    await run('npm', ['install', '--no-audit', '--no-fund', tarball], {
      cwd: app,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    const installed = join(app, 'node_modules', 'tirelire');
    expect(existsSync(join(installed, 'web', 'dist', 'index.html'))).toBe(true);

    const port = await freePort();
    const server = spawn(join(app, 'node_modules', '.bin', 'tirelire'), ['serve', '--port', String(port)], {
      cwd: app,
      env: { ...process.env, DATABASE_URL: join(work, 'tirelire.db'), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    server.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    server.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => server.once('close', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitUntilReady(`${base}/readyz`, exited, output);
      const console = await fetch(`${base}/console/`);
      expect(console.status).toBe(200);
      expect(console.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await console.text();
      expect(page).toContain('<title>Tirelire');
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page);
      expect(script, page).not.toBeNull();
      expect((await fetch(`${base}${script![1]}`)).status).toBe(200);
      const docs = await fetch(`${base}/docs`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
    // The client is bundled in the tarball: it is not on the registry under that name.
    expect(existsSync(join(installed, 'node_modules', 'tirelire-client', 'package.json'))).toBe(true);
  },
  INSTALL_TIMEOUT_MS + 60_000,
);

/** `npm pack` of the repository as built; scripts off, since `npm test` has just built it. */
async function pack(): Promise<string> {
  const out = join(work, 'pack');
  mkdirSync(out);
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: ROOT });
  const [tarball, ...others] = readdirSync(out);
  expect(others).toEqual([]);
  return join(out, tarball!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()));
    });
  });
}

/** Polls /readyz until it answers 200; fails at once if the process exits, or after 30 s. */
async function waitUntilReady(url: string, exited: Promise<number | null>, output: string[]): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone !== undefined) throw new Error(`tirelire serve exited with ${gone}\n${output.join('')}`);
    if (Date.now() > deadline) throw new Error(`tirelire serve not ready after 30 s\n${output.join('')}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
