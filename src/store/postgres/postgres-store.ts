import { batchGuard } from '../../domain/batch-answer.js';
import type pg from 'pg';
import type {
  Account,
  AccountStatus,
  Caller,
  CreateMainAccountCommand,
  CreateSubaccountCommand,
  SubaccountPage,
} from '../../domain/accounts.js';
import type {
  CreateMainAccountOutcome,
  CreateSubaccountOutcome,
  OperatorTransferOutcome,
  PoolStats,
  Store,
} from '../../domain/store.js';
import type {
  CreditBatchCommand,
  CreditBatchOutcome,
  CreditCommand,
  CreditOutcome,
  OperatorTransferCommand,
  Transfer,
} from '../../domain/transfers.js';
import type { ActionAudit, OperatorAction, OperatorActionKind } from '../../domain/operator-actions.js';
import type { VerifyReport } from '../../domain/verify.js';
import { createMainAccountInTransaction, createSubaccountInTransaction } from './accounts.js';
import { applyCreditBatchInTransaction } from './credit-batch.js';
import { applyCreditsInTransaction } from './credits.js';
import { guardedInTransaction } from './claims.js';
import { expiryCutoff } from '../../domain/idempotency.js';
import * as listings from './admin-queries.js';
import type { MainAccountPage, MainAccountQuery, TransferFilter, TransferPage } from '../../domain/pages.js';
import { migrate } from './migrations.js';
import { operatorTransferInTransaction } from './operator.js';
import { checkSchemaName, createPool, type PostgresStoreOptions } from './pool.js';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  toAccount,
  toCaller,
  toTransfer,
} from './rows.js';
import { inPipelinedTransaction, inTransaction, runQuery } from './transaction.js';
import { verifyInTransaction } from './verify.js';

export type { PostgresStoreOptions } from './pool.js';

/**
 * The scale-out store: any number of server processes share one PostgreSQL.
 * Every method that moves money is one transaction that locks the accounts it
 * touches in id order; decisions come from the domain's ledger rules.
 */
export class PostgresStore implements Store {
  readonly engine = 'postgres';

  constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

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

  async authenticate(keyHash: string): Promise<Caller | null> {
    const found = await this.selectAccount('key_hash = $1', [keyHash]);
    return found === null ? null : toCaller(found);
  }

  applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    if (commands.length === 0) return Promise.resolve([]);
    return inPipelinedTransaction(this.pool, (tx) => applyCreditsInTransaction(tx, commands));
  }

  applyCreditBatch(batch: CreditBatchCommand): Promise<CreditBatchOutcome> {
    return inTransaction(this.pool, (client) =>
      guardedInTransaction(client, batch.idempotency && batchGuard(batch.idempotency), () =>
        applyCreditBatchInTransaction(client, batch),
      ),
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
    return inTransaction(this.pool, (client) => createSubaccountInTransaction(client, command));
  }

  async listSubaccounts(mainAccountId: number, page: number, perPage: number): Promise<SubaccountPage> {
    const where = `kind = 'sub' AND parent_id = $1`;
    const total = await runQuery<{ total: string }>(
      this.pool,
      `SELECT count(*) AS total FROM accounts WHERE ${where}`,
      [mainAccountId],
    );
    const rows = await runQuery<AccountRow>(
      this.pool,
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${where} ORDER BY id LIMIT $2 OFFSET $3`,
      [mainAccountId, perPage, Math.max(0, page - 1) * perPage],
    );
    return { total: Number(total.rows[0]!.total), items: rows.rows.map(toAccount) };
  }

  createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome> {
    return inTransaction(this.pool, (client) =>
      guardedInTransaction(client, command.idempotency, () =>
        createMainAccountInTransaction(client, command),
      ),
    );
  }

  async findMainAccountByEmail(email: string): Promise<Account | null> {
    const found = await this.selectAccount(`kind = 'main' AND email = $1`, [email]);
    return found === null ? null : toAccount(found);
  }

  async getAccount(accountId: number): Promise<Account | null> {
    const found = await this.selectAccount('id = $1', [accountId]);
    return found === null ? null : toAccount(found);
  }

  operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome> {
    return inTransaction(this.pool, (client) =>
      guardedInTransaction(client, command.idempotency, () => operatorTransferInTransaction(client, command)),
    );
  }

  async setStatus(accountId: number, status: AccountStatus, audit?: ActionAudit): Promise<void> {
    const action = status === 'suspended' ? 'suspend' : 'resume';
    await this.updateAccount('status = $2', [accountId, status], action, audit);
  }

  async replaceKey(accountId: number, keyHash: string, audit?: ActionAudit): Promise<void> {
    await this.updateAccount('key_hash = $2', [accountId, keyHash], 'rotate-key', audit);
  }

  listOperatorActions(accountId: number, limit: number): Promise<OperatorAction[]> {
    return listings.listOperatorActions(this.pool, accountId, limit);
  }

  /** One account update and, when audited, its audit row, in one transaction. */
  private async updateAccount(
    set: string,
    values: readonly [number, string],
    action: OperatorActionKind,
    audit: ActionAudit | undefined,
  ): Promise<void> {
    const update = `UPDATE accounts SET ${set} WHERE id = $1 AND kind <> 'funding'`;
    if (audit === undefined) {
      await runQuery(this.pool, update, values);
      return;
    }
    await inTransaction(this.pool, async (client) => {
      const updated = await client.query(update, [...values]);
      if ((updated.rowCount ?? 0) > 0) await listings.recordAction(client, values[0], action, audit);
    });
  }

  async getTransfer(transferId: string): Promise<Transfer | null> {
    const found = await runQuery<TransferRow>(
      this.pool,
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1`,
      [transferId],
    );
    return found.rows[0] === undefined ? null : toTransfer(found.rows[0]);
  }

  listMainAccounts(query: MainAccountQuery): Promise<MainAccountPage> {
    return listings.listMainAccounts(this.pool, query);
  }

  countSubaccounts(mainAccountId: number): Promise<number> {
    return listings.countSubaccounts(this.pool, mainAccountId);
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

  private async selectAccount(where: string, values: readonly unknown[]): Promise<AccountRow | null> {
    const found = await runQuery<AccountRow>(
      this.pool,
      `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE ${where}`,
      values,
    );
    return found.rows[0] ?? null;
  }
}

/**
 * Opens the store for a postgres:// URL and, unless told otherwise, brings the
 * schema up to date: every process runs the migrations on start and the
 * advisory lock lets only one of them do the work.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionUrl, urlSchema } = splitSchema(url);
  const schema = checkSchemaName(options.schema ?? urlSchema ?? 'public');
  const pool = createPool(connectionUrl, { ...options, schema });
  const store = new PostgresStore(pool, schema);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }
  return store;
}

/**
 * `?schema=NAME` on the URL picks the schema, so that every process started
 * with the same DATABASE_URL shares it (and test runs can each have their own).
 * pg would not understand the parameter, so it is taken off the URL.
 */
function splitSchema(url: string): { connectionUrl: string; urlSchema: string | undefined } {
  const parsed = new URL(url);
  const urlSchema = parsed.searchParams.get('schema') ?? undefined;
  if (urlSchema === undefined) return { connectionUrl: url, urlSchema };
  parsed.searchParams.delete('schema');
  return { connectionUrl: parsed.toString(), urlSchema };
}
