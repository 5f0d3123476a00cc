import type { AccountState } from './accounts.js';
import { accountData, treeOf } from './answers/event-data.js';
import { eventId, type EventType, type LedgerEvent } from './events.js';
import type { Hold } from './holds.js';
import { formatMicros } from './money.js';
import { crossings, usagePeriods, type CapPeriod } from './rules.js';
import type { Transfer, TransferKind } from './transfers.js';

export type { AccountState } from './accounts.js';

/** A transfer to make: who pays whom, how much, and what the ledger keeps beside it. */
export interface Movement {
  readonly id: string;
  readonly kind: TransferKind;
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly amountMicros: bigint;
  readonly createdAt: Date;
  readonly idempotencyKey?: string | null | undefined;
  readonly reason?: string | null | undefined;
  readonly operator?: string | null | undefined;
}

/** What a store writes of an account that moved. */
export interface AccountUpdate {
  readonly balanceMicros: bigint;
  readonly heldMicros: bigint;
  readonly eventSequence: number;
  /** Set once a subaccount is closed (its key hash then goes too). */
  readonly closedAt: Date | null;
}

/** An account's usage in one UTC day or month (spending caps). */
export interface UsageCounter {
  readonly accountId: number;
  readonly period: CapPeriod;
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  readonly starts: string;
  readonly usedMicros: bigint;
  /** spendingcap.reached was told for this period. */
  readonly reached: boolean;
}

/** What a store writes when its transaction ends. */
export interface LedgerChanges {
  /** New transfers, in the order they were made. */
  readonly transfers: readonly Transfer[];
  /** Every account that moved or whose history grew, with its final values. */
  readonly accounts: ReadonlyMap<number, AccountUpdate>;
  /** New events, in the order they happened (each tree's in sequence order). */
  readonly events: readonly LedgerEvent[];
  /** Holds made or changed, as they end. */
  readonly holds: readonly Hold[];
  /** Usage counters that moved, as they end. */
  readonly usage: readonly UsageCounter[];
}

/** A point of a draft to come back to (an atomic batch that failed, a top-up not kept). */
export interface DraftMark {
  readonly transfers: number;
  readonly events: number;
  readonly undo: number;
}

const usageKey = (accountId: number, period: CapPeriod, starts: string) => `${accountId}|${period}|${starts}`;
export const available = (account: AccountState): bigint => account.balanceMicros - account.heldMicros;

type Moving = Partial<
  Pick<AccountState, 'balanceMicros' | 'heldMicros' | 'eventSequence' | 'closedAt' | 'keyHash'>
>;

/**
 * An account state with some of its moving fields changed. Written out field
 * by field rather than spread: every state then has one shape, which keeps
 * the group commit's few moves per transfer cheap for V8.
 */
function moved(state: AccountState, change: Moving): AccountState {
  return {
    id: state.id,
    kind: state.kind,
    parentId: state.parentId,
    email: state.email,
    token: state.token,
    status: state.status,
    balanceMicros: change.balanceMicros ?? state.balanceMicros,
    heldMicros: change.heldMicros ?? state.heldMicros,
    rules: state.rules,
    closedAt: change.closedAt === undefined ? state.closedAt : change.closedAt,
    eventSequence: change.eventSequence ?? state.eventSequence,
    keyHash: change.keyHash === undefined ? state.keyHash : change.keyHash,
  };
}

/**
 * The running state of one store transaction: the rows it read (accounts,
 * usage counters, holds) as the decisions so far left them, the transfers and
 * events made. The ledger rules decide against it and change it; the store
 * writes `changes()` before its commit. Pure: no I/O. A row read twice keeps
 * the running state of the first read.
 *
 * Every change of an available balance happens inside an operation (one
 * decision: a credit, a charge with its automatic top-up, a hold…); when it
 * ends, each account whose available balance crossed its low-balance
 * threshold or reached 0 tells it (balance.low / recovered / depleted).
 */
export class LedgerDraft {
  private readonly accounts = new Map<number, AccountState>();
  /** Each account as first read: changes() writes only what differs. */
  private readonly asRead = new Map<number, AccountState>();
  private readonly idByKeyHash = new Map<string, number>();
  private readonly idByToken = new Map<string, number>();
  private fundingId: number | null = null;
  private readonly counters = new Map<string, UsageCounter>();
  private readonly countersRead = new Map<string, UsageCounter>();
  private readonly holds = new Map<string, Hold>();
  private readonly holdsChanged = new Set<string>();
  private readonly transfers: Transfer[] = [];
  private readonly events: LedgerEvent[] = [];
  /** How to put back each change, oldest first: a rollback runs them newest first. */
  private readonly undo: (() => void)[] = [];
  /** Inside an operation: each account's available balance before its first change in it. */
  private operationStart: Map<number, bigint> | null = null;

  /** `nonce`: the store's maker of the random part of event ids (lowercase hex). */
  constructor(private readonly nonce: () => string) {}

