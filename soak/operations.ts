import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { formatMicros, parseAmount } from '../src/domain/money.js';
import type { Direction } from '../src/domain/transfers.js';
import type { Cluster } from './cluster.js';
import { answerCode, get, post, readJson, type Attempt, type PostRequest } from './http.js';

/** A customer's business refusals: definitive answers, like a 200. */
const BUSINESS_CODES = new Set([6, 8]);
/** Answers that say "not now": the same request is sent again. 25 is "same key in progress". */
const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);
const RETRY_CODES = new Set([25]);
/** One attempt waits at most this long for an answer before the client calls it lost. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** A client gives up on one operation after this many attempts (each one bounded by the timeout). */
const MAX_ATTEMPTS = 2_000;
/**
 * This share of attempts hangs up after a few milliseconds, whether or not the
 * answer is on its way: a client whose network drops the answer after the
 * server committed. Its retry must get the committed answer back.
 */
const CUT_SHARE = 0.05;
const CUT_MAX_MS = 15;

export interface CreditOp {
  readonly idempotencyKey: string;
  readonly direction: Direction;
  readonly mainIndex: number;
  readonly subaccountId: number;
  readonly token: string;
  readonly amountMicros: bigint;
  readonly request: PostRequest;
}

export type Outcome =
  | {
      readonly kind: 'acknowledged';
      readonly transferId: string;
      readonly text: string;
      readonly replayed: boolean;
      readonly mainBalance: string;
      readonly subaccountBalance: string;
    }
  | { readonly kind: 'refused'; readonly code: number; readonly text: string; readonly replayed: boolean }
  | { readonly kind: 'unexpected'; readonly status: number; readonly text: string }
  | { readonly kind: 'unresolved'; readonly reason: string };

/** Counters every client adds to; one object per run. */
export interface Tally {
  attempts: number;
  /** Attempts after the first one of an operation. */
  retries: number;
  /** Attempts whose request may have reached a server but whose answer never came. */
  inDoubt: number;
  /** Answers carrying Idempotent-Replayed: true. */
  replays: number;
  /** Attempts the client hung up on itself after a few ms (CUT_SHARE). */
  cut: number;
  /** Replayed answers to a retry after a lost answer: the first attempt had committed. */
  replaysAfterLoss: number;
  /** 500 answers: retried like a 503, but a server that is only being killed should give none. */
  serverErrors: number;
  reads: number;
  readsLost: number;
}

export function newTally(): Tally {
  return {
    attempts: 0,
    retries: 0,
    inDoubt: 0,
    replays: 0,
    cut: 0,
    replaysAfterLoss: 0,
    serverErrors: 0,
    reads: 0,
    readsLost: 0,
  };
}

/**
 * A random add or remove of 1 µEUR to 5 EUR, written exactly (6 decimals at
 * most), half the time as a JSON number and half as a string.
 */
export function randomCreditOp(
  mainIndex: number,
  apiKey: string,
  subaccount: { id: number; token: string },
  sendKey: boolean,
): CreditOp {
  const direction: Direction = Math.random() < 0.5 ? 'add' : 'remove';
  const amountMicros = BigInt(1 + Math.floor(Math.random() * 5_000_000));
  const text = formatMicros(amountMicros);
  const amount = parseAmount(text);
  if (amount.kind !== 'positive' || amount.micros !== amountMicros) throw new Error(`${text} is not exact`);
  const credit = Math.random() < 0.5 ? text : JSON.stringify(text);
  const body = `{"apiKey":${JSON.stringify(apiKey)},"credit":${credit},"tokenSubaccount":${JSON.stringify(subaccount.token)}}`;
  const idempotencyKey = randomUUID();
  return {
    idempotencyKey,
    direction,
    mainIndex,
    subaccountId: subaccount.id,
    token: subaccount.token,
    amountMicros,
    request: {
      path: `/v1/subaccount/credit/${direction}`,
      body,
      idempotencyKey: sendKey ? idempotencyKey : null,
    },
  };
}

/**
 * Sends one operation, with its own idempotency key, until a definitive
 * answer: a 200, a business refusal (6, 8) or something the contract does not
 * allow. Lost answers, 503s and "in progress" are retried, bounded.
 */
export async function settle(cluster: Cluster, op: CreditOp, tally: Tally): Promise<Outcome> {
  let lastReason = 'no attempt';
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    let url: string;
    try {
      url = await cluster.pick();
    } catch (error) {
      return { kind: 'unresolved', reason: String(error) };
    }
    tally.attempts += 1;
    if (attempt > 1) tally.retries += 1;
    const cut = Math.random() < CUT_SHARE;
    if (cut) tally.cut += 1;
    const answer = await post(url, op.request, cut ? 1 + Math.random() * CUT_MAX_MS : ATTEMPT_TIMEOUT_MS);
    if (attempt > 1 && answer.kind === 'answer' && answer.replayed) tally.replaysAfterLoss += 1;
    const outcome = judge(answer, tally);
    if (outcome !== null) return outcome;
    lastReason = answer.kind === 'lost' ? answer.reason : `HTTP ${answer.status}`;
    // Jitter, so that clients do not all hammer a restarting process in step.
    await pause(5 + Math.random() * 45);
  }
  return { kind: 'unresolved', reason: `${MAX_ATTEMPTS} attempts, last: ${lastReason}` };
}

/** The outcome an answer settles, or null when the request must be sent again. */
function judge(answer: Attempt, tally: Tally): Outcome | null {
  if (answer.kind === 'lost') {
    if (answer.inDoubt) tally.inDoubt += 1;
    return null;
  }
  if (answer.replayed) tally.replays += 1;
  const json = readJson(answer.text);
  const code = answerCode(json);
  if (answer.status === 500) tally.serverErrors += 1;
  if (RETRY_STATUSES.has(answer.status) || answer.status === 500) return null;
  if (code !== null && RETRY_CODES.has(code)) return null;
  if (answer.status === 200 && code === 200) {
    const transferId = json?.['transferId'];
    const mainBalance = json?.['credit'];
    const subaccountBalance = json?.['subaccountCredit'];
    if (
      typeof transferId === 'string' &&
      typeof mainBalance === 'string' &&
      typeof subaccountBalance === 'string'
    ) {
      return {
        kind: 'acknowledged',
        transferId,
        text: answer.text,
        replayed: answer.replayed,
        mainBalance,
        subaccountBalance,
      };
    }
  }
  if (answer.status === 422 && code !== null && BUSINESS_CODES.has(code)) {
    return { kind: 'refused', code, text: answer.text, replayed: answer.replayed };
  }
  return { kind: 'unexpected', status: answer.status, text: answer.text };
}

/** A GET of one of the read endpoints; its parsed body, or null when no answer came. */
export async function read(
  cluster: Cluster,
  pathAndQuery: string,
  tally: Tally,
): Promise<{ status: number; json: Record<string, unknown> | null; text: string } | null> {
  let url: string;
  try {
    url = await cluster.pick();
  } catch {
    return null;
  }
  tally.reads += 1;
  const answer = await get(url, pathAndQuery, ATTEMPT_TIMEOUT_MS);
  if (answer.kind === 'lost') {
    tally.readsLost += 1;
    return null;
  }
  return { status: answer.status, json: readJson(answer.text), text: answer.text };
}
