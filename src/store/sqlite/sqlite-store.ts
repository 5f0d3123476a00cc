import Database from 'better-sqlite3';
import type {
  Account,
  AccountStatus,
  Caller,
  CreateMainAccountCommand,
  CreateSubaccountCommand,
  SubaccountPage,
} from '../../domain/accounts.js';
import { checkAmount, checkFunds, checkMainCaller, settleCredit } from '../../domain/ledger-rules.js';
import type {
  CreateMainAccountOutcome,
  CreateSubaccountOutcome,
  OperatorTransferOutcome,
  Store,
} from '../../domain/store.js';
import {
  creditTransfer,
  type CreditBatchCommand,
  type CreditBatchOutcome,
  type CreditCommand,
  type CreditOutcome,
  type OperatorTransferCommand,
  type Transfer,
} from '../../domain/transfers.js';
import type { ActionAudit, OperatorAction } from '../../domain/operator-actions.js';
import type { VerifyReport } from '../../domain/verify.js';
import { assessLedger } from '../../domain/verify.js';
import type { MainAccountPage, MainAccountQuery, TransferFilter, TransferPage } from '../../domain/pages.js';
import { SqliteListings } from './admin-queries.js';
import { applyCreditBatchInTransaction } from './credit-batch.js';
import { SqliteClaims } from './claims.js';
import {
  expiryCutoff,
  guardCredit,
  keyUsed,
  type IdempotencyGuard,
  type IdempotentAnswer,
  type KeyUsed,
} from '../../domain/idempotency.js';
import { batchGuard } from '../../domain/batch-answer.js';
import { ThreadCreditWriter, type CreditWriter } from './credit-writer.js';
import { migrate } from './migrations.js';
import { toAccount, toCaller, toTransfer, type AccountRow, type TransferRow } from './rows.js';
import { prepareStatements, type Statements, type TransferInsert } from './statements.js';
import { readLedgerFacts } from './verify-facts.js';

