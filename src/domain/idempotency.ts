/**
 * Idempotency keys (contract section 4). A claim names one request: who sent
 * it (`scope`, a hash of the API key or of the operator token), the client's
 * key, and a fingerprint of what the request means. Stores keep the claim and
 * the exact answer in the same transaction as the work, so no crash can
 * separate a transfer from the record that it was done.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly createdAt: Date;
}

/**
 * An answer exactly as it went out: replays send these bytes again. The body
 * is its text, or the UTF-8 bytes of it: a batch's answer is made as bytes
 * (answers/batch-answer.ts), and a store keeps it as bytes or text
 * (answers/utf8.ts, `textOf`).
 */
export interface StoredAnswer {
  readonly status: number;
  readonly body: string | Uint8Array;
}

/** An answer made as text (every answer but a batch's). */
export interface TextAnswer extends StoredAnswer {
  readonly body: string;
}

export interface IdempotentAnswer extends StoredAnswer {
  /** true when the answer comes from the record of an earlier request. */
  readonly replayed: boolean;
}

/**
 * What a command carries when its request had a key: the claim, and a pure
 * function the store calls inside the transaction to produce the answer's
 * bytes. `record` false (e.g. for codes 10 and 4) leaves no record: a refused
 * caller can neither fill the table nor be stuck with its refusal once fixed.
 */
export interface IdempotencyGuard<O> {
  readonly claim: IdempotencyClaim;
  render(outcome: O): StoredAnswer;
  record(outcome: O): boolean;
  /**
   * The answer as recorded, when it must differ from the one sent: an answer
   * that shows a freshly made API key is recorded without it, since keys are
   * stored only as hashes (README, "Idempotency").
   */
  renderRecord?(outcome: O): StoredAnswer;
}

/** A record as a store keeps it. `outcome` is the store's own encoding (credits only). */
export interface IdempotencyRecord extends StoredAnswer {
  readonly fingerprint: string;
  readonly createdAt: Date;
  readonly outcome: string | null;
}

export type ClaimCheck =
  | { readonly kind: 'new' }
  | { readonly kind: 'replay'; readonly record: IdempotencyRecord }
  | { readonly kind: 'conflict' };

/** Records older than the TTL count as absent: the key may be used afresh. */
export function checkClaim(record: IdempotencyRecord | null, claim: IdempotencyClaim): ClaimCheck {
  if (record === null || isExpired(record.createdAt, claim.createdAt)) return { kind: 'new' };
  if (record.fingerprint !== claim.fingerprint) return { kind: 'conflict' };
  return { kind: 'replay', record };
}

export function isExpired(recordedAt: Date, now: Date): boolean {
  return recordedAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS;
}

export function expiryCutoff(now: Date): Date {
  return new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
}

/** The one place a claim becomes a map key, so a batch can spot two commands with one key. */
export function claimId(claim: IdempotencyClaim): string {
  return `${claim.scope}\u0000${claim.key}`;
}

/** The answer a guarded command gets: rendered now, or the record's. */
export function freshAnswer<O>(guard: IdempotencyGuard<O>, outcome: O): IdempotentAnswer {
  return { ...guard.render(outcome), replayed: false };
}

export function replayedAnswer(record: StoredAnswer): IdempotentAnswer {
  return { status: record.status, body: record.body, replayed: true };
}

/**
 * The keys of one transaction: records read from the store, plus what the
 * transaction decided so far, so that a second command with a key already
 * used in the same batch replays the first (or is 24) like a later request.
 */
export class ClaimBook {
  private readonly records: Map<string, IdempotencyRecord>;
  /** Records to write when the transaction ends, by claim id. */
  readonly written = new Map<
    string,
    { readonly claim: IdempotencyClaim; readonly record: IdempotencyRecord }
  >();

  constructor(found: Iterable<readonly [IdempotencyClaim, IdempotencyRecord]>) {
    this.records = new Map([...found].map(([claim, record]) => [claimId(claim), record]));
  }

  check(claim: IdempotencyClaim): ClaimCheck {
    return checkClaim(this.records.get(claimId(claim)) ?? null, claim);
  }

  /** Renders a command's answer and keeps it for writing (unless the guard says not to). */
  settle<O>(guard: IdempotencyGuard<O>, outcome: O, encoded: string | null): IdempotentAnswer {
    const answer = freshAnswer(guard, outcome);
    if (!guard.record(outcome)) return answer;
    const recorded = guard.renderRecord?.(outcome) ?? answer;
    const record: IdempotencyRecord = {
      status: recorded.status,
      body: recorded.body,
      fingerprint: guard.claim.fingerprint,
      createdAt: guard.claim.createdAt,
      outcome: encoded,
    };
    const id = claimId(guard.claim);
    this.records.set(id, record);
    this.written.set(id, { claim: guard.claim, record });
    return answer;
  }
}

/** A request not run because its key was used: a replay carries the recorded answer, a conflict none. */
export interface KeyUsed {
  readonly ok: false;
  readonly code: 24;
  readonly answer?: IdempotentAnswer;
}

export function keyUsed(check: Exclude<ClaimCheck, { kind: 'new' }>): KeyUsed {
  return check.kind === 'replay'
    ? { ok: false, code: 24, answer: replayedAnswer(check.record) }
    : { ok: false, code: 24 };
}

/** A value now (SQLite's synchronous transactions) or later (PostgreSQL's). */
export type MaybePromise<T> = T | Promise<T>;

function then<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** How a store reads the records of some claims into a book, and writes back what the book settled. */
export interface ClaimTable<Opened extends { readonly book: ClaimBook }> {
  open(claims: readonly IdempotencyClaim[]): MaybePromise<Opened>;
  close(opened: Opened): MaybePromise<void>;
}

/** A claim table whose every call answers at once (SQLite). */
export interface SyncClaimTable<Opened extends { readonly book: ClaimBook }> extends ClaimTable<Opened> {
  open(claims: readonly IdempotencyClaim[]): Opened;
  close(opened: Opened): void;
}

type Answered = { readonly answer?: IdempotentAnswer };

/**
 * Inside a store's transaction: runs one request under its Idempotency-Key,
 * if it had one. A used key answers 24 (with the recorded answer for the same
 * request) and `run` is not called; otherwise `run`'s outcome gets its answer
 * and the record is written in the same transaction. Synchronous when the
 * table and `run` are, so SQLite and PostgreSQL share this one wrapper.
 */
export function guarded<O extends Answered, Opened extends { readonly book: ClaimBook }>(
  table: SyncClaimTable<Opened>,
  guard: IdempotencyGuard<O> | undefined,
  run: () => O,
): O | KeyUsed;
export function guarded<O extends Answered, Opened extends { readonly book: ClaimBook }>(
  table: ClaimTable<Opened>,
  guard: IdempotencyGuard<O> | undefined,
  run: () => MaybePromise<O>,
): MaybePromise<O | KeyUsed>;
export function guarded<O extends Answered, Opened extends { readonly book: ClaimBook }>(
  table: ClaimTable<Opened>,
  guard: IdempotencyGuard<O> | undefined,
  run: () => MaybePromise<O>,
): MaybePromise<O | KeyUsed> {
  if (guard === undefined) return run();
  return then(table.open([guard.claim]), (opened) => {
    const check = opened.book.check(guard.claim);
    if (check.kind !== 'new') return keyUsed(check);
    return then(run(), (outcome) => {
      const answer = opened.book.settle(guard, outcome, null);
      return then(table.close(opened), () => ({ ...outcome, answer }));
    });
  });
}