  /** Adds a row the store read; a row already known keeps its running state. */
  read(row: AccountState): AccountState {
    if (row.keyHash !== undefined && row.keyHash !== null) this.idByKeyHash.set(row.keyHash, row.id);
    if (row.token !== null) this.idByToken.set(row.token, row.id);
    if (row.kind === 'funding') this.fundingId = row.id;
    const known = this.accounts.get(row.id);
    if (known !== undefined) return known;
    this.accounts.set(row.id, row);
    this.asRead.set(row.id, row);
    return row;
  }

  account(id: number): AccountState | null {
    return this.accounts.get(id) ?? null;
  }

  byKeyHash(keyHash: string): AccountState | null {
    const id = this.idByKeyHash.get(keyHash);
    return id === undefined ? null : this.accounts.get(id)!;
  }

  byToken(token: string): AccountState | null {
    const id = this.idByToken.get(token);
    return id === undefined ? null : this.accounts.get(id)!;
  }

  /** The operator's funding account, when the store read it. */
  funding(): AccountState | null {
    return this.fundingId === null ? null : this.accounts.get(this.fundingId)!;
  }

  /** The accounts read that have pending holds: their due holds are the store's to read (lazy expiry). */
  accountsWithHolds(): number[] {
    return [...this.accounts.values()]
      .filter((account) => account.heldMicros > 0n)
      .map((account) => account.id);
  }

  /** The running balance of an account the draft holds. */
  balanceOf(id: number): bigint {
    return this.must(id).balanceMicros;
  }

  /** Balance minus pending holds. */
  availableOf(id: number): bigint {
    return available(this.must(id));
  }

  /** Adds a usage counter the store read (or found missing: usedMicros 0). */
  readUsage(counter: UsageCounter): void {
    const key = usageKey(counter.accountId, counter.period, counter.starts);
    if (this.counters.has(key)) return;
    this.counters.set(key, counter);
    this.countersRead.set(key, counter);
  }

  /** The counter of the UTC day or month `at` falls in; the store must have read it. */
  usage(accountId: number, period: CapPeriod, at: Date): UsageCounter {
    const key = usageKey(accountId, period, usagePeriods(at)[period]);
    const counter = this.counters.get(key);
    if (counter === undefined) throw new Error(`usage counter ${key} was not read in this transaction`);
    return counter;
  }

  /** Usage grows (a debit) or shrinks (a hold released) in the day and the month of `at`. */
  addUsage(accountId: number, at: Date, deltaMicros: bigint): void {
    for (const period of ['day', 'month'] as const) {
      const counter = this.usage(accountId, period, at);
      this.setCounter({ ...counter, usedMicros: counter.usedMicros + deltaMicros });
    }
  }

  markReached(accountId: number, period: CapPeriod, at: Date): void {
    this.setCounter({ ...this.usage(accountId, period, at), reached: true });
  }

  readHold(hold: Hold): void {
    if (!this.holds.has(hold.id)) this.holds.set(hold.id, hold);
  }

  hold(id: string): Hold | null {
    return this.holds.get(id) ?? null;
  }

  /** A new hold, or a hold's new state. */
  putHold(hold: Hold): void {
    const before = this.holds.get(hold.id);
    const wasChanged = this.holdsChanged.has(hold.id);
    this.holds.set(hold.id, hold);
    this.holdsChanged.add(hold.id);
    this.undo.push(() => {
      if (before === undefined) this.holds.delete(hold.id);
      else this.holds.set(hold.id, before);
      if (!wasChanged) this.holdsChanged.delete(hold.id);
    });
  }

  /**
   * Runs one decision as an operation: afterwards, each account whose
   * available balance crossed its threshold or reached 0 tells it. An
   * operation inside another is part of it.
   */
  operation<T>(at: Date, body: () => T): T {
    if (this.operationStart !== null) return body();
    this.operationStart = new Map();
    try {
      return body();
    } finally {
      const started = this.operationStart;
      this.operationStart = null;
      for (const [id, before] of started) this.tellCrossings(this.must(id), before, at);
    }
  }

  /**
   * Makes a transfer: both balances move, the transfer is kept for writing,
   * and transfer.created is told. The rules check funds first; a move that
   * would leave a customer account below zero is a bug, and throws.
   */
  move(movement: Movement): Transfer {
    return this.operation(movement.createdAt, () => this.moveNow(movement));
  }

  private moveNow(movement: Movement): Transfer {
    const debit = this.must(movement.debitAccountId);
    const credit = this.must(movement.creditAccountId);
    const amount = movement.amountMicros;
    if (amount <= 0n || debit.id === credit.id)
      throw new Error('a transfer moves a positive amount between two accounts');
    const debitAfter = debit.balanceMicros - amount;
    if (debitAfter < 0n && debit.kind !== 'funding')
      throw new Error(`account ${debit.id} would go below zero`);
    const creditAfter = credit.balanceMicros + amount;
    this.replace(debit, moved(debit, { balanceMicros: debitAfter }));
    this.replace(credit, moved(this.must(credit.id), { balanceMicros: creditAfter }));
    const sub = debit.kind === 'sub' ? debit : credit.kind === 'sub' ? credit : null;
    const transfer: Transfer = {
      id: movement.id,
      kind: movement.kind,
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amountMicros: amount,
      debitBalanceAfterMicros: debitAfter,
      creditBalanceAfterMicros: creditAfter,
      mainAccountId: sub !== null ? sub.parentId! : debit.kind === 'main' ? debit.id : credit.id,
      subaccountId: sub?.id ?? null,
      subaccountToken: sub?.token ?? null,
      idempotencyKey: movement.idempotencyKey ?? null,
      reason: movement.reason ?? null,
      operator: movement.operator ?? null,
      createdAt: movement.createdAt,
    };
    this.transfers.push(transfer);
    this.undo.push(() => this.transfers.pop());
    this.emit('transfer.created', transfer.mainAccountId, '', movement.createdAt, transfer.id);
    return transfer;
  }

