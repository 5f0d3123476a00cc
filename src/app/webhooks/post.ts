import http from 'node:http';
import https from 'node:https';
import type { SignedHeaders } from './signing.js';
import { guardedLookup, refusedLiteral } from './targets.js';

/** Any 2xx within this time is a success (contract section 7); DNS and connection count in it. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface PostOutcome {
  /** The HTTP status answered; null when none came (timeout, refused connection, refused address). */
  readonly status: number | null;
  /** Why there was no status, in words that carry no secret; null when a status came. */
  readonly error: string | null;
  readonly durationMs: number;
}

export interface Poster {
  post(url: string, body: string, headers: SignedHeaders): Promise<PostOutcome>;
  /** Cuts every attempt in flight (they end as errors) and closes idle connections. */
  destroy(): void;
}

const USER_AGENT = 'Tirelire-Webhooks/1';

/**
 * POSTs a delivery with node:http(s): redirects are never followed (node
 * does not), connections are kept alive between attempts to the same host,
 * and unless private targets are allowed each new connection's address is
 * checked (`guardedLookup`; IP literals before dialling). The answer's
 * status decides; its body is read and dropped.
 */
export function createPoster(options: { allowPrivate: boolean; timeoutMs?: number }): Poster {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const lookup = options.allowPrivate ? {} : { lookup: guardedLookup };
  const agents = {
    'http:': new http.Agent({ keepAlive: true, ...lookup }),
    'https:': new https.Agent({ keepAlive: true, ...lookup }),
  };
  const inFlight = new Set<http.ClientRequest>();

  function post(target: string, body: string, headers: SignedHeaders): Promise<PostOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const url = new URL(target);
    const refused = options.allowPrivate ? null : refusedLiteral(url);
    if (refused !== null) return Promise.resolve({ status: null, error: refused.message, durationMs: 0 });
    const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise<PostOutcome>((resolve) => {
      let settled = false;
      const finish = (status: number | null, error: string | null) => {
        if (settled) return;
        settled = true;
        resolve({ status, error, durationMs: elapsed() });
      };
      const request = send(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
          ...headers,
        },
      });
      inFlight.add(request);
      // Runs until the connection is done with this request: an answer whose body
      // never ends is cut too, so no socket is held beyond the timeout.
      const timer = setTimeout(() => {
        finish(null, `timeout after ${timeoutMs} ms`);
        request.destroy();
      }, timeoutMs);
      request.on('response', (response) => {
        finish(response.statusCode ?? null, response.statusCode === undefined ? 'no status' : null);
        response.resume();
        response.on('error', () => undefined);
      });
      request.on('error', (error: NodeJS.ErrnoException) => finish(null, describeError(error)));
      request.on('close', () => {
        clearTimeout(timer);
        inFlight.delete(request);
        finish(null, 'connection closed before an answer');
      });
      request.end(body);
    });
  }

  return {
    post,
    destroy() {
      for (const request of inFlight) request.destroy(new Error('the delivery worker stopped'));
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** An error's words for the deliveries log: its code and message, never a header or a body. */
function describeError(error: NodeJS.ErrnoException): string {
  const text =
    error.code !== undefined && !error.message.includes(error.code)
      ? `${error.code}: ${error.message}`
      : error.message;
  return text.slice(0, 300);
}
