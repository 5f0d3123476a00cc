import type {
  Account,
  AccountStatus,
  Caller,
  CreateMainAccountCommand,
  CreateMainAccountOutcome,
  CreateSubaccountCommand,
  CreateSubaccountOutcome,
  CloseSubaccountCommand,
  CloseSubaccountOutcome,
  SubaccountPage,
} from './accounts.js';
import type { ErrorCode } from './errors.js';
import type { Hold, HoldOutcome, HoldPage, HoldQuery, PlaceHoldCommand, SettleHoldCommand } from './holds.js';
import type { AccountRules, RulesPatch } from './rules.js';
import type { EventQuery, LedgerEvent } from './events.js';
import type { ActionAudit, OperatorAction } from './operator-actions.js';
import type {
  AttemptRecord,
  ClaimedDelivery,
  CreateWebhookCommand,
  CreateWebhookOutcome,
  DeliveryAttemptPage,
  WebhookEndpoint,
} from './webhooks.js';
import type {
  MainAccountPage,
  MainAccountQuery,
  SubaccountQuery,
  SubaccountSearchPage,
  TransferFilter,
  TransferPage,
} from './pages.js';
import type {
  CreditBatchCommand,
  CreditBatchOutcome,
  CreditCommand,
  CreditOutcome,
  OperatorTransferCommand,
  OperatorTransferOutcome,
  Transfer,
} from './transfers.js';
import type { VerifyReport } from './verify.js';
import type { LedgerStats } from './ledger-stats.js';

/**
 * Everything the service asks of a database, in domain types only. Each
 * method that moves money is one database transaction: it either happens
 * whole, durably, or not at all. Business outcomes are returned as codes;
 * infrastructure failures throw (StoreUnavailableError when the database
 * cannot be reached).
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The connection pool's use, for /metrics; stores without a pool leave it out. */
  poolStats?(): PoolStats;

  authenticate(keyHash: string): Promise<Caller | null>;

  /**
   * Applies credit commands in one transaction, in order, each decided on its
   * own (one failing its balance check does not fail the others): this is
   * what group commit calls.
   */
  applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]>;
  /**
   * How many `applyCredits` calls group commit may have out at once (1 when
   * absent): more only where the store queues them itself rather than making
   * the later ones wait on the earlier ones' locks (src/app/credit-queue.ts).
   */
  readonly creditCallsInFlight?: number;

  /**
   * One caller's batch in one transaction: the key is checked once (10, 4),
   * then each command in order against the running balances; `apply` says
   * whether failures stop the whole batch (see BatchApply).
   */
  applyCreditBatch(batch: CreditBatchCommand): Promise<CreditBatchOutcome>;

  /** Deletes at most `limit` idempotency records older than the 24 h window; returns how many went. */
  deleteExpiredIdempotencyKeys(now: Date, limit: number): Promise<number>;

  createSubaccount(command: CreateSubaccountCommand): Promise<CreateSubaccountOutcome>;
  /**
   * A main account's open subaccounts (and its closed ones too with
   * `includeClosed`: the operator's view); `total` counts the open ones.
   */
  listSubaccounts(
    mainAccountId: number,
    page: number,
    perPage: number,
    includeClosed?: boolean,
  ): Promise<SubaccountPage>;
  /** `/v1/subaccount/delete`: codes 10, 4, 7, 36; the balance back as a `close` transfer, then closed. */
  closeSubaccount(command: CloseSubaccountCommand): Promise<CloseSubaccountOutcome>;
  /** An account's rules after a patch (read and written in one transaction), or the code refusing it. */
  setRules(accountId: number, patch: RulesPatch): Promise<AccountRules | ErrorCode>;

  /** A hold on an account, under its rules (32, 6, 8; 30 when the account is gone or closed). */
  placeHold(command: PlaceHoldCommand): Promise<HoldOutcome>;
  /** A capture or a void (33, 34, 35). */
  settleHold(command: SettleHoldCommand): Promise<HoldOutcome>;
  /** A hold as a reader sees it now (pending past its expiry shows as expired). */
  getHold(holdId: string): Promise<Hold | null>;
  listHolds(query: HoldQuery): Promise<HoldPage>;
  /** Expires up to `limit` holds past their expiry, telling hold.expired; returns how many. */
  expireHolds(now: Date, limit: number): Promise<number>;

  createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome>;
  findMainAccountByEmail(email: string): Promise<Account | null>;
  getAccount(accountId: number): Promise<Account | null>;
  operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome>;
  /**
   * With `audit`, the action (suspend when the status is `suspended`, resume
   * when `active`) is recorded in the operator's audit trail in the same
   * transaction: both happen or neither. The operator service always passes it.
   */
  setStatus(accountId: number, status: AccountStatus, audit?: ActionAudit): Promise<void>;
  /** Replaces an account's key: the old one is refused from the next request on; `audit` as for setStatus. */
  replaceKey(accountId: number, keyHash: string, audit?: ActionAudit): Promise<void>;
  /** The account's recorded suspend/resume/rotate-key actions, newest first, at most `limit`. */
  listOperatorActions(accountId: number, limit: number): Promise<OperatorAction[]>;

  getTransfer(transferId: string): Promise<Transfer | null>;

  /** Main accounts, newest first, with how many subaccounts each has. */
  listMainAccounts(query: MainAccountQuery): Promise<MainAccountPage>;
  countSubaccounts(mainAccountId: number): Promise<number>;
  /**
   * Subaccounts of every main account, closed ones too, newest first (by id),
   * whose email contains `search`; each page examines at most `examineLimit`.
   */
  searchSubaccounts(query: SubaccountQuery): Promise<SubaccountSearchPage>;
  /** The subaccount a public token names, or null (also for any other kind of account). */
  findSubaccountByToken(token: string): Promise<Account | null>;
  /** Transfers matching every given filter, newest first (by ledger order, `seq`). */
  listTransfers(filter: TransferFilter): Promise<TransferPage>;
  verify(): Promise<VerifyReport>;

  /** A tree's events with a sequence above `after`, oldest first (contract section 7). */
  listEvents(query: EventQuery): Promise<LedgerEvent[]>;
  /** One event by its id (`evt_…`), whatever its tree. */
  findEvent(eventId: string): Promise<LedgerEvent | null>;

  /** A new endpoint; 39 when its owner has MAX_WEBHOOKS_PER_ACCOUNT already. */
  createWebhook(command: CreateWebhookCommand): Promise<CreateWebhookOutcome>;
  /** A main account's endpoints, or the operator's (null), oldest first. */
  listWebhooks(ownerAccountId: number | null): Promise<WebhookEndpoint[]>;
  getWebhook(id: string): Promise<WebhookEndpoint | null>;
  /** Removes the endpoint with what it had left to deliver and its log; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>;
  /**
   * A new signing secret; the old one keeps signing beside it until
   * `previousUntil`. null for an unknown endpoint.
   */
  rotateWebhookSecret(id: string, secret: string, previousUntil: Date): Promise<WebhookEndpoint | null>;
  /** The endpoint's delivery attempts, newest first, in cursor pages. */
  listDeliveryAttempts(endpointId: string, limit: number, cursor?: string): Promise<DeliveryAttemptPage>;
  /**
   * A new delivery of one event to one endpoint, due at `now`, whatever came
   * before (the caller checks that the event is the endpoint's to receive).
   */
  resendEvent(endpointId: string, eventId: string, now: Date): Promise<void>;

  /**
   * The delivery worker's side. Hands the events committed since the last
   * call (at most `limit`) to every enabled endpoint that wants them, as
   * deliveries due at `now`; returns how many events it handed out. Many
   * processes may call it at once: each event is handed out once.
   */
  fanOutEvents(now: Date, limit: number): Promise<number>;
  /**
   * Leases up to `limit` due deliveries for `leaseMs`, none to the endpoints
   * of `busyEndpoints`: until the lease runs out no other call (in any
   * process) gets them, so a process killed mid-delivery only delays it.
   */
  claimDeliveries(
    now: Date,
    limit: number,
    leaseMs: number,
    busyEndpoints: readonly string[],
  ): Promise<ClaimedDelivery[]>;
  /**
   * Records attempts in one transaction: each log line, each delivery's next
   * attempt (or its end), and each endpoint's failing streak (an endpoint
   * failing for DISABLE_AFTER_MS is disabled; one success ends the streak).
   */
  recordAttempts(records: readonly AttemptRecord[]): Promise<void>;
  /** What waits: events not yet handed out, deliveries not yet done (for /metrics). */
  webhookBacklog(): Promise<{ readonly events: number; readonly deliveries: number }>;
  /**
   * Accounts, balances and money moved, by kind, and the accounts below their
   * low-balance threshold (for /metrics): two aggregate queries, never per
   * request — /metrics caches the answer (src/http/ledger-gauges.ts).
   */
  ledgerStats(): Promise<LedgerStats>;
}

