import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { DEFAULT_WRITE_QUEUE_MAX, StoreUnavailableError } from '../../domain/store.js';
import type { CreditCommand, CreditOutcome } from '../../domain/transfers.js';
import { decodeOutcomes, encodeCommands } from './credit-wire.js';

/** Where credit commands are applied when not on the store's own connection. */
export interface CreditWriter {
  /** How many `apply` calls may be out at once (Store.creditCallsInFlight). */
  readonly callsInFlight: number;
  apply(commands: readonly CreditCommand[]): Promise<CreditOutcome[]>;
  /**
   * Runs `transaction` (a write on the store's own connection) while the
   * writer does not hold SQLite's write lock, so that the event loop never
   * sleeps on that lock (busy_timeout) waiting for the writer's commit.
   */
  inWriteTurn<T>(transaction: () => T): Promise<T>;
  close(): Promise<void>;
}

/** What goes to the thread and comes back (credit-worker.ts). */
export interface CreditWork {
  readonly id: number;
  /** The commands, encoded (credit-wire.ts). */
  readonly commands: string;
}
/** Asks the thread to stop between two transactions until the event loop has written (inWriteTurn). */
export interface WriteTurnRequest {
  readonly turn: true;
}
export type ToCreditWorker = CreditWork | WriteTurnRequest;
/** The thread is between transactions and waits on `CreditWorkerData.turnDone`. */
export interface WriteTurnGiven {
  readonly turnGiven: true;
}
/** One message per transaction: the outcomes of every batch it carried, or its error for all of them. */
export type CreditWorkDone =
  | { readonly ids: readonly number[]; readonly outcomes: readonly string[] }
  | { readonly ids: readonly number[]; readonly error: { readonly message: string; readonly code?: string } };

/** What the thread is started with. */
export interface CreditWorkerData {
  readonly path: string;
  readonly port: MessagePort;
  /**
   * One Int32 shared with the thread: 0 while the event loop has the write
   * turn, set to 1 (and notified) when it is done with it.
   */
  readonly turnDone: SharedArrayBuffer;
}

/**
 * Batches handed over while the thread commits wait in its queue and go
 * together into its next transaction; this many out at once keeps the thread
 * busy without letting the queue grow past what one transaction takes
 * (MAX_COMMANDS_PER_COMMIT commands each at most).
 */
const CALLS_IN_FLIGHT = 4;

/**
 * The thread's young generation, in MB. Left to V8 it grew to two semi-spaces
 * of 16 MB under target g (34 MB, for a thread that keeps one batch of
 * commands alive between two transactions). Capped, the thread collects it
 * more often, and the process's peak RSS fell by 4–40 MB under targets c and
 * g (docs/architecture.md, "Memory").
 */
export const WRITER_YOUNG_GENERATION_MB = 8;

interface Waiting {
  readonly resolve: (outcomes: CreditOutcome[]) => void;
  readonly reject: (error: Error) => void;
  /** Settles when the batch is answered or failed: close() waits on it. */
  readonly answered: Promise<CreditOutcome[]>;
}

interface Thread {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly turnDone: Int32Array;
}

/**
 * The group-commit transaction on a worker thread with its own connection to
 * the SQLite file, so that the statements, the commit and its fsync run on the
 * other core while the event loop reads the next requests. An outcome comes
 * back only after its transaction has committed, so an acknowledged transfer
 * is as durable as on the event loop.
 *
 * The thread starts on the first batch (the CLI never starts it) and keeps
 * the process alive only while a batch is out. If it dies, the batches it held
 * fail (none of them was answered) and the next batch starts a new thread.
 * Every other write stays on the store's own connection and takes its turn
 * (`inWriteTurn`): the thread, asked between two transactions, waits while the
 * event loop runs the writes queued for it, all at once, so the event loop
 * never sleeps on SQLite's lock held by the thread. SQLite's own locking still
 * decides who writes. Measurements: docs/benchmarks.md, "The SQLite writer thread".
 */
