import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { MAX_COMMANDS_PER_COMMIT, type CreditCommand } from '../../domain/transfers.js';
import { decodeCommands, encodeOutcomes } from './credit-wire.js';
import type {
  CreditWork,
  CreditWorkDone,
  CreditWorkerData,
  ToCreditWorker,
  WriteTurnGiven,
} from './credit-writer.js';
import { openSqliteDatabase } from './open.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * The SQLite credit writer thread (credit-writer.ts): its own connection to
 * the file the server opened and migrated. Each transaction takes the batch
 * that woke the thread and every batch queued behind it (up to
 * MAX_COMMANDS_PER_COMMIT commands), and the answer goes back once it has committed.
 * A write turn the event loop asks for is given between two transactions, in
 * the order the requests came (giveTurn).
 */
const WRITER_NICE = 10;

const { path, port, turnDone } = workerData as CreditWorkerData;
const store = new SqliteStore(openSqliteDatabase(path));
const turn = new Int32Array(turnDone);
lowerThisThreadsPriority();

/**
 * How long the thread waits for the event loop to finish its turn at most.
 * The event loop runs its writes as soon as it reads the answer; this bound
 * only keeps a lost notification from stopping the thread for good (SQLite's
 * lock still keeps the two writers apart).
 */
const TURN_LIMIT_MS = 5000;

interface Work {
  readonly id: number;
  readonly commands: readonly CreditCommand[];
}

port.on('message', (first: ToCreditWorker) => {
  let message: ToCreditWorker | undefined = first;
  while (message !== undefined) {
    if ('turn' in message) {
      giveTurn();
      message = nextQueued();
      continue;
    }
    const works = [decoded(message)];
    let commands = works[0]!.commands.length;
    message = undefined;
    while (commands < MAX_COMMANDS_PER_COMMIT) {
      const queued = nextQueued();
      if (queued === undefined) break;
      // A turn asked for after these batches comes after their transaction.
      if ('turn' in queued) {
        message = queued;
        break;
      }
      const work = decoded(queued);
      works.push(work);
      commands += work.commands.length;
    }
    port.postMessage(commit(works));
  }
});

function nextQueued(): ToCreditWorker | undefined {
  return (receiveMessageOnPort(port) as { message: ToCreditWorker } | undefined)?.message;
}

/** Between two transactions: the event loop writes while this thread waits. */
function giveTurn(): void {
  Atomics.store(turn, 0, 0);
  port.postMessage({ turnGiven: true } satisfies WriteTurnGiven);
  Atomics.wait(turn, 0, 0, TURN_LIMIT_MS);
}

function decoded(work: CreditWork): Work {
  return { id: work.id, commands: decodeCommands(work.commands) };
}

function commit(works: readonly Work[]): CreditWorkDone {
  const ids = works.map((work) => work.id);
  try {
    const outcomes = store.applyCreditsNow(works.flatMap((work) => work.commands));
    let next = 0;
    const each = works.map((work) => encodeOutcomes(outcomes.slice(next, (next += work.commands.length))));
    return { ids, outcomes: each };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return {
      ids,
      error: {
        message: typeof message === 'string' ? message : String(error),
        ...(typeof code === 'string' ? { code } : {}),
      },
    };
  }
}

/**
 * Below the event loop's priority (nice 10): on a machine whose cores are all
 * busy, a thread just woken would preempt the event loop, which bounds
 * throughput (docs/benchmarks.md, "The SQLite writer thread"). Linux gives each
 * thread its own nice value, set through its thread id; where that fails
 * (another system), the writer runs at the event loop's priority.
 */
function lowerThisThreadsPriority(): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isSafeInteger(threadId) && threadId > 0) setPriority(threadId, WRITER_NICE);
  } catch {
    // Not Linux, or not allowed: nothing to do.
  }
}