/**
 * How many writes may wait for the store at most (WRITE_QUEUE_MAX): the group
 * commit's queue and the SQLite writer's turns; past it a write is refused
 * with 503 at once instead of growing a queue without end. One more full
 * group-commit transaction behind those out: a waiting request holds about
 * 10 KB of heap, so the cap keeps a flood within some 10 MB.
 */
export const DEFAULT_WRITE_QUEUE_MAX = 1000;

/**
 * How long a credit command may wait for the store to take it
 * (WRITE_QUEUE_MAX_WAIT_MS): once the oldest waiting has stayed past this for
 * 100 ms (a standing queue, not a burst), the next are refused with 503
 * before their body is read (credit-queue.ts; docs/architecture.md, Overload).
 */
export const DEFAULT_WRITE_QUEUE_MAX_WAIT_MS = 50;

/** Thrown by a store when its database cannot be reached; the HTTP layer answers 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * A request refused, before anything was read or decided, to keep the waits
 * of those accepted bounded: a 503 like an unavailable store, but expected
 * under overload, so it is counted rather than logged one by one.
 */
export class OverloadError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'OverloadError';
  }
}

/** A connection pool at one instant: connections open, idle among them, and requests waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

/**
 * What `migrate` does on a database a newer build migrated: it refuses, as an
 * older build would write past what it knows (on SQLite, a transfer outside
 * its subaccount's chain).
 */
export function refuseNewerSchema(current: number, known: number): void {
  if (current > known) {
    throw new Error(
      `the database is at schema version ${current}, newer than this build's ${known}: ` +
        'run the version of tirelire that migrated it, or a later one',
    );
  }
}
