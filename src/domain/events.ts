import { RandomBytes } from './random-bytes.js';

/**
 * Events (contract section 7): what happened to the money, written in the
 * transaction of the change they tell (an outbox), so an acknowledged change
 * always has its events and a rolled-back one never has any. Every type the
 * product knows is listed here once; delivery reads only `type` and the text
 * of `data`, so a new type needs no change there.
 */
export const EVENT_TYPES = [
  'transfer.created',
  'balance.low',
  'balance.recovered',
  'balance.depleted',
  'autotopup.succeeded',
  'autotopup.failed',
  'spendingcap.reached',
  'subaccount.created',
  'subaccount.deleted',
  'account.suspended',
  'account.resumed',
  'account.key_rotated',
  'hold.created',
  'hold.captured',
  'hold.voided',
  'hold.expired',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(text: string): text is EventType {
  return KNOWN.has(text);
}

/**
 * The two notices of a refusal (section 8): a refused debit writes and
 * commits them on its own, moving no money. Every other event belongs to a
 * committed change.
 */
export const REFUSAL_NOTICES: ReadonlySet<EventType> = new Set(['autotopup.failed', 'spendingcap.reached']);

/**
 * An event's id names where it is kept, its tree and sequence, so a store
 * finds it by its primary key with no index of its own (one per event
 * would cost each transfer another random insert), plus a random part:
 * an event made again after a restore from backup never reuses an id a
 * receiver has seen.
 */
export function eventId(accountId: number, sequence: number, nonce: string): string {
  return `evt_${accountId}_${sequence}_${nonce}`;
}

const NONCE_BYTES = 6;
/** Random bytes drawn at once: 4,092, that is 682 nonces. */
const NONCE_POOL_BYTES = NONCE_BYTES * 682;
const HEX_OF_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * A maker of the random part of event ids: 12 lowercase hex digits (48
 * random bits), from random bytes `fill` writes a pool at a time
 * (`RandomBytes`). One `randomUUID()` cut to its last 12 digits per event
 * cost about five times as much (229 ns against 48), an eighth of a batch's
 * decisions (docs/benchmarks.md, "A batch's answer as bytes").
 */
export function eventNonces(fill: (bytes: Uint8Array) => unknown): () => string {
  const random = new RandomBytes(fill, NONCE_POOL_BYTES);
  return () => {
    const at = random.take(NONCE_BYTES);
    let nonce = '';
    for (let i = at; i < at + NONCE_BYTES; i += 1) nonce += HEX_OF_BYTE[random.bytes[i]!]!;
    return nonce;
  };
}

/** The random end of an id `eventId` made (hex digits, after its last `_`). */
export function eventNonce(id: string): string {
  return id.slice(id.lastIndexOf('_') + 1);
}

const EVENT_ID = /^evt_([1-9]\d{0,15})_([1-9]\d{0,15})_[0-9a-f]{1,32}$/;

/** Where an event id says the event is kept; null for text that is no event id of ours. */
export function eventPosition(id: string): { readonly accountId: number; readonly sequence: number } | null {
  const match = EVENT_ID.exec(id);
  return match === null ? null : { accountId: Number(match[1]), sequence: Number(match[2]) };
}

export interface LedgerEvent {
  /** `evt_…`: the same on every delivery attempt (Standard Webhooks' `webhook-id`). */
  readonly id: string;
  readonly type: EventType;
  /** Counts the tree's events from 1, with no gap and no repeat, in commit order. */
  readonly sequence: number;
  /** The main account of the tree the event concerns. */
  readonly accountId: number;
  readonly createdAt: Date;
  /**
   * The object concerned, as JSON text (money as exact decimal strings). A
   * transfer.created event keeps only `transferId`: its data is the transfer as
   * the public history shows it, rendered when the event is read
   * (answers/event-data.ts), so the group commit writes a small row per transfer.
   */
  readonly data: string;
  /** The transfer a transfer.created event tells; null for the other types. */
  readonly transferId: string | null;
}

export interface EventQuery {
  /** The tree (main account) whose events are read. */
  readonly accountId: number;
  /** Events with a sequence above this one, oldest first. */
  readonly after: number;
  /** Callers bound it (1–1000); stores trust it. */
  readonly limit: number;
  /** Only these types; all when absent. */
  readonly types?: readonly EventType[] | undefined;
}

export const DEFAULT_EVENTS_LIMIT = 100;
export const MAX_EVENTS_LIMIT = 1000;
