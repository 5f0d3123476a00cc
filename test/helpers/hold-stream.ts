import { expect } from 'vitest';

/**
 * A stream of holds and captures sent by operator workers to whichever
 * server processes are up, each request retried under its Idempotency-Key
 * until it gets an answer about itself (not a dead process, a 5xx or 25):
 * what a client does when a server dies mid-request.
 */
export interface LiveServers {
  /** The URLs of the processes up now; empty while none is. */
  urls(): readonly string[];
}

export interface StreamOptions {
  readonly token: string;
  readonly mainAccountId: number;
  readonly tokenSubaccount: string;
  readonly workers: number;
  readonly holdsPerWorker: number;
  /** Called once, when this many holds are captured: the test kills a process there. */
  readonly onProgress?: { readonly after: number; run(): Promise<void> };
}

export interface StreamOp {
  readonly reason: string;
  readonly holdId: string;
  /** What its capture charged, in micro-euros. */
  readonly capturedMicros: bigint;
}

const RETRY_PAUSE_MS = 20;
const GIVE_UP_MS = 60_000;

/** Requests that met a dead process (or a 5xx) at least once and were sent again. */
let retried = 0;

/** One request, retried under its key until it is answered; its JSON answer. */
async function send(servers: LiveServers, token: string, path: string, body: unknown, key: string) {
  const deadline = Date.now() + GIVE_UP_MS;
  for (let attempt = 0; ; attempt += 1) {
    const urls = servers.urls();
    const url = urls[attempt % Math.max(1, urls.length)];
    if (url !== undefined) {
      try {
        const response = await fetch(`${url}/admin/v1${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body),
        });
        const answer = (await response.json()) as { code: number; [field: string]: unknown };
        if (response.status < 500 && answer.code !== 25) return answer;
      } catch {
        // A process killed mid-request: the same key goes to another (or the restarted) one.
      }
    }
    if (attempt === 0) retried += 1;
    if (Date.now() > deadline) throw new Error(`${path} (${key}) got no answer in ${GIVE_UP_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
  }
}

/**
 * Each worker places holds one after the other (on the subaccount and the
 * main account in turn, 1 to 3 EUR) and captures each (in part for odd ones,
 * whole for even ones). Every answer must be a success.
 */
export async function runHoldStream(
  servers: LiveServers,
  options: StreamOptions,
): Promise<{ readonly ops: StreamOp[]; readonly retried: number }> {
  retried = 0;
  const ops: StreamOp[] = [];
  let progressed = false;
  const worker = async (w: number) => {
    for (let i = 0; i < options.holdsPerWorker; i += 1) {
      const reason = `stream-${w}-${i}`;
      const amount = 1 + ((w + i) % 3);
      const onSub = i % 2 === 0;
      const placed = await send(
        servers,
        options.token,
        `/accounts/${options.mainAccountId}/holds`,
        { credit: String(amount), reason, ...(onSub ? { tokenSubaccount: options.tokenSubaccount } : {}) },
        `place-${reason}`,
      );
      expect(placed.code, `${reason}: ${JSON.stringify(placed)}`).toBe(200);
      const holdId = (placed['hold'] as { id: string }).id;
      const partial = i % 2 === 1;
      const captured = await send(
        servers,
        options.token,
        `/holds/${holdId}/capture`,
        partial ? { credit: `${amount - 1}.5` } : {},
        `capture-${reason}`,
      );
      expect(captured.code, `${reason}: ${JSON.stringify(captured)}`).toBe(200);
      const capturedMicros = BigInt(amount) * 1_000_000n - (partial ? 500_000n : 0n);
      ops.push({ reason, holdId, capturedMicros });
      if (options.onProgress !== undefined && !progressed && ops.length >= options.onProgress.after) {
        progressed = true;
        await options.onProgress.run();
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return { ops, retried };
}
