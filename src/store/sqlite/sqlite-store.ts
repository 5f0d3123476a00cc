import type Database from 'better-sqlite3';
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
} from '../../domain/accounts.js';
import type { ErrorCode } from '../../domain/errors.js';
import type {
  Hold,
  HoldOutcome,
  HoldPage,
  HoldQuery,
  PlaceHoldCommand,
  SettleHoldCommand,
} from '../../domain/holds.js';
import type { AccountRules, RulesPatch } from '../../domain/rules.js';
import { batchGuard } from '../../domain/answers/batch-answer.js';
import {
  expiryCutoff,
  guarded,
  type IdempotencyGuard,
  type IdempotentAnswer,
  type KeyUsed,
} from '../../domain/idempotency.js';
import type { EventQuery, LedgerEvent } from '../../domain/events.js';
import type { ActionAudit, OperatorAction, OperatorActionKind } from '../../domain/operator-actions.js';
import type {
  MainAccountPage,
  MainAccountQuery,
  SubaccountQuery,
  SubaccountSearchPage,
  TransferFilter,
  TransferPage,
} from '../../domain/pages.js';
import type { Store } from '../../domain/store.js';
import type {
  CreditBatchCommand,
  CreditBatchOutcome,
  CreditCommand,
  CreditOutcome,
  OperatorTransferCommand,
  OperatorTransferOutcome,
  Transfer,
} from '../../domain/transfers.js';
import type { LedgerStats } from '../../domain/ledger-stats.js';
import { assessLedger, type VerifyReport } from '../../domain/verify.js';
import type {
  AttemptRecord,
  ClaimedDelivery,
  CreateWebhookCommand,
  CreateWebhookOutcome,
  DeliveryAttemptPage,
  WebhookEndpoint,
} from '../../domain/webhooks.js';
import {
  closeSubaccountInTransaction,
  createMainAccountInTransaction,
  createSubaccountInTransaction,
  setRulesInTransaction,
  updateAccountInTransaction,
} from './accounts.js';
import { expireHoldsInTransaction, placeHoldInTransaction, settleHoldInTransaction } from './holds.js';
import { SqliteClaims } from './claims.js';
import { applyCreditBatchInTransaction } from './credit-batch.js';
import type { CreditWriter } from './credit-writer.js';
import { applyCreditsInTransaction } from './credits.js';
import { SqliteListings } from './listings.js';
import { migrate } from './migrations.js';
import { operatorTransferInTransaction } from './operator.js';
import { prepareStatements, type Statements } from './statements.js';
import { LedgerStatsReader } from './ledger-stats.js';
import { readLedgerFacts } from './verify.js';
import { SqliteWebhooks } from './webhooks.js';

