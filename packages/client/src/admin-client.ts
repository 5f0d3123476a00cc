import {
  BaseClient,
  dateText,
  eventQuery,
  subaccountBody,
  webhookBody,
  type DeliveryPageInput,
  type EventFilter,
  type RulesInput,
  type SubaccountInput,
  type WebhookInput,
} from './client.js';
import type { CsvPage, Money, Result, TransferKind } from './results.js';
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

export interface HoldInput {
  readonly credit: Money;
  /** Hold on this subaccount of the account instead of the account itself. */
  readonly tokenSubaccount?: string;
  readonly reason?: string;
  /** Whole seconds, 1–604800; 3600 when absent. */
  readonly expiresIn?: number;
}

export interface HoldFilter {
  readonly status?: 'pending' | 'captured' | 'voided' | 'expired';
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
  ): Promise<Result<'adminListAccounts'>> {
    return this.call('adminListAccounts', { query: { ...input }, call });
  }

  createAccount(
    input: { readonly email: string; readonly credit?: Money; readonly reason?: string },
    call?: CallOptions,
  ): Promise<Result<'adminCreateAccount'>> {
    return this.call('adminCreateAccount', { body: { ...input }, call });
  }

  getAccount(id: number, call?: CallOptions): Promise<Result<'adminGetAccount'>> {
    return this.call('adminGetAccount', { params: { id }, call });
  }

  topUp(
    id: number,
    input: { readonly credit: Money; readonly reason?: string },
    call?: CallOptions,
  ): Promise<Result<'adminTopUp'>> {
    return this.call('adminTopUp', { params: { id }, body: { ...input }, call });
  }

  /** Charges the subaccount `tokenSubaccount` of account `id` when given, else the main account itself. */
  charge(
    id: number,
    input: { readonly credit: Money; readonly reason?: string; readonly tokenSubaccount?: string },
    call?: CallOptions,
  ): Promise<Result<'adminCharge'>> {
    return this.call('adminCharge', { params: { id }, body: { ...input }, call });
  }

  /** `reason` is kept in the account's audit trail with the operator's name. */
  suspend(id: number, input: ActionInput = {}, call?: CallOptions): Promise<Result<'adminSuspend'>> {
    return this.call('adminSuspend', { params: { id }, body: { ...input }, call });
  }

  resume(id: number, input: ActionInput = {}, call?: CallOptions): Promise<Result<'adminResume'>> {
    return this.call('adminResume', { params: { id }, body: { ...input }, call });
  }

  /** A new key for the account; the old one is refused from the next request on. */
  rotateKey(id: number, input: ActionInput = {}, call?: CallOptions): Promise<Result<'adminRotateKey'>> {
    return this.call('adminRotateKey', { params: { id }, body: { ...input }, call });
  }

  /** The rules of account `id`, or of its subaccount `tokenSubaccount`. */
  getRules(
    id: number,
    input: { readonly tokenSubaccount?: string } = {},
    call?: CallOptions,
  ): Promise<Result<'adminGetRules'>> {
    return this.call('adminGetRules', { params: { id }, query: { ...input }, call });
  }

  /** Sets the rules given, removes those given as null (`autoTopup` on subaccounts only). */
  setRules(
    id: number,
    input: { readonly tokenSubaccount?: string } & RulesInput,
    call?: CallOptions,
  ): Promise<Result<'adminSetRules'>> {
    return this.call('adminSetRules', { params: { id }, body: { ...input }, call });
  }

  /**
   * Creates a subaccount of account `id`, as its owner's `createSubaccount`
   * does (same parameters, same rules). An advanced subaccount's key is
   * `apiKey` in this answer only.
   */
  createSubaccount(
    id: number,
    input: SubaccountInput = {},
    call?: CallOptions,
  ): Promise<Result<'adminCreateSubaccount'>> {
    return this.call('adminCreateSubaccount', { params: { id }, body: subaccountBody(input), call });
  }

  /**
   * Subaccounts of every main account, newest first: those whose email
   * contains `search` (case-insensitive), or the one whose token is `search`.
   * A page examines a bounded number of subaccounts, so it may hold fewer than
   * `limit`, none even, and still have a `nextCursor`.
   */
  searchSubaccounts(
    input: { readonly search?: string; readonly limit?: number; readonly cursor?: string } = {},
    call?: CallOptions,
  ): Promise<Result<'adminSearchSubaccounts'>> {
    return this.call('adminSearchSubaccounts', { query: { ...input }, call });
  }

  /** Closes a subaccount of account `id`: its balance back to the account, its history kept. */
  closeSubaccount(
    id: number,
    tokenSubaccount: string,
    call?: CallOptions,
  ): Promise<Result<'adminCloseSubaccount'>> {
    return this.call('adminCloseSubaccount', { params: { id, token: tokenSubaccount }, call });
  }

  /** Reserves credit on account `id` (or its subaccount `tokenSubaccount`) until captured, voided or expired. */
  hold(id: number, input: HoldInput, call?: CallOptions): Promise<Result<'adminPlaceHold'>> {
    return this.call('adminPlaceHold', { params: { id }, body: { ...input }, call });
  }

  /** Charges `credit` of a pending hold (the whole hold when absent) and releases the rest. */
  capture(
    holdId: string,
    input: { readonly credit?: Money } = {},
    call?: CallOptions,
  ): Promise<Result<'adminCaptureHold'>> {
    return this.call('adminCaptureHold', { params: { holdId }, body: { ...input }, call });
  }

  /** Releases a pending hold. */
  void(holdId: string, call?: CallOptions): Promise<Result<'adminVoidHold'>> {
    return this.call('adminVoidHold', { params: { holdId }, call });
  }

  getHold(holdId: string, call?: CallOptions): Promise<Result<'adminGetHold'>> {
    return this.call('adminGetHold', { params: { holdId }, call });
  }

  /** The holds of account `id`'s tree, newest first. */
  listHolds(id: number, filter: HoldFilter = {}, call?: CallOptions): Promise<Result<'adminListHolds'>> {
    return this.call('adminListHolds', { query: { accountId: id, ...filter }, call });
  }

  /**
   * Every transfer of the platform, newest first, filtered. A page filtered by
   * what its index does not hold (`since`, `until`, `kind` add or remove, a
   * kind without `accountId`) reads a bounded number of transfers, so it may
   * hold fewer than `limit`, none even, and still have a `nextCursor`.
   */
  listTransfers(filter: TransferFilter = {}, call?: CallOptions): Promise<Result<'adminListTransfers'>> {
    return this.call('adminListTransfers', { query: transferQuery(filter), call });
  }

  exportTransfersCsv(
    filter: TransferFilter = {},
    call?: CallOptions,
  ): Promise<Result<'adminListTransfers', CsvPage>> {
    return this.csv('adminListTransfers', { query: transferQuery(filter), call });
  }

  /** A main account's tree's events, oldest first, after `after`. */
  listEvents(
    accountId: number,
    filter: EventFilter = {},
    call?: CallOptions,
  ): Promise<Result<'adminListEvents'>> {
    return this.call('adminListEvents', { query: { accountId, ...eventQuery(filter) }, call });
  }

  /** An operator's endpoint: it receives every tree's events. Its secret is in this answer only. */
  createWebhook(input: WebhookInput, call?: CallOptions): Promise<Result<'adminCreateWebhook'>> {
    return this.call('adminCreateWebhook', { body: webhookBody(input), call });
  }

  /** The operator's endpoints, or with `accountId` that main account's. */
  listWebhooks(
    input: { readonly accountId?: number } = {},
    call?: CallOptions,
  ): Promise<Result<'adminListWebhooks'>> {
    return this.call('adminListWebhooks', { query: { ...input }, call });
  }

  deleteWebhook(id: string, call?: CallOptions): Promise<Result<'adminDeleteWebhook'>> {
    return this.call('adminDeleteWebhook', { params: { id }, call });
  }

  rotateWebhookSecret(id: string, call?: CallOptions): Promise<Result<'adminRotateWebhookSecret'>> {
    return this.call('adminRotateWebhookSecret', { params: { id }, body: {}, call });
  }

  listWebhookDeliveries(
    id: string,
    input: DeliveryPageInput = {},
    call?: CallOptions,
  ): Promise<Result<'adminListWebhookDeliveries'>> {
    return this.call('adminListWebhookDeliveries', { params: { id }, query: { ...input }, call });
  }

  resendWebhookEvent(
    id: string,
    eventId: string,
    call?: CallOptions,
  ): Promise<Result<'adminResendWebhookEvent'>> {
    return this.call('adminResendWebhookEvent', { params: { id }, body: { eventId }, call });
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
