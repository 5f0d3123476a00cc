import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { CreditCommand, CreditOutcome } from '../../domain/transfers.js';
import { decodeOutcomes, encodeCommands } from './credit-wire.js';

/** Where credit commands are applied when not on the store's own connection. */
export interface CreditWriter {
  /** How many `apply` calls may be out at once (Store.creditCallsInFlight). */
  readonly callsInFlight: number;
  apply(commands: readonly CreditCommand[]): Promise<CreditOutcome[]>;
  close(): Promise<void>;
}

/** What goes to the thread and comes back (credit-worker.ts). */
export interface CreditWork {
  readonly id: number;
  /** The commands, encoded (credit-wire.ts). */
  readonly commands: string;
}
/** One message per transaction: the outcomes of every batch it carried, or its error for all of them. */
export type CreditWorkDone =
  | { readonly ids: readonly number[]; readonly outcomes: readonly string[] }
  | { readonly ids: readonly number[]; readonly error: { readonly message: string; readonly code?: string } };

/** What the thread is started with. */
export interface CreditWorkerData {
  readonly path: string;
  readonly port: MessagePort;
}

/**
 * Batches handed over while the thread commits wait in its queue and go
 * together into its next transaction; this many out at once keeps the thread
 * busy without letting the queue grow past what one transaction takes
 * (MAX_CREDIT_BATCH commands each at most).
 */
const CALLS_IN_FLIGHT = 4;

interface Waiting {
  readonly resolve: (outcomes: CreditOutcome[]) => void;
  readonly reject: (error: Error) => void;
  /** Settles when the batch is answered or failed: close() waits on it. */
  readonly answered: Promise<CreditOutcome[]>;
}

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
}

/**
 * The group-commit transaction on a worker thread with its own connection to
 * the SQLite file. The event loop then only hands over a batch and reads back
 * its outcomes: the statements, the commit and its fsync (about a fifth of the
 * event loop's time per transfer, measured with `--cpu-prof` under
 * `npm run bench`) run on the other core, while the event loop reads the next
 * requests. An outcome comes back only after its transaction has committed, so
 * an acknowledged transfer is as durable as on the event loop.
 *
 * The thread starts on the first batch (the CLI never starts it) and keeps
 * the process alive only while a batch is out. If it dies, the batches it held
 * fail (none of them was answered) and the next batch starts a new thread.
 * Every other write stays on the store's own connection; SQLite serializes
 * the two writers (BEGIN IMMEDIATE, busy_timeout).
 */
export class ThreadCreditWriter implements CreditWriter {
  readonly callsInFlight = CALLS_IN_FLIGHT;
  private thread: Thread | null = null;
  /** The batches handed over and not answered yet, by id. */
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Once closed, batches are refused rather than starting a new thread. */
  private closed = false;

  /** `script`: the thread's module; tests pass one that fails the way a thread can. */
  constructor(
    private readonly path: string,
    private readonly script: URL = workerUrl(),
  ) {}

  apply(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    if (this.closed) return Promise.reject(new Error('the SQLite store is closed'));
    const { worker, port } = this.thread ?? this.start();
    const id = this.nextId++;
    let settle!: Pick<Waiting, 'resolve' | 'reject'>;
    const answered = new Promise<CreditOutcome[]>((resolve, reject) => (settle = { resolve, reject }));
    this.waiting.set(id, { ...settle, answered });
    worker.ref();
    port.postMessage({ id, commands: encodeCommands(commands) } satisfies CreditWork);
    return answered;
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (thread === null) return;
    // The batches out are waited for: terminating mid-transaction would lose nothing (SQLite
    // rolls back), but their callers would get an error for work that may have been done.
    await Promise.allSettled([...this.waiting.values()].map((waiting) => waiting.answered));
    this.thread = null;
    thread.port.close();
    await thread.worker.terminate();
  }

  private start(): Thread {
    const { port1: port, port2: threadPort } = new MessageChannel();
    const workerData: CreditWorkerData = { path: this.path, port: threadPort };
    const worker = new Worker(this.script, { workerData, transferList: [threadPort] });
    port.on('message', (done: CreditWorkDone) => {
      done.ids.forEach((id, index) => {
        const waiting = this.waiting.get(id);
        this.waiting.delete(id);
        if (waiting === undefined) return;
        if ('outcomes' in done) waiting.resolve(decodeOutcomes(done.outcomes[index]!));
        else waiting.reject(Object.assign(new Error(done.error.message), { code: done.error.code }));
      });
      if (this.waiting.size === 0) worker.unref();
    });
    // The port must not keep the process alive on its own; the worker's ref does while a batch is out.
    port.unref();
    const stopped = (error: Error) => {
      if (this.thread?.worker === worker) {
        this.thread = null;
        port.close();
      }
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the SQLite credit writer thread stopped (exit ${code})`)));
    this.thread = { worker, port };
    return this.thread;
  }
}

/**
 * The thread's script, compiled beside this file. Under the test runner this
 * module is TypeScript source and a thread cannot load that, so the build's
 * copy in dist/ is used (`npm test` builds first).
 */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('../../../dist/store/sqlite/credit-worker.js', here)
    : new URL('./credit-worker.js', here);
}
