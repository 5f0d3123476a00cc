import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The bank test runs from its sources (vitest) and from its build
 * (dist/soak-build/soak/*.js); the project root is found by walking up, so the
 * built server and CLI are found from either place.
 */
function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'soak', 'bank.ts'))) return dir;
  }
  throw new Error(`project root not found above ${from}`);
}

const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const SERVER_ENTRY = join(ROOT, 'dist', 'main.js');
const CLI_ENTRY = join(ROOT, 'dist', 'cli', 'main.js');

/** How many of the server's last output lines are kept for a failure message. */
const TAIL_LINES = 40;

export interface RunningServer {
  readonly url: string;
  /** SIGKILL, as in a crash: no cleanup, requests in flight are cut. */
  kill(): Promise<void>;
  /** SIGTERM: the clean path. */
  stop(): Promise<void>;
  tail(): string;
}

/**
 * Starts `node dist/main.js` on a free port and resolves once it has logged
 * its address. The abuse limits are turned off: this test is about crashes,
 * and a 429 would only add retries.
 */
export function startServer(databaseUrl: string, startTimeoutMs = 30_000): Promise<RunningServer> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`);
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '0',
      AUTH_FAILURE_MAX: '0',
      REDIS_URL: '',
      PGPOOL_MAX: '5',
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
  };
  // 'close', not 'exit': once the output pipes are drained too, so the tail holds the server's
  // last lines (its log is buffered and flushed as it exits).
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  createInterface({ input: child.stderr! }).on('line', keep);
  return new Promise<RunningServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${startTimeoutMs} ms\n${lines.join('\n')}`));
    }, startTimeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening\n${lines.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      const url = listeningUrl(line);
      if (url === null) return;
      clearTimeout(timer);
      resolve(handle(child, url, exited, () => lines.join('\n')));
    });
  });
}

function handle(child: ChildProcess, url: string, exited: Promise<void>, tail: () => string): RunningServer {
  return {
    url,
    tail,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** main.ts logs `{"msg":"tirelire listening","url":…}` once the port is bound. */
export function listeningUrl(line: string): string | null {
  if (!line.includes('tirelire listening')) return null;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return entry.msg === 'tirelire listening' && typeof entry.url === 'string' ? entry.url : null;
  } catch {
    return null;
  }
}

/** `tirelire verify --json` on the store, as an operator would run it: its exit code and its report. */
export function runCliVerify(databaseUrl: string): Promise<{ exitCode: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_ENTRY, 'verify', '--json', '--db', databaseUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve({ exitCode, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}
