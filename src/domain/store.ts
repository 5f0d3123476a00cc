import type {
  Account,
  Caller,
  CreateMainAccountCommand,
  CreateSubaccountCommand,
  AccountStatus,
  SubaccountPage,
} from './accounts.js';
import type { ErrorCode } from './errors.js';
import type { MainAccountPage, MainAccountQuery, TransferFilter, TransferPage } from './pages.js';
import type { CreditCommand, CreditOutcome, OperatorTransferCommand, Transfer } from './transfers.js';
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

  authenticate(keyHash: string): Promise<Caller | null>;

  /**
   * Applies credit commands in one transaction, in order, each decided on its
   * own (one failing its balance check does not fail the others): this is
   * what group commit calls.
   */
  applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]>;

  createSubaccount(command: CreateSubaccountCommand): Promise<CreateSubaccountOutcome>;
  listSubaccounts(mainAccountId: number, page: number, perPage: number): Promise<SubaccountPage>;

  createMainAccount(command: CreateMainAccountCommand): Promise<CreateMainAccountOutcome>;
  findMainAccountByEmail(email: string): Promise<Account | null>;
  getAccount(accountId: number): Promise<Account | null>;
  operatorTransfer(command: OperatorTransferCommand): Promise<OperatorTransferOutcome>;
  setStatus(accountId: number, status: AccountStatus): Promise<void>;
  /** Replaces an account's key: the old one is refused from the next request on. */
  replaceKey(accountId: number, keyHash: string): Promise<void>;

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

export type CreateSubaccountOutcome =
  | {
      readonly ok: true;
      readonly account: Account;
      readonly parentEmail: string;
      /** The opening add, when `creditToAttribute` was given. */
      readonly transferId: string | null;
    }
  | { readonly ok: false; readonly code: ErrorCode };

export type CreateMainAccountOutcome =
  { readonly ok: true; readonly account: Account } | { readonly ok: false; readonly code: ErrorCode };

export type OperatorTransferOutcome =
  { readonly ok: true; readonly transfer: Transfer } | { readonly ok: false; readonly code: ErrorCode };

/** Thrown by a store when its database cannot be reached; the HTTP layer answers 503. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