export class ThreadCreditWriter implements CreditWriter {
  readonly callsInFlight = CALLS_IN_FLIGHT;
  private thread: Thread | null = null;
  /** The batches handed over and not answered yet, by id. */
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** Once closed, batches are refused rather than starting a new thread. */
  private closed = false;
  /** Writes waiting for the event loop's next turn, and whether the thread was asked for it. */
  private turns: (() => void)[] = [];
  private turnAsked = false;

  /**
   * `script`: the thread's module; tests pass one that fails the way a thread can.
   * `maxWaitingTurns`: writes that may wait for a turn; the next is refused
   * (StoreUnavailableError, a 503) rather than letting the queue grow without end.
   */
  constructor(
    private readonly path: string,
    private readonly script: URL = workerUrl(),
    private readonly maxWaitingTurns = DEFAULT_WRITE_QUEUE_MAX,
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

  inWriteTurn<T>(transaction: () => T): Promise<T> {
    if (this.turns.length >= this.maxWaitingTurns) {
      return Promise.reject(
        new StoreUnavailableError(`${this.maxWaitingTurns} writes already wait for a turn`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.turns.push(() => {
        try {
          resolve(transaction());
        } catch (error) {
          reject(error as Error);
        }
      });
      this.askForTurn();
    });
  }

  private askForTurn(): void {
    if (this.turnAsked) return;
    const thread = this.thread;
    // No thread, no other writer in this process: the writes run now.
    if (thread === null) return this.takeTurn();
    this.turnAsked = true;
    thread.worker.ref();
    thread.port.postMessage({ turn: true } satisfies WriteTurnRequest);
  }

  /** Every write queued so far, each in its own transaction; then the thread goes on. */
  private takeTurn(thread: Thread | null = null): void {
    const turns = this.turns;
    this.turns = [];
    this.turnAsked = false;
    try {
      for (const run of turns) run();
    } finally {
      if (thread !== null) {
        Atomics.store(thread.turnDone, 0, 1);
        Atomics.notify(thread.turnDone, 0);
        if (this.waiting.size === 0) thread.worker.unref();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = this.thread;
    if (thread === null) return;
    // The batches out are waited for: terminating mid-transaction would lose nothing (SQLite
    // rolls back), but their callers would get an error for work that may have been done.
    // A turn asked for comes after them in the thread's queue.
    await Promise.allSettled([...this.waiting.values()].map((waiting) => waiting.answered));
    while (this.turnAsked) await new Promise((resolve) => setImmediate(resolve));
    this.thread = null;
    thread.port.close();
    await thread.worker.terminate();
  }

  private start(): Thread {
    const { port1: port, port2: threadPort } = new MessageChannel();
    const turnDone = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const workerData: CreditWorkerData = { path: this.path, port: threadPort, turnDone };
    const worker = new Worker(this.script, {
      workerData,
      transferList: [threadPort],
      resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
    });
    const thread: Thread = { worker, port, turnDone: new Int32Array(turnDone) };
    port.on('message', (done: CreditWorkDone | WriteTurnGiven) => {
      if ('turnGiven' in done) return this.takeTurn(thread);
      done.ids.forEach((id, index) => {
        const waiting = this.waiting.get(id);
        this.waiting.delete(id);
        if (waiting === undefined) return;
        if ('outcomes' in done) waiting.resolve(decodeOutcomes(done.outcomes[index]!));
        else waiting.reject(Object.assign(new Error(done.error.message), { code: done.error.code }));
      });
      if (this.waiting.size === 0 && !this.turnAsked) worker.unref();
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
      // A turn the thread will never give: with no thread, the writes run now.
      if (this.turnAsked && this.thread === null) this.takeTurn();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the SQLite credit writer thread stopped (exit ${code})`)));
    this.thread = thread;
    return thread;
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
