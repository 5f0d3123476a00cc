import { parse } from 'lossless-json';

/** One try at a request: an answer, or none (the process died, the connection broke, it timed out). */
export type Attempt =
  | { readonly kind: 'answer'; readonly status: number; readonly text: string; readonly replayed: boolean }
  | {
      readonly kind: 'lost';
      /** false only when the request cannot have reached a server (connection refused). */
      readonly inDoubt: boolean;
      readonly reason: string;
    };

export interface PostRequest {
  readonly path: string;
  /** Sent byte for byte on every retry: the same request, so the same idempotency fingerprint. */
  readonly body: string;
  /** null only for the checker's own negative control: a client that retries without a key. */
  readonly idempotencyKey: string | null;
}

export async function post(baseUrl: string, request: PostRequest, timeoutMs: number): Promise<Attempt> {
  return attempt(`${baseUrl}${request.path}`, timeoutMs, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(request.idempotencyKey === null ? {} : { 'idempotency-key': request.idempotencyKey }),
    },
    body: request.body,
  });
}

export async function get(baseUrl: string, pathAndQuery: string, timeoutMs: number): Promise<Attempt> {
  return attempt(`${baseUrl}${pathAndQuery}`, timeoutMs, { method: 'GET' });
}

async function attempt(url: string, timeoutMs: number, init: RequestInit): Promise<Attempt> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    const replayed = response.headers.get('idempotent-replayed') === 'true';
    return { kind: 'answer', status: response.status, text, replayed };
  } catch (error) {
    const code = causeCode(error);
    return { kind: 'lost', inDoubt: code !== 'ECONNREFUSED', reason: code ?? String(error) };
  }
}

function causeCode(error: unknown): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * A JSON answer with every number kept as its exact decimal text, so balances
 * are compared without a float in between. Null when the body is no JSON object.
 */
export function readJson(text: string): Record<string, unknown> | null {
  try {
    const value = parse(text, null, (number: string) => number);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The answer's `code` as a number (200 for success), or null. */
export function answerCode(json: Record<string, unknown> | null): number | null {
  const code = json?.['code'];
  return typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : null;
}
