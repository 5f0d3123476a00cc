import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver got, as it came. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** performance.now() when the body was in. */
  readonly at: number;
  readonly event: {
    readonly id: string;
    readonly type: string;
    readonly sequence: number;
    readonly accountId: number;
  };
}

/** What to answer: a status, or `hang` to keep the request open until the receiver closes. */
export type Answer = number | 'hang';

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Resolves once `enough` holds for what was received; rejects after `timeoutMs` (a failure guard, not a wait). */
  until(enough: (received: readonly Received[]) => boolean, timeoutMs?: number): Promise<readonly Received[]>;
  close(): Promise<void>;
}

/**
 * A real webhook receiver: a node:http server on 127.0.0.1 that keeps every
 * request and answers as `answer` says (by the count of requests so far for
 * that event id, 1 for the first).
 */
export async function startReceiver(
  answer: (attempt: number, received: Received) => Answer = () => 200,
): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const attempts = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = {
        headers: request.headers,
        body,
        at: performance.now(),
        event: JSON.parse(body) as Received['event'],
      };
      received.push(entry);
      const attempt = (attempts.get(entry.event.id) ?? 0) + 1;
      attempts.set(entry.event.id, attempt);
      for (const wake of waiters) wake();
      const reply = answer(attempt, entry);
      if (reply === 'hang') return;
      response.writeHead(reply, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    until(enough, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!enough(received)) return;
          cleanup();
          resolve(received);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`receiver: not enough after ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Verifies a delivery with the standardwebhooks package, as a receiver would; throws when it does not verify. */
export function verify(entry: Received, secret: string): unknown {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
      name,
      String(entry.headers[name]),
    ]),
  );
  return new Webhook(secret).verify(entry.body, headers);
}
