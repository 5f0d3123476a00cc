import type pg from 'pg';
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
import type { PoolStats, Store } from '../../domain/store.js';
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
import type { VerifyReport } from '../../domain/verify.js';
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
import * as holds from './holds.js';
import { claimTable } from './claims.js';
import { applyCreditBatchInTransaction } from './credit-batch.js';
import { applyCreditsInTransaction } from './credits.js';
import * as listings from './listings.js';
import { migrate } from './migrations.js';
import { operatorTransferInTransaction } from './operator.js';
import { inPipelinedTransaction, inTransaction, runQuery, type Queryable } from './transaction.js';
import { LedgerStatsReader } from './ledger-stats.js';
import { verifyInTransaction } from './verify.js';
import * as webhooks from './webhooks.js';

/**
 * The scale-out store: any number of server processes share one PostgreSQL.
 * Every method that moves money is one transaction that locks the accounts it
 * touches in id order; decisions come from the domain's ledger rules. Each
 * write is a function of its own file (credits, credit-batch, accounts,
 * operator), as in the SQLite store; reads are listings.ts'.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private readonly stats: LedgerStatsReader;

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {
    this.stats = new LedgerStatsReader(pool);
  }

  migrate(): Promise<void> {
    return migrate(this.pool, this.schema);
  }

  async ping(): Promise<void> {
    await runQuery(this.pool, 'SELECT 1');
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  poolStats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  authenticate(keyHash: string): Promise<Caller | null> {
    return listings.authenticate(this.pool, keyHash);
  }

  applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    if (commands.length === 0) return Promise.resolve([]);
    return inPipelinedTransaction(this.pool, (tx) => applyCreditsInTransaction(tx, commands));
  }

  applyCreditBatch(batch: CreditBatchCommand): Promise<CreditBatchOutcome> {
    return this.guardedWrite(batch.idempotency && batchGuard(batch.idempotency), (client) =>
      applyCreditBatchInTransaction(client, batch),
    );
  }

  async deleteExpiredIdempotencyKeys(now: Date, limit: number): Promise<number> {
    const deleted = await runQuery(
      this.pool,
      `DELETE FROM idempotency_keys WHERE (scope, key) IN
         (SELECT scope, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2)`,
      [expiryCutoff(now), limit],
    );
    return deleted.rowCount ?? 0;
  }

  createSubaccount(command: CreateSubaccountCommand): Promise<CreateSubaccountOutcome> {
    return this.guardedWrite(command.idempotency, (client) => createSubaccountInTransaction(client, command));
  }

  listSubaccounts(
    mainAccountId: number,
    page: number,
    perPage: number,
    includeClosed = false,
  ): Promise<SubaccountPage> {
    return listings.listSubaccounts(this.pool, mainAccountId, page, perPage, includeClosed);
  }

  closeSubaccount(command: CloseSubaccountCommand): Promise<CloseSubaccountOutcome> {
    return this.guardedWrite(command.idempotency, (client) => closeSubaccountInTransaction(client, command));
  }

  setRules(accountId: number, patch: RulesPatch): Promise<AccountRules | ErrorCode> {
    return inTransaction(this.pool, (client) => setRulesInTransaction(client, accountId, patch));
  }

  placeHold(command: PlaceHoldCommand): Promise<HoldOutcome> {
    return this.guardedWrite(command.idempotency, (client) => holds.placeHoldInTransaction(client, command));
  }

  settleHold(command: SettleHoldCommand): Promise<HoldOutcome> {
    return this.guardedWrite(command.idempotency, (client) => holds.settleHoldInTransaction(client, command));
  }

  getHold(holdId: string): Promise<Hold | null> {
    return holds.getHold(this.pool, holdId);
  }

  listHolds(query: HoldQuery): Promise<HoldPage> {
    return holds.listHolds(this.pool, query);
  }

  expireHolds(now: Date, limit: number): Promise<number> {
    return inTransaction(this.pool, (client) => holds.expireHoldsInTransaction(client, now, limit));
  }

  createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome> {
    return this.guardedWrite(command.idempotency, (client) =>
      createMainAccountInTransaction(client, command),
    );
  }

  findMainAccountByEmail(email: string): Promise<Account | null> {
    return listings.findMainAccountByEmail(this.pool, email);
  }

  getAccount(accountId: number): Promise<Account | null> {
    return listings.getAccount(this.pool, accountId);
  }

  operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome> {
    return this.guardedWrite(command.idempotency, (client) => operatorTransferInTransaction(client, command));
  }

  async setStatus(accountId: number, status: AccountStatus, audit?: ActionAudit): Promise<void> {
    const action: OperatorActionKind = status === 'suspended' ? 'suspend' : 'resume';
    await inTransaction(this.pool, (client) =>
      updateAccountInTransaction(client, accountId, { status }, action, audit),
    );
  }

  async replaceKey(accountId: number, keyHash: string, audit?: ActionAudit): Promise<void> {
    await inTransaction(this.pool, (client) =>
      updateAccountInTransaction(client, accountId, { keyHash }, 'rotate-key', audit),
    );
  }

  listOperatorActions(accountId: number, limit: number): Promise<OperatorAction[]> {
    return listings.listOperatorActions(this.pool, accountId, limit);
  }

  getTransfer(transferId: string): Promise<Transfer | null> {
    return listings.getTransfer(this.pool, transferId);
  }

  listMainAccounts(query: MainAccountQuery): Promise<MainAccountPage> {
    return listings.listMainAccounts(this.pool, query);
  }

  countSubaccounts(mainAccountId: number): Promise<number> {
    return listings.countSubaccounts(this.pool, mainAccountId);
  }

  searchSubaccounts(query: SubaccountQuery): Promise<SubaccountSearchPage> {
    return listings.searchSubaccounts(this.pool, query);
  }

  findSubaccountByToken(token: string): Promise<Account | null> {
    return listings.findSubaccountByToken(this.pool, token);
  }

  listTransfers(filter: TransferFilter): Promise<TransferPage> {
    return listings.listTransfers(this.pool, filter);
  }

  verify(): Promise<VerifyReport> {
    // One snapshot for every check, so transfers committing meanwhile cannot look like breaches.
    return inTransaction(this.pool, verifyInTransaction, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  listEvents(query: EventQuery): Promise<LedgerEvent[]> {
    return listings.listEvents(this.pool, query);
  }

  findEvent(eventId: string): Promise<LedgerEvent | null> {
    return webhooks.findEvent(this.pool, eventId);
  }

  createWebhook(command: CreateWebhookCommand): Promise<CreateWebhookOutcome> {
    return this.guardedWrite(command.idempotency, (client) =>
      webhooks.createWebhookInTransaction(client, command),
    );
  }

  listWebhooks(ownerAccountId: number | null): Promise<WebhookEndpoint[]> {
    return webhooks.listWebhooks(this.pool, ownerAccountId);
  }

  getWebhook(id: string): Promise<WebhookEndpoint | null> {
    return webhooks.getWebhook(this.pool, id);
  }

  deleteWebhook(id: string): Promise<boolean> {
    return webhooks.deleteWebhook(this.pool, id);
  }

  rotateWebhookSecret(id: string, secret: string, previousUntil: Date): Promise<WebhookEndpoint | null> {
    return webhooks.rotateWebhookSecret(this.pool, id, secret, previousUntil);
  }

  listDeliveryAttempts(endpointId: string, limit: number, cursor?: string): Promise<DeliveryAttemptPage> {
    return webhooks.listDeliveryAttempts(this.pool, endpointId, limit, cursor);
  }

  resendEvent(endpointId: string, eventId: string, now: Date): Promise<void> {
    return webhooks.resendEvent(this.pool, endpointId, eventId, now);
  }

  async fanOutEvents(now: Date, limit: number): Promise<number> {
    if (!(await webhooks.webhookWork(this.pool, now)).events) return 0;
    return inTransaction(this.pool, (client) => webhooks.fanOutInTransaction(client, now, limit));
  }

  async claimDeliveries(
    now: Date,
    limit: number,
    leaseMs: number,
    busyEndpoints: readonly string[],
  ): Promise<ClaimedDelivery[]> {
    if (!(await webhooks.webhookWork(this.pool, now)).deliveries) return [];
    return inTransaction(this.pool, (client) =>
      webhooks.claimInTransaction(client, now, limit, leaseMs, busyEndpoints),
    );
  }

  async recordAttempts(records: readonly AttemptRecord[]): Promise<void> {
    await inTransaction(this.pool, (client) => webhooks.recordInTransaction(client, records));
  }

  webhookBacklog(): Promise<{ events: number; deliveries: number }> {
    return webhooks.webhookBacklog(this.pool);
  }

  ledgerStats(): Promise<LedgerStats> {
    return this.stats.read();
  }

  /** A transaction running `run` under the request's Idempotency-Key, if it had one. */
  private guardedWrite<O extends { readonly answer?: IdempotentAnswer }>(
    guard: IdempotencyGuard<O> | undefined,
    run: (client: Queryable) => Promise<O>,
  ): Promise<O | KeyUsed> {
    return inTransaction(this.pool, async (client) => guarded(claimTable(client), guard, () => run(client)));
  }
}
