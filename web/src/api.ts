import {
  TirelireAdminClient,
  TirelireNetworkError,
  TirelireProtocolError,
  type OperationName,
  type Result,
  type RulesInput,
  type TransferFilter,
} from 'tirelire-client';
import type { Language } from './i18n.js';

// The console speaks to the operator API through the SDK, so it reads the
// very shapes the server writes (packages/client/src/shapes.ts). Money stays exact text.
export type {
  Account,
  DeliveryAttempt,
  Event,
  FoundSubaccount,
  Hold,
  OperatorAction,
  Rules,
  RulesInput,
  Subaccount,
  Transfer,
  TransferFilter,
  Webhook,
} from 'tirelire-client';

/** The holds list's page size on the account page. */
const HOLDS_PAGE_SIZE = 50;

/** The accounts list's page size. */
const ACCOUNTS_PAGE_SIZE = 50;

/** The subaccounts one search page brings at most. */
const SUBACCOUNTS_PAGE_SIZE = 50;

/**
 * A refusal from the API, carrying its code and its message in the asked
 * language, or a failure to reach it (code null) whose words the page supplies.
 */
export class ApiError extends Error {
  constructor(
    readonly code: number | null,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Session {
  /** The operator token; it lives only in this object, never in storage or a URL. */
  readonly token: string;
  readonly operator: string;
}

/** The operator API at /admin/v1, from the page's own origin; a refusal or a failure throws ApiError. */
export class AdminApi {
  constructor(
    private readonly session: Session,
    private readonly language: () => Language,
  ) {}

  listAccounts(search: string, cursor: string | null, limit = ACCOUNTS_PAGE_SIZE) {
    return this.read(this.client().listAccounts({ ...given({ search }), limit, ...cursorOf(cursor) }));
  }

  getAccount(id: number) {
    return this.read(this.client().getAccount(id));
  }

  createAccount(email: string, credit: string, reason: string) {
    return this.read(this.client().createAccount({ email, ...given({ credit, reason }) }));
  }

  topUp(id: number, credit: string, reason: string) {
    return this.read(this.client().topUp(id, { credit, ...given({ reason }) }));
  }

  charge(id: number, credit: string, reason: string, tokenSubaccount: string) {
    return this.read(this.client().charge(id, { credit, ...given({ reason, tokenSubaccount }) }));
  }

  /** The reason is optional. */
  suspend(id: number, reason: string) {
    return this.read(this.client().suspend(id, given({ reason })));
  }

  resume(id: number, reason: string) {
    return this.read(this.client().resume(id, given({ reason })));
  }

  /** A new API key for the account; the old one is refused from then on. */
  rotateKey(id: number, reason: string) {
    return this.read(this.client().rotateKey(id, given({ reason })));
  }

  /** A subaccount of account `id`, as its owner's /v1 create makes it; an advanced one's key is in the answer once. */
  createSubaccount(id: number, input: { type: 'simple' | 'advanced'; email: string; credit: string }) {
    const parameters = { email: input.email.trim(), ...renamed(given({ credit: input.credit })) };
    return this.read(this.client().createSubaccount(id, { type: input.type, parameters }));
  }

  /** Subaccounts of every account whose email contains `search`, or whose token it is. */
  searchSubaccounts(search: string, cursor: string | null) {
    return this.read(
      this.client().searchSubaccounts({ search, limit: SUBACCOUNTS_PAGE_SIZE, ...cursorOf(cursor) }),
    );
  }

  /** Sets the rules of the account or of its subaccount `tokenSubaccount` ('' for the account). */
  setRules(id: number, tokenSubaccount: string, rules: RulesInput) {
    return this.read(this.client().setRules(id, { ...given({ tokenSubaccount }), ...rules }));
  }

  listHolds(id: number, cursor: string | null) {
    return this.read(this.client().listHolds(id, { limit: HOLDS_PAGE_SIZE, ...cursorOf(cursor) }));
  }

  /** A blank amount captures the whole hold. */
  capture(holdId: string, credit: string) {
    return this.read(this.client().capture(holdId, given({ credit })));
  }

  void(holdId: string) {
    return this.read(this.client().void(holdId));
  }

  listTransfers(filter: TransferFilter, limit: number, cursor: string | null) {
    return this.read(this.client().listTransfers({ ...filter, limit, ...cursorOf(cursor) }));
  }

  /** The tree's events, oldest first, after a sequence. */
  listEvents(accountId: number, after: number, limit: number) {
    return this.read(this.client().listEvents(accountId, { after, limit }));
  }

  /** The account's webhook endpoints. */
  listWebhooks(accountId: number) {
    return this.read(this.client().listWebhooks({ accountId }));
  }

  listDeliveries(webhookId: string, limit: number) {
    return this.read(this.client().listWebhookDeliveries(webhookId, { limit }));
  }

  resend(webhookId: string, eventId: string) {
    return this.read(this.client().resendWebhookEvent(webhookId, eventId));
  }

  /** The whole filtered history as CSV; the page turns it into a download link. */
  async transfersCsv(filter: TransferFilter): Promise<Blob> {
    const { csv } = await this.read(this.client().exportTransfersCsv(filter));
    return new Blob([csv], { type: 'text/csv' });
  }

  /**
   * A client per call: the language may change between two calls. The page
   * shows a failure at once and the operator decides whether to try again,
   * so nothing is retried behind the operator's back.
   */
  private client(): TirelireAdminClient {
    const { token, operator } = this.session;
    return new TirelireAdminClient({ ...this.options(), token, ...(operator === '' ? {} : { operator }) });
  }

  private options() {
    return {
      baseUrl: location.origin,
      language: this.language(),
      retry: { retries: 0 },
      fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, cache: 'no-store' }),
    };
  }

  private async read<K extends OperationName, T>(pending: Promise<Result<K, T>>) {
    let result: Result<K, T>;
    try {
      result = await pending;
    } catch (error) {
      if (error instanceof TirelireNetworkError) throw new ApiError(null, 0, '');
      // Not the API's JSON envelope (a proxy's page, say): the page words it.
      if (error instanceof TirelireProtocolError) throw new ApiError(null, error.status, '');
      throw error;
    }
    if (!result.ok) throw new ApiError(result.code, result.status, result.message);
    return result;
  }
}

/** The fields that are not blank: an optional field left empty is not sent. */
function given<K extends string>(fields: Record<K, string>): Partial<Record<K, string>> {
  const entries = Object.entries<string>(fields).filter(([, value]) => value.trim() !== '');
  return Object.fromEntries(entries) as Partial<Record<K, string>>;
}

/** The public API calls an opening credit `creditToAttribute`. */
function renamed(fields: { credit?: string }): { creditToAttribute?: string } {
  return fields.credit === undefined ? {} : { creditToAttribute: fields.credit };
}

function cursorOf(cursor: string | null): { cursor?: string } {
  return cursor === null ? {} : { cursor };
}
