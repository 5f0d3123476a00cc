import type { TransferKind } from '../domain/transfers.js';
import { BaseClient, dateText } from './client.js';
import type {
  AccountDetail,
  CreatedAccount,
  CsvPage,
  Money,
  MovedCredit,
  Page,
  Result,
  Account,
  Transfer,
} from './results.js';
import type { CallOptions, ClientOptions } from './transport.js';

export interface TirelireAdminClientOptions extends ClientOptions {
  /** TIRELIRE_ADMIN_TOKEN. */
  readonly token: string;
  /** Recorded with every action (`X-Operator`, 1–64 printable ASCII characters); the server says `operator` when absent. */
  readonly operator?: string;
}

export interface TransferFilter {
  /** A main account: its own transfers and its subaccounts'. */
  readonly accountId?: number;
  readonly tokenSubaccount?: string;
  readonly kind?: TransferKind;
  readonly since?: string | Date;
  readonly until?: string | Date;
  readonly limit?: number;
  readonly cursor?: string;
}

/** Suspend, resume, rotate-key: why, kept in the audit trail. */
export interface ActionInput {
  readonly reason?: string;
}

/** The operator API `/admin/v1` (docs/admin-api.md), with the same results typed by code. */
export class TirelireAdminClient extends BaseClient {
  private readonly token: string;
  private readonly operator: string | undefined;

  constructor(options: TirelireAdminClientOptions) {
    super(options);
    this.token = options.token;
    this.operator = options.operator;
  }

  protected authHeaders(): Record<string, string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (this.operator !== undefined) headers['x-operator'] = this.operator;
    return headers;
  }

  listAccounts(
    input: { readonly search?: string; readonly limit?: number; readonly cursor?: string } = {},
    call?: CallOptions,
  ): Promise<Result<'adminListAccounts', Page<Account>>> {
    return this.call('adminListAccounts', { query: { ...input }, call });
  }

  createAccount(
    input: { readonly email: string; readonly credit?: Money; readonly reason?: string },
    call?: CallOptions,
  ): Promise<Result<'adminCreateAccount', CreatedAccount>> {
    return this.call('adminCreateAccount', { body: { ...input }, call });
  }

  getAccount(id: number, call?: CallOptions): Promise<Result<'adminGetAccount', AccountDetail>> {
    return this.call('adminGetAccount', { params: { id }, call });
  }

  topUp(
    id: number,
    input: { readonly credit: Money; readonly reason?: string },
    call?: CallOptions,
  ): Promise<Result<'adminTopUp', MovedCredit>> {
    return this.call('adminTopUp', { params: { id }, body: { ...input }, call });
  }

  /** Charges the subaccount `tokenSubaccount` of account `id` when given, else the main account itself. */
  charge(
    id: number,
    input: { readonly credit: Money; readonly reason?: string; readonly tokenSubaccount?: string },
    call?: CallOptions,
  ): Promise<Result<'adminCharge', MovedCredit>> {
    return this.call('adminCharge', { params: { id }, body: { ...input }, call });
  }

  /** `reason` is kept in the account's audit trail with the operator's name. */
  suspend(
    id: number,
    input: ActionInput = {},
    call?: CallOptions,
  ): Promise<Result<'adminSuspend', { readonly account: Account }>> {
    return this.call('adminSuspend', { params: { id }, body: { ...input }, call });
  }

  resume(
    id: number,
    input: ActionInput = {},
    call?: CallOptions,
  ): Promise<Result<'adminResume', { readonly account: Account }>> {
    return this.call('adminResume', { params: { id }, body: { ...input }, call });
  }

  /** A new key for the account; the old one is refused from the next request on. */
  rotateKey(
    id: number,
    input: ActionInput = {},
    call?: CallOptions,
  ): Promise<Result<'adminRotateKey', { readonly account: Account; readonly apiKey: string }>> {
    return this.call('adminRotateKey', { params: { id }, body: { ...input }, call });
  }

  listTransfers(
    filter: TransferFilter = {},
    call?: CallOptions,
  ): Promise<Result<'adminListTransfers', Page<Transfer>>> {
    return this.call('adminListTransfers', { query: transferQuery(filter), call });
  }

  exportTransfersCsv(
    filter: TransferFilter = {},
    call?: CallOptions,
  ): Promise<Result<'adminListTransfers', CsvPage>> {
    return this.csv('adminListTransfers', { query: transferQuery(filter), call });
  }
}

function transferQuery(filter: TransferFilter) {
  return {
    accountId: filter.accountId,
    tokenSubaccount: filter.tokenSubaccount,
    kind: filter.kind,
    since: dateText(filter.since),
    until: dateText(filter.until),
    limit: filter.limit,
    cursor: filter.cursor,
  };
}