/**
 * The embedded store. better-sqlite3 is synchronous, so each method runs its
 * transaction to the end inside one turn of the event loop; BEGIN IMMEDIATE
 * takes the write lock up front so another process (the CLI beside a running
 * server) waits on busy_timeout instead of failing half-way. Each write is a
 * function of its own file (credits, credit-batch, accounts, operator), as in
 * the PostgreSQL store; reads are SqliteListings'.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly statements: Statements;
  private readonly listings: SqliteListings;
  private readonly claims: SqliteClaims;
  private readonly webhooks: SqliteWebhooks;
  private readonly stats: LedgerStatsReader;
  /**
   * `run` between BEGIN IMMEDIATE and COMMIT (ROLLBACK if it throws). The
   * wrapper is built once: better-sqlite3's `db.transaction(fn)` costs about
   * 6.5 µs to build, some six times its `immediate()` call.
   */
  private readonly immediate: <T>(run: () => T) => T;

  /**
   * `creditWriter`: applies the credit commands instead of this connection
   * (the writer thread, credit-writer.ts); absent, they run here.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly creditWriter: CreditWriter | null = null,
  ) {
    this.statements = prepareStatements(db);
    const transaction = db.transaction((run: () => unknown) => run());
    this.immediate = <T>(run: () => T): T => transaction.immediate(run) as T;
    this.listings = new SqliteListings(db, this.statements);
    this.claims = new SqliteClaims(db);
    this.webhooks = new SqliteWebhooks(db);
    this.stats = new LedgerStatsReader(db);
  }

  async migrate(): Promise<void> {
    migrate(this.db);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.creditWriter?.close();
    this.stats.close();
    if (this.db.open) this.db.close();
  }

  async authenticate(keyHash: string): Promise<Caller | null> {
    return this.listings.authenticate(keyHash);
  }

  get creditCallsInFlight(): number {
    return this.creditWriter?.callsInFlight ?? 1;
  }

  async applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    return this.creditWriter === null ? this.applyCreditsNow(commands) : this.creditWriter.apply(commands);
  }

  /** The group-commit transaction itself, on this connection (and on the writer thread's). */
  applyCreditsNow(commands: readonly CreditCommand[]): CreditOutcome[] {
    return this.immediate(() => applyCreditsInTransaction(this.statements, this.claims, commands));
  }

  applyCreditBatch(batch: CreditBatchCommand): Promise<CreditBatchOutcome> {
    return this.guardedWrite(batch.idempotency && batchGuard(batch.idempotency), () =>
      applyCreditBatchInTransaction(this.statements, batch),
    );
  }

  deleteExpiredIdempotencyKeys(now: Date, limit: number): Promise<number> {
    return this.writeTransaction(() => this.claims.deleteExpired(expiryCutoff(now), limit));
  }

  createSubaccount(command: CreateSubaccountCommand): Promise<CreateSubaccountOutcome> {
    return this.guardedWrite(command.idempotency, () =>
      createSubaccountInTransaction(this.statements, command),
    );
  }

  async listSubaccounts(
    mainAccountId: number,
    page: number,
    perPage: number,
    includeClosed = false,
  ): Promise<SubaccountPage> {
    return this.listings.listSubaccounts(mainAccountId, page, perPage, includeClosed);
  }

  closeSubaccount(command: CloseSubaccountCommand): Promise<CloseSubaccountOutcome> {
    return this.guardedWrite(command.idempotency, () =>
      closeSubaccountInTransaction(this.statements, command),
    );
  }

  setRules(accountId: number, patch: RulesPatch): Promise<AccountRules | ErrorCode> {
    return this.writeTransaction(() => setRulesInTransaction(this.statements, accountId, patch));
  }

  placeHold(command: PlaceHoldCommand): Promise<HoldOutcome> {
    return this.guardedWrite(command.idempotency, () => placeHoldInTransaction(this.statements, command));
  }

  settleHold(command: SettleHoldCommand): Promise<HoldOutcome> {
    return this.guardedWrite(command.idempotency, () => settleHoldInTransaction(this.statements, command));
  }

  async getHold(holdId: string): Promise<Hold | null> {
    return this.listings.getHold(holdId, new Date());
  }

  async listHolds(query: HoldQuery): Promise<HoldPage> {
    return this.listings.listHolds(query, new Date());
  }

  expireHolds(now: Date, limit: number): Promise<number> {
    return this.writeTransaction(() => expireHoldsInTransaction(this.statements, now, limit));
  }

  createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome> {
    return this.guardedWrite(command.idempotency, () =>
      createMainAccountInTransaction(this.statements, command),
    );
  }

  async findMainAccountByEmail(email: string): Promise<Account | null> {
    return this.listings.findMainAccountByEmail(email);
  }

  async getAccount(accountId: number): Promise<Account | null> {
    return this.listings.getAccount(accountId);
  }

  operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome> {
    return this.guardedWrite(command.idempotency, () =>
      operatorTransferInTransaction(this.statements, command),
    );
  }

  async setStatus(accountId: number, status: AccountStatus, audit?: ActionAudit): Promise<void> {
    const action: OperatorActionKind = status === 'suspended' ? 'suspend' : 'resume';
    await this.writeTransaction(() =>
      updateAccountInTransaction(this.statements, accountId, { status }, action, audit),
    );
  }

  async replaceKey(accountId: number, keyHash: string, audit?: ActionAudit): Promise<void> {
    await this.writeTransaction(() =>
      updateAccountInTransaction(this.statements, accountId, { keyHash }, 'rotate-key', audit),
    );
  }

  async listOperatorActions(accountId: number, limit: number): Promise<OperatorAction[]> {
    return this.listings.listOperatorActions(accountId, limit);
  }

  async getTransfer(transferId: string): Promise<Transfer | null> {
    return this.listings.getTransfer(transferId);
  }

  async listMainAccounts(query: MainAccountQuery): Promise<MainAccountPage> {
    return this.listings.listMainAccounts(query);
  }

  async countSubaccounts(mainAccountId: number): Promise<number> {
    return this.listings.countSubaccounts(mainAccountId);
  }

  async searchSubaccounts(query: SubaccountQuery): Promise<SubaccountSearchPage> {
    return this.listings.searchSubaccounts(query);
  }

  async findSubaccountByToken(token: string): Promise<Account | null> {
    return this.listings.findSubaccountByToken(token);
  }

  async listTransfers(filter: TransferFilter): Promise<TransferPage> {
    return this.listings.listTransfers(filter);
  }

  async verify(): Promise<VerifyReport> {
    // A read transaction gives one consistent snapshot of balances and transfers.
    return this.db.transaction(() => assessLedger(readLedgerFacts(this.db)))();
  }

  async listEvents(query: EventQuery): Promise<LedgerEvent[]> {
    return this.listings.listEvents(query);
  }

  async findEvent(eventId: string): Promise<LedgerEvent | null> {
    return this.webhooks.findEvent(eventId);
  }

  createWebhook(command: CreateWebhookCommand): Promise<CreateWebhookOutcome> {
    return this.guardedWrite(command.idempotency, () => this.webhooks.create(command));
  }

  async listWebhooks(ownerAccountId: number | null): Promise<WebhookEndpoint[]> {
    return this.webhooks.list(ownerAccountId);
  }

  async getWebhook(id: string): Promise<WebhookEndpoint | null> {
    return this.webhooks.get(id);
  }

  deleteWebhook(id: string): Promise<boolean> {
    return this.writeTransaction(() => this.webhooks.delete(id));
  }

  rotateWebhookSecret(id: string, secret: string, previousUntil: Date): Promise<WebhookEndpoint | null> {
    return this.writeTransaction(() => this.webhooks.rotate(id, secret, previousUntil));
  }

  async listDeliveryAttempts(
    endpointId: string,
    limit: number,
    cursor?: string,
  ): Promise<DeliveryAttemptPage> {
    return this.webhooks.listAttempts(endpointId, limit, cursor);
  }

  resendEvent(endpointId: string, eventId: string, now: Date): Promise<void> {
    return this.writeTransaction(() => this.webhooks.resend(endpointId, eventId, now));
  }

  async fanOutEvents(now: Date, limit: number): Promise<number> {
    if (!this.webhooks.hasEventsToFanOut()) return 0;
    return this.writeTransaction(() => this.webhooks.fanOut(now, limit));
  }

  async claimDeliveries(
    now: Date,
    limit: number,
    leaseMs: number,
    busyEndpoints: readonly string[],
  ): Promise<ClaimedDelivery[]> {
    if (!this.webhooks.hasDueDeliveries(now)) return [];
    return this.writeTransaction(() => this.webhooks.claim(now, limit, leaseMs, busyEndpoints));
  }

  recordAttempts(records: readonly AttemptRecord[]): Promise<void> {
    return this.writeTransaction(() => this.webhooks.record(records));
  }

  async webhookBacklog(): Promise<{ events: number; deliveries: number }> {
    return this.webhooks.backlog();
  }

  ledgerStats(): Promise<LedgerStats> {
    return this.stats.read();
  }

  /** A write transaction running `run` under the request's Idempotency-Key, if it had one. */
  private guardedWrite<O extends { readonly answer?: IdempotentAnswer }>(
    guard: IdempotencyGuard<O> | undefined,
    run: () => O,
  ): Promise<O | KeyUsed> {
    return this.writeTransaction(() => guarded(this.claims, guard, run));
  }

  /**
   * A write transaction on this connection (BEGIN IMMEDIATE). With a writer
   * thread, it runs in the event loop's write turn (credit-writer.ts).
   */
  private writeTransaction<T>(run: () => T): Promise<T> {
    const transaction = () => this.immediate(run);
    return this.creditWriter === null
      ? Promise.resolve(transaction())
      : this.creditWriter.inWriteTurn(transaction);
  }
}
