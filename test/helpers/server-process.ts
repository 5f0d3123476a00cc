import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
// The built server (`npm test` builds it first) and its start-up line, as the soak harness reads them.
import { listeningUrl, SERVER_ENTRY } from '../../soak/server.js';

export interface ServerProcessOptions {
  /** Anything DATABASE_URL accepts: a file path, sqlite:PATH, postgres://… */
  readonly databaseUrl: string;
  readonly env?: Record<string, string>;
  /** How long start-up may take before the helper gives up (a failure guard, not a synchronisation). */
  readonly startTimeoutMs?: number;
}

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGKILL: no cleanup at all, as in a crash. */
  crash(): Promise<void>;
  /** SIGTERM: the clean shutdown path; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the real server process on a free port (PORT=0) and resolves once it
 * has logged its address and answered /readyz.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run npm run build first`);
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // These suites test concurrency and crashes, not shedding (overload-shedding.test.ts does):
      // their bursts of hundreds of requests, on a machine busy with the other suites, stay queued.
      WRITE_QUEUE_MAX_WAIT_MS: '60000',
      ...options.env,
      DATABASE_URL: options.databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  // 'close', not 'exit': once the output pipes are drained too, so output() holds every line
  // (the server's log lines go out buffered and are flushed as it exits).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const output = () => chunks.join('');
  const url = await waitForAddress(child, chunks, exited, options.startTimeoutMs ?? 20_000);
  const ready = await fetch(`${url}/readyz`);
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}\n${output()}`);
  return {
    url,
    child,
    output,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function waitForAddress(
  child: ChildProcess,
  chunks: string[],
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms\n${chunks.join('')}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${chunks.join('')}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      chunks.push(`${line}\n`);
      const url = listeningUrl(line);
      if (url === null) return;
      clearTimeout(timer);
      resolve(url);
    });
  });
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
