import type {
  Account,
  Caller,
  CreateMainAccountCommand,
  CreateSubaccountCommand,
  AccountStatus,
  SubaccountPage,
} from './accounts.js';
import type { ErrorCode } from './errors.js';
import type { IdempotentAnswer } from './idempotency.js';
import type { ActionAudit, OperatorAction } from './operator-actions.js';
import type { MainAccountPage, MainAccountQuery, TransferFilter, TransferPage } from './pages.js';
import type {
  CreditBatchCommand,
  CreditBatchOutcome,
  CreditCommand,
  CreditOutcome,
  OperatorTransferCommand,
  Transfer,
} from './transfers.js';
import type { VerifyReport } from './verify.js';

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
   * the later ones wait on the earlier ones' locks (src/service/credit-queue.ts).
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
  listSubaccounts(mainAccountId: number, page: number, perPage: number): Promise<SubaccountPage>;

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
  /** The subaccount a public token names, or null (also for any other kind of account). */
  findSubaccountByToken(token: string): Promise<Account | null>;
  /** Transfers matching every given filter, newest first (by ledger order, `seq`). */
  listTransfers(filter: TransferFilter): Promise<TransferPage>;
  verify(): Promise<VerifyReport>;
}

/**
 * With an idempotency guard, `answer` holds the answer's bytes; code 24 with
 * an answer is a replay of the earlier request under the key, without one a
 * different request under a used key.
 */
export type CreateSubaccountOutcome =
  | {
      readonly ok: true;
      readonly account: Account;
      readonly parentEmail: string;
      /** The opening add, when `creditToAttribute` was given. */
      readonly transferId: string | null;
      readonly answer?: IdempotentAnswer;
    }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

/** `answer` as for CreateSubaccountOutcome. */
export type CreateMainAccountOutcome =
  | { readonly ok: true; readonly account: Account; readonly answer?: IdempotentAnswer }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

/** `answer` as for CreateSubaccountOutcome. */
export type OperatorTransferOutcome =
  | { readonly ok: true; readonly transfer: Transfer; readonly answer?: IdempotentAnswer }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

/** Thrown by a store when its database cannot be reached; the HTTP layer answers 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** A connection pool at one instant: connections open, idle among them, and requests waiting for one. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}
