import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server under test, running in its own process so that its memory and CPU can be read apart. */
export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** The tail of what the process wrote, for the error message when it dies. */
  output(): string;
  /** Peak resident memory so far (VmHWM), in bytes. */
  peakRssBytes(): number;
  /** User + system CPU time consumed so far, in seconds. */
  cpuSeconds(): number;
  /** The same, of the process's main thread alone: Node's event loop. */
  eventLoopCpuSeconds(): number;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  /** Where the server's stdout (its logs) goes: a file, so that reading it costs the load generator nothing. */
  readonly logFile: string;
  readonly startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <args>` and resolves once it accepts TCP connections on its port. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...options.args], {
    env: { ...process.env, ...options.env, HOST: '127.0.0.1', PORT: String(options.port) },
    stdio: ['ignore', log, 'pipe'],
  });
  closeSync(log);
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start`);
  await waitForPort(child, options.port, options.startTimeoutMs ?? 20_000, () => tail, options.name);
  return {
    pid,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    output: () => tail,
    peakRssBytes: () => readPeakRss(pid),
    cpuSeconds: () => readCpuSeconds(`/proc/${pid}/stat`),
    eventLoopCpuSeconds: () => readCpuSeconds(`/proc/${pid}/task/${pid}/stat`),
    stop: () => stopChild(child, exited),
  };
}

async function waitForPort(
  child: ChildProcess,
  port: number,
  timeoutMs: number,
  tail: () => string,
  name: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before listening (code ${String(child.exitCode)}):\n${tail()}`);
    }
    if (await canConnect(port)) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms:\n${tail()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

function procStatusKib(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]);
}

function readPeakRss(pid: number): number {
  try {
    return procStatusKib(pid, 'VmHWM') * 1024;
  } catch {
    return 0;
  }
}

/** CPU time the whole machine spent busy (every core, every process), in seconds. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const busy = ticks.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
  return busy / 100;
}

/** From /proc/<pid>/stat (the process) or /proc/<pid>/task/<tid>/stat (one thread). */
function readCpuSeconds(statPath: string): number {
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks; the command name in field 2 may hold
    // spaces, so the count starts after its closing parenthesis.
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100;
  } catch {
    return 0;
  }
}