  /** Sets an account's pending holds (inside an operation: its available balance moves). */
  setHeld(accountId: number, heldMicros: bigint): void {
    if (heldMicros < 0n) throw new Error(`account ${accountId} would hold a negative amount`);
    const account = this.must(accountId);
    this.replace(account, moved(account, { heldMicros }));
  }

  /** Closes a subaccount (its balance and holds must be 0 by then); it tells nothing more of its balance. */
  close(accountId: number, at: Date): void {
    const account = this.must(accountId);
    if (account.kind !== 'sub' || account.balanceMicros !== 0n || account.heldMicros !== 0n) {
      throw new Error(`account ${accountId} cannot be closed with money on it`);
    }
    this.replace(account, moved(account, { closedAt: at, keyHash: null }));
  }

  /**
   * Appends an event to a tree (its main account must have been read): the
   * next sequence of the tree, kept on the main account's row. `data` is the
   * JSON text of the object concerned (answers/event-data.ts); a
   * transfer.created event names its transfer instead, read back when the
   * event is read.
   */
  emit(
    type: EventType,
    mainAccountId: number,
    data: string,
    createdAt: Date,
    transferId: string | null = null,
  ): LedgerEvent {
    const main = this.must(mainAccountId);
    if (main.kind !== 'main') throw new Error(`account ${mainAccountId} is not the main account of a tree`);
    const sequence = main.eventSequence + 1;
    this.replace(main, moved(main, { eventSequence: sequence }));
    const event = {
      id: eventId(main.id, sequence, this.nonce()),
      type,
      sequence,
      accountId: main.id,
      createdAt,
      data,
      transferId,
    };
    this.events.push(event);
    this.undo.push(() => this.events.pop());
    return event;
  }

  mark(): DraftMark {
    return { transfers: this.transfers.length, events: this.events.length, undo: this.undo.length };
  }

  /** Forgets every change made since `mark`. */
  rollback(mark: DraftMark): void {
    while (this.undo.length > mark.undo) this.undo.pop()!();
  }

  changes(): LedgerChanges {
    // A subaccount whose history grew is written even if its moves left its row as it was (an add
    // and a remove of the same amount): both stores keep the history's head on it (history-chain.ts).
    const grown = new Set<number>();
    for (const transfer of this.transfers)
      if (transfer.subaccountId !== null) grown.add(transfer.subaccountId);
    const accounts = new Map<number, AccountUpdate>();
    for (const [id, state] of this.accounts) {
      const read = this.asRead.get(id)!;
      if (
        !grown.has(id) &&
        state.balanceMicros === read.balanceMicros &&
        state.heldMicros === read.heldMicros &&
        state.eventSequence === read.eventSequence &&
        state.closedAt === read.closedAt
      ) {
        continue;
      }
      const { balanceMicros, heldMicros, eventSequence, closedAt } = state;
      accounts.set(id, { balanceMicros, heldMicros, eventSequence, closedAt });
    }
    const usage = [...this.counters].filter(([key, counter]) => counter !== this.countersRead.get(key));
    return {
      transfers: this.transfers,
      accounts,
      events: this.events,
      holds: [...this.holdsChanged].map((id) => this.holds.get(id)!),
      usage: usage.map(([, counter]) => counter),
    };
  }

  private tellCrossings(account: AccountState, before: bigint, at: Date): void {
    if (account.kind === 'funding' || account.closedAt !== null) return;
    const low = account.rules.lowBalanceMicros;
    for (const type of crossings(low, before, available(account))) {
      const threshold = type === 'balance.depleted' || low === null ? null : formatMicros(low);
      this.emit(type, treeOf(account), accountData(this.must(account.id), { threshold }), at);
    }
  }

  private setCounter(counter: UsageCounter): void {
    const key = usageKey(counter.accountId, counter.period, counter.starts);
    const before = this.counters.get(key)!;
    this.counters.set(key, counter);
    this.undo.push(() => this.counters.set(key, before));
  }

  private replace(state: AccountState, next: AccountState): void {
    if (
      this.operationStart !== null &&
      !this.operationStart.has(state.id) &&
      available(next) !== available(state)
    ) {
      this.operationStart.set(state.id, available(state));
    }
    this.accounts.set(state.id, next);
    this.undo.push(() => this.accounts.set(state.id, state));
  }

  private must(id: number): AccountState {
    const state = this.accounts.get(id);
    if (state === undefined) throw new Error(`account ${id} was not read in this transaction`);
    return state;
  }
}
