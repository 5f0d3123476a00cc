import type { LoadRequest } from './load.js';

/** The load of every target: credit/add of 0.01 EUR, rotating over subaccounts of one main account. */
export const AMOUNT = '0.01';
export const AMOUNT_MICROS = 10_000n;
export const ADD_PATH = '/v1/subaccount/credit/add';
/** Target e's requests, and target n's beside the load: 1000 operations each. */
export const BATCH_SIZE = 1000;
export const BATCH_PATH = '/v1/subaccount/credit/batch';

export function rotating<T>(items: readonly T[]): () => T {
  let index = 0;
  return () => {
    const item = items[index % items.length]!;
    index += 1;
    return item;
  };
}

export function addRequests(apiKey: string, tokens: readonly string[]): () => LoadRequest {
  const bodies = tokens.map((token) => JSON.stringify({ apiKey, credit: AMOUNT, tokenSubaccount: token }));
  const next = rotating(bodies);
  return () => ({ path: ADD_PATH, body: next() });
}

/** Batches given an Idempotency-Key so far (BENCH_BATCH_KEYED=1): each key is used once. */
let keyed = 0;

/**
 * Batches of BATCH_SIZE credit/add of AMOUNT, rotating over `tokens`, each operation applied on its own;
 * with BENCH_BATCH_KEYED=1 each batch carries an Idempotency-Key of its own.
 */
export function batchRequests(apiKey: string, tokens: readonly string[]): () => LoadRequest {
  const next = rotating(tokens);
  return () => {
    const operations = Array.from({ length: BATCH_SIZE }, () => ({
      direction: 'add',
      tokenSubaccount: next(),
      credit: AMOUNT,
    }));
    const body = JSON.stringify({ apiKey, operations });
    if (process.env['BENCH_BATCH_KEYED'] !== '1') return { path: BATCH_PATH, body };
    keyed += 1;
    return { path: BATCH_PATH, body, headers: { 'idempotency-key': `bench-${process.pid}-${keyed}` } };
  };
}

const SUCCESS = /"success"\s*:\s*true/;

export function countAdd(body: string): { ok: number; refused: number } {
  return SUCCESS.test(body) ? { ok: 1, refused: 0 } : { ok: 0, refused: 1 };
}

/** A batch answer (docs/http-api.md, "Batch") holds `results`, one per operation, in order. */
export function countBatch(body: string): { ok: number; refused: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: 0, refused: BATCH_SIZE };
  }
  const results = ((parsed ?? {}) as { results?: unknown }).results as { success?: unknown }[] | undefined;
  if (!Array.isArray(results)) return { ok: 0, refused: BATCH_SIZE };
  const ok = results.filter((result) => result.success === true).length;
  return { ok, refused: results.length - ok };
}
