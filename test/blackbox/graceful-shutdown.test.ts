import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, expect, test } from 'vitest';

import { openStore } from '../../src/store/open-store.js';
import { seedMain, seedSub, type SeededMain, type SeededSub } from '../helpers/http-fixture.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/** Requests whose bodies are still on their way when SIGTERM arrives. */
const IN_FLIGHT = 12;

let dir: string;
let databaseUrl: string;
let main: SeededMain;
let sub: SeededSub;
let server: ServerProcess | null = null;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tirelire-shutdown-'));
  databaseUrl = join(dir, 'tirelire.db');
  const store = await openStore({ databaseUrl });
  main = await seedMain(store, 'main@example.com', '100');
  sub = await seedSub(store, main, 'sub@example.com', null);
  await store.close();
});

afterEach(async () => {
  if (server !== null && server.child.exitCode === null) await server.crash();
  server = null;
  rmSync(dir, { recursive: true, force: true });
});

interface HalfSent {
  readonly socket: Socket;
  readonly rest: string;
  /** Everything the server answered, once it closed the connection. */
  readonly answer: Promise<string>;
}

/** A credit/add whose headers and first half of the body are sent; `rest` completes it. */
function halfSentAdd(url: URL, index: number): Promise<HalfSent> {
  const body = JSON.stringify({ apiKey: main.apiKey, credit: String(index + 1), tokenSubaccount: sub.token });
  const head =
    `POST /v1/subaccount/credit/add HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(head + body.slice(0, half), () => resolve({ socket, rest: body.slice(half), answer }));
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const answer = new Promise<string>((done) => socket.once('close', () => done(received)));
    socket.once('error', reject);
  });
}

/** One GET on a connection of its own, closed after the answer; resolves with the raw answer. */
function rawGet(url: URL, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

/** Resolves when the server has logged that it is closing: the signal was handled. */
async function closingLogged(process: ServerProcess): Promise<void> {
  while (!process.output().includes('"msg":"closing"')) {
    await new Promise<void>((resolve) => process.child.stdout!.once('data', () => resolve()));
  }
}

test('SIGTERM: requests in flight are answered and stored, new connections refused, exit 0, verify ok', async () => {
  server = await startServerProcess({ databaseUrl });
  const url = new URL(server.url);
  const pending = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, index) => halfSentAdd(url, index)));
  // A round trip on a new connection, begun after every half request was in the server's socket
  // buffers: the server accepts connections in arrival order and reads every ready socket before it
  // handles a signal, so once this is answered it has read those requests' headers and waits for
  // their bodies. (fetch could reuse the pooled /readyz connection, which proves nothing.)
  expect(await rawGet(url, '/healthz')).toMatch(/^HTTP\/1\.1 200 /);
  const exited = server.stop();
  await closingLogged(server);

  // Closing: no new connection is accepted.
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();

  // write, not end: a client that half-closes before its answer has its request aborted by Node.
  for (const request of pending) request.socket.write(request.rest);
  const answers = await Promise.all(pending.map((request) => request.answer));
  for (const answer of answers) {
    expect(answer, server.output()).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain('"success":true,"code":200');
  }
  expect(await exited).toBe(0);

  const store = await openStore({ databaseUrl });
  try {
    const report = await store.verify();
    expect(report.ok).toBe(true);
    // The opening top-up and every add answered while closing.
    expect(report.transfers).toBe(1 + IN_FLIGHT);
    // 1 + 2 + … + IN_FLIGHT EUR, each add answered 200 while the server closed.
    const total = BigInt((IN_FLIGHT * (IN_FLIGHT + 1)) / 2) * 1_000_000n;
    const subaccount = await store.findSubaccountByToken(sub.token);
    expect(subaccount?.balanceMicros).toBe(total);
  } finally {
    await store.close();
  }
});