/**
 * The embedded store. better-sqlite3 is synchronous, so each method runs its
 * transaction to the end inside one turn of the event loop; BEGIN IMMEDIATE
 * takes the write lock up front so another process (the CLI beside a running
 * server) waits on busy_timeout instead of failing half-way.
 */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly statements: Statements;
  private readonly listings: SqliteListings;
  private readonly claims: SqliteClaims;

  /**
   * `creditWriter`: applies the credit commands instead of this connection
   * (the writer thread, credit-writer.ts); absent, they run here.
   */
  constructor(
    private readonly db: Database.Database,
    private readonly creditWriter: CreditWriter | null = null,
  ) {
    this.statements = prepareStatements(db);
    this.listings = new SqliteListings(db);
    this.claims = new SqliteClaims(db);
  }

  async migrate(): Promise<void> {
    migrate(this.db);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    await this.creditWriter?.close();
    if (this.db.open) this.db.close();
  }

  async authenticate(keyHash: string): Promise<Caller | null> {
    const row = this.statements.accountByKeyHash.get(keyHash) as AccountRow | undefined;
    return row === undefined ? null : toCaller(row);
  }

  get creditCallsInFlight(): number {
    return this.creditWriter?.callsInFlight ?? 1;
  }

  async applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    return this.creditWriter === null ? this.applyCreditsNow(commands) : this.creditWriter.apply(commands);
  }

  /** The group-commit transaction itself, on this connection (and on the writer thread's). */
  applyCreditsNow(commands: readonly CreditCommand[]): CreditOutcome[] {
    return this.db
      .transaction(() => {
        const book = this.claims.open(commands.map((command) => command.idempotency?.claim));
        const rows = new BatchRows(this.statements);
        const outcomes = commands.map((command) =>
          guardCredit(book, command, () => this.applyCredit(command, rows)),
        );
        rows.writeBalances();
        this.claims.write(book);
        return outcomes;
      })
      .immediate();
  }

  async applyCreditBatch(batch: CreditBatchCommand): Promise<CreditBatchOutcome> {
    return this.writeTransaction(() =>
      this.guarded(batch.idempotency && batchGuard(batch.idempotency), () =>
        applyCreditBatchInTransaction(this.statements, batch),
      ),
    );
  }

  /** Inside a write transaction: `run` under an idempotency key, if the request had one. */
  private guarded<O extends { readonly answer?: IdempotentAnswer }>(
    guard: IdempotencyGuard<O> | undefined,
    run: () => O,
  ): O | KeyUsed {
    if (guard === undefined) return run();
    const book = this.claims.open([guard.claim]);
    const check = book.check(guard.claim);
    if (check.kind !== 'new') return keyUsed(check);
    const outcome = run();
    const answer = book.settle(guard, outcome, null);
    this.claims.write(book);
    return { ...outcome, answer };
  }

  async deleteExpiredIdempotencyKeys(now: Date, limit: number): Promise<number> {
    return this.writeTransaction(() => this.claims.deleteExpired(expiryCutoff(now), limit));
  }

  /**
   * A write transaction on this connection (BEGIN IMMEDIATE). With a writer
   * thread, it runs in the event loop's write turn (credit-writer.ts).
   */
  private writeTransaction<T>(run: () => T): Promise<T> {
    const transaction = () => this.db.transaction(run).immediate();
    return this.creditWriter === null
      ? Promise.resolve(transaction())
      : this.creditWriter.inWriteTurn(transaction);
  }

  private applyCredit(command: CreditCommand, rows: BatchRows): CreditOutcome {
    const callerRow = rows.byKeyHash(command.keyHash);
    const subRow = rows.byToken(command.tokenSubaccount);
    const caller = callerRow === undefined ? null : toCaller(callerRow);
    const sub =
      subRow === undefined
        ? null
        : {
            id: Number(subRow.id),
            parentId: Number(subRow.parent_id),
            kind: subRow.kind,
            token: subRow.token,
            balanceMicros: subRow.balance,
          };
    const settled = settleCredit(command, caller, sub);
    if (settled.transfer === null) return settled.outcome;
    // The balances are written once per account at the end of the batch (BatchRows).
    this.statements.insertTransfer.run(settled.transfer);
    rows.balanceIs(settled.transfer.mainAccountId, settled.outcome.mainBalanceMicros);
    rows.balanceIs(sub!.id, settled.outcome.subaccountBalanceMicros);
    return settled.outcome;
  }

  /** Appends a transfer and sets both balances to the values it records. */
  private writeTransfer(transfer: TransferInsert): void {
    const s = this.statements;
    s.setBalance.run(transfer.debitBalanceAfterMicros, transfer.debitAccountId);
    s.setBalance.run(transfer.creditBalanceAfterMicros, transfer.creditAccountId);
    s.insertTransfer.run(transfer);
  }

  async createSubaccount(command: CreateSubaccountCommand): Promise<CreateSubaccountOutcome> {
    return this.writeTransaction(() =>
      this.guarded(command.idempotency, () => this.createSubaccountNow(command)),
    );
  }

  private createSubaccountNow(command: CreateSubaccountCommand): CreateSubaccountOutcome {
    const s = this.statements;
    const callerRow = s.accountByKeyHash.get(command.keyHash) as AccountRow | undefined;
    const caller = callerRow === undefined ? null : toCaller(callerRow);
    const callerCode = checkMainCaller(caller);
    if (callerCode !== null) return { ok: false, code: callerCode };
    const credit = command.creditToAttribute;
    const amountCode = credit === null ? null : checkAmount(credit);
    if (amountCode !== null) return { ok: false, code: amountCode };
    if (s.subaccountByEmail.get(caller!.accountId, command.email) !== undefined)
      return { ok: false, code: 23 };
    const amountMicros = credit?.kind === 'positive' ? credit.micros : 0n;
    const fundsCode = amountMicros > 0n ? checkFunds(caller!.balanceMicros, amountMicros) : null;
    if (fundsCode !== null) return { ok: false, code: fundsCode };
    const subId = this.insertSubaccount(caller!.accountId, command);
    if (amountMicros > 0n) {
      this.writeTransfer(
        creditTransfer({
          transferId: command.transferId,
          direction: 'add',
          mainAccountId: caller!.accountId,
          subaccountId: subId,
          subaccountToken: command.token,
          amountMicros,
          mainBalanceMicros: caller!.balanceMicros - amountMicros,
          subaccountBalanceMicros: amountMicros,
          idempotencyKey: command.idempotency?.claim.key ?? null,
          createdAt: command.createdAt,
        }),
      );
    }
    const account = toAccount(s.accountById.get(subId) as AccountRow);
    return {
      ok: true,
      account,
      parentEmail: caller!.email,
      transferId: amountMicros > 0n ? command.transferId : null,
    };
  }

  private insertSubaccount(parentId: number, command: CreateSubaccountCommand): number {
    const { profile } = command;
    const result = this.statements.insertAccount.run({
      kind: 'sub',
      parentId,
      email: command.email,
      token: command.token,
      keyHash: command.subaccountKeyHash,
      type: command.type,
      title: profile.title ?? null,
      firstname: profile.firstname ?? null,
      lastname: profile.lastname ?? null,
      isBuyer: profile.isBuyer === undefined ? null : Number(profile.isBuyer),
      createdAt: command.createdAt.getTime(),
    });
    return Number(result.lastInsertRowid);
  }

  async listSubaccounts(mainAccountId: number, page: number, perPage: number): Promise<SubaccountPage> {
    const s = this.statements;
    const { total } = s.countSubaccounts.get(mainAccountId) as { total: bigint };
    const rows = s.listSubaccounts.all(mainAccountId, perPage, (page - 1) * perPage) as AccountRow[];
    return { total: Number(total), items: rows.map(toAccount) };
  }

  async createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome> {
    return this.writeTransaction(() =>
      this.guarded(command.idempotency, () => this.createMainAccountNow(command)),
    );
  }

  private createMainAccountNow(command: CreateMainAccountCommand): CreateMainAccountOutcome {
    const s = this.statements;
    if (s.mainAccountByEmail.get(command.email) !== undefined) return { ok: false, code: 23 };
    const result = s.insertAccount.run({
      kind: 'main',
      parentId: null,
      email: command.email,
      token: null,
      keyHash: command.keyHash,
      type: null,
      title: null,
      firstname: null,
      lastname: null,
      isBuyer: null,
      createdAt: command.createdAt.getTime(),
    });
    const accountId = Number(result.lastInsertRowid);
    if (command.openingMicros > 0n) {
      this.moveWithFunding({
        kind: 'topup',
        accountId,
        amountMicros: command.openingMicros,
        transferId: command.transferId,
        createdAt: command.createdAt,
        reason: command.reason,
        operator: command.operator,
      });
    }
    return { ok: true, account: toAccount(s.accountById.get(accountId) as AccountRow) };
  }

  async findMainAccountByEmail(email: string): Promise<Account | null> {
    const row = this.statements.mainAccountByEmail.get(email) as AccountRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  async getAccount(accountId: number): Promise<Account | null> {
    const row = this.statements.accountById.get(accountId) as AccountRow | undefined;
    return row === undefined ? null : toAccount(row);
  }

  async operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome> {
    return this.writeTransaction(() =>
      this.guarded(command.idempotency, () => this.moveWithFunding(command)),
    );
  }

  /**
   * A top-up (funding → account) or a charge (account → funding). Top-ups go to
   * main accounts only; charges may hit a main account or a subaccount.
   */
  private moveWithFunding(command: OperatorTransferCommand): OperatorTransferOutcome {
    const s = this.statements;
    const row = s.accountById.get(command.accountId) as AccountRow | undefined;
    const funding = s.fundingAccount.get() as AccountRow;
    if (row === undefined || row.kind === 'funding' || (command.kind === 'topup' && row.kind !== 'main')) {
      return { ok: false, code: 30 };
    }
    const amount = command.amountMicros;
    const topUp = command.kind === 'topup';
    if (!topUp) {
      const fundsCode = checkFunds(row.balance, amount);
      if (fundsCode !== null) return { ok: false, code: fundsCode };
    }
    const accountAfter = topUp ? row.balance + amount : row.balance - amount;
    const fundingAfter = topUp ? funding.balance - amount : funding.balance + amount;
    const transfer: TransferInsert = {
      id: command.transferId,
      kind: command.kind,
      debitAccountId: topUp ? Number(funding.id) : Number(row.id),
      creditAccountId: topUp ? Number(row.id) : Number(funding.id),
      amountMicros: amount,
      debitBalanceAfterMicros: topUp ? fundingAfter : accountAfter,
      creditBalanceAfterMicros: topUp ? accountAfter : fundingAfter,
      mainAccountId: Number(row.kind === 'sub' ? row.parent_id : row.id),
      subaccountId: row.kind === 'sub' ? Number(row.id) : null,
      idempotencyKey: null,
      reason: command.reason,
      operator: command.operator,
      createdAt: command.createdAt,
    };
    this.writeTransfer(transfer);
    return { ok: true, transfer: { ...transfer, subaccountToken: row.kind === 'sub' ? row.token : null } };
  }

  async setStatus(accountId: number, status: AccountStatus, audit?: ActionAudit): Promise<void> {
    const action = status === 'suspended' ? 'suspend' : 'resume';
    await this.writeTransaction(() => {
      const changed = this.statements.setStatus.run(status, accountId).changes > 0;
      if (changed && audit !== undefined) this.listings.recordAction(accountId, action, audit);
    });
  }

  async replaceKey(accountId: number, keyHash: string, audit?: ActionAudit): Promise<void> {
    await this.writeTransaction(() => {
      const changed = this.statements.setKeyHash.run(keyHash, accountId).changes > 0;
      if (changed && audit !== undefined) this.listings.recordAction(accountId, 'rotate-key', audit);
    });
  }

  async listOperatorActions(accountId: number, limit: number): Promise<OperatorAction[]> {
    return this.listings.listOperatorActions(accountId, limit);
  }

  async getTransfer(transferId: string): Promise<Transfer | null> {
    const row = this.statements.transferById.get(transferId) as TransferRow | undefined;
    return row === undefined ? null : toTransfer(row);
  }

  async listMainAccounts(query: MainAccountQuery): Promise<MainAccountPage> {
    return this.listings.listMainAccounts(query);
  }

  async countSubaccounts(mainAccountId: number): Promise<number> {
    return this.listings.countSubaccounts(mainAccountId);
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
}

/**
 * The account rows one group-commit transaction reads, each read once: the
 * transaction holds the database's write lock from its first statement, so no
 * one else can change them meanwhile, and the transaction's own transfers
 * update the kept balances. The reseller's row (the same key on every command
 * of a batch) is read once per batch instead of once per transfer, and each
 * moved balance is written once, before the commit, with its final value.
 */
class BatchRows {
  private readonly idByKeyHash = new Map<string, number | null>();
  private readonly idByToken = new Map<string, number | null>();
  private readonly byId = new Map<number, AccountRow>();
  private readonly moved = new Set<number>();

  constructor(private readonly statements: Statements) {}

  byKeyHash(keyHash: string): AccountRow | undefined {
    return this.lookup(this.idByKeyHash, keyHash, this.statements.accountByKeyHash);
  }

  byToken(token: string): AccountRow | undefined {
    return this.lookup(this.idByToken, token, this.statements.accountByToken);
  }

  /** A transfer of this transaction moved the account's balance to `balanceMicros`. */
  balanceIs(accountId: number, balanceMicros: bigint): void {
    const row = this.byId.get(accountId);
    if (row === undefined) throw new Error(`account ${accountId} moved without being read in this batch`);
    this.byId.set(accountId, { ...row, balance: balanceMicros });
    this.moved.add(accountId);
  }

  /** Before the commit: each moved account's final balance, one UPDATE per account per batch. */
  writeBalances(): void {
    for (const id of this.moved) this.statements.setBalance.run(this.byId.get(id)!.balance, id);
    this.moved.clear();
  }

  private lookup(
    ids: Map<string, number | null>,
    value: string,
    statement: Statements['accountByToken'],
  ): AccountRow | undefined {
    const known = ids.get(value);
    if (known === null) return undefined;
    if (known !== undefined) return this.byId.get(known);
    const row = statement.get(value) as AccountRow | undefined;
    if (row === undefined) {
      ids.set(value, null);
      return undefined;
    }
    const id = Number(row.id);
    ids.set(value, id);
    // A row read earlier in this transaction is the current one (its balance may have moved since).
    const kept = this.byId.get(id);
    if (kept !== undefined) return kept;
    this.byId.set(id, row);
    return row;
  }
}

/**
 * Opens (creating if needed) the SQLite file with the durability settings of
 * the contract: WAL, and synchronous=FULL so an acknowledged transfer has been
 * fsynced. Runs the migrations. With `creditThread` (the server's choice,
 * open-store.ts), credit/add and credit/remove commit on a writer thread with
 * its own connection to the file (credit-writer.ts), off the event loop.
 */
export function openSqliteStore(path: string, options: { creditThread?: boolean } = {}): SqliteStore {
  const db = openSqliteDatabase(path);
  migrate(db);
  const thread = options.creditThread === true && path !== ':memory:' && path !== '';
  return new SqliteStore(db, thread ? new ThreadCreditWriter(path) : null);
}

/** A connection with the store's settings; the caller migrates (or knows it was). */
export function openSqliteDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.defaultSafeIntegers(true);
  return db;
}
