import type { Language } from './i18n.js';

// The shapes of docs/admin-api.md. Money stays the API's exact decimal text.
export interface Account {
  id: number;
  email: string;
  status: 'active' | 'suspended';
  balance: string;
  subaccountCount: number;
  createdAt: string;
}

export interface Subaccount {
  id: number;
  email: string;
  token: string;
  type: 'simple' | 'advanced';
  balance: string;
  createdAt: string;
}

/** One entry of an account's append-only operator audit trail (suspend, resume, rotate-key). */
export interface OperatorAction {
  id: number;
  action: 'suspend' | 'resume' | 'rotate-key';
  operator: string;
  reason: string | null;
  createdAt: string;
}

export type TransferKind = 'add' | 'remove' | 'topup' | 'charge';

export interface Transfer {
  id: string;
  kind: TransferKind;
  amount: string;
  accountId: number;
  tokenSubaccount: string | null;
  mainBalanceAfter: string | null;
  subaccountBalanceAfter: string | null;
  reason: string | null;
  operator: string | null;
  createdAt: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TransferFilter {
  accountId: number;
  tokenSubaccount?: string;
  since?: string;
  until?: string;
}

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

/** The operator API at /admin/v1, from the page's own origin. */
export class AdminApi {
  constructor(
    private readonly session: Session,
    private readonly language: () => Language,
  ) {}

  listAccounts(search: string, cursor: string | null): Promise<Page<Account>> {
    return this.get(`/accounts${query({ search, limit: '50', cursor })}`);
  }

  getAccount(
    id: number,
  ): Promise<{ account: Account; subaccounts: Subaccount[]; actions?: OperatorAction[] }> {
    return this.get(`/accounts/${id}`);
  }

  createAccount(email: string, credit: string, reason: string) {
    return this.post<{ account: Account; apiKey: string; transferId: string | null }>(
      '/accounts',
      dropEmpty({ email, credit, reason }),
    );
  }

  topUp(id: number, credit: string, reason: string) {
    return this.post<{ transfer: Transfer; account: Account }>(
      `/accounts/${id}/topup`,
      dropEmpty({ credit, reason }),
    );
  }

  charge(id: number, credit: string, reason: string, tokenSubaccount: string) {
    return this.post<{ transfer: Transfer; account: Account }>(
      `/accounts/${id}/charge`,
      dropEmpty({ credit, reason, tokenSubaccount }),
    );
  }

  /** The reason is optional: without one, no body is sent. */
  suspend(id: number, reason: string) {
    return this.post<{ account: Account }>(`/accounts/${id}/suspend`, optionalBody({ reason }));
  }

  resume(id: number, reason: string) {
    return this.post<{ account: Account }>(`/accounts/${id}/resume`, optionalBody({ reason }));
  }

  listTransfers(filter: TransferFilter, limit: number, cursor: string | null): Promise<Page<Transfer>> {
    return this.get(`/transfers${transferQuery(filter, limit, cursor)}`);
  }

  /** The same history as CSV; the page turns it into a download link. */
  async transfersCsv(filter: TransferFilter): Promise<Blob> {
    const response = await this.send(`/transfers${transferQuery(filter, 0, null)}`, {
      headers: { Accept: 'text/csv' },
    });
    return response.blob();
  }

  private async get<T>(path: string): Promise<T> {
    const response = await this.send(path, { headers: { Accept: 'application/json' } });
    return (await response.json()) as T;
  }

  private async post<T>(path: string, body: Record<string, string> | undefined): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      // A retried click must not move money twice (contract, section 4).
      'Idempotency-Key': crypto.randomUUID(),
    };
    const init: RequestInit = { method: 'POST', headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await this.send(path, init);
    return (await response.json()) as T;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.session.token}`);
    headers.set('Accept-Language', this.language());
    if (this.session.operator !== '') headers.set('X-Operator', this.session.operator);
    let response: Response;
    try {
      response = await fetch(`/admin/v1${path}`, { ...init, headers, cache: 'no-store' });
    } catch {
      throw new ApiError(null, 0, '');
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: unknown; message?: unknown };
    if (typeof body.code === 'number' && typeof body.message === 'string') {
      return new ApiError(body.code, response.status, body.message);
    }
  } catch {
    // Not the API's JSON envelope (a proxy's page, say): the page words it.
  }
  return new ApiError(null, response.status, '');
}

function transferQuery(filter: TransferFilter, limit: number, cursor: string | null): string {
  return query({
    accountId: String(filter.accountId),
    tokenSubaccount: filter.tokenSubaccount,
    since: filter.since,
    until: filter.until,
    limit: limit > 0 ? String(limit) : undefined,
    cursor,
  });
}

/** A query string from the fields that have a value. */
export function query(fields: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function optionalBody(fields: Record<string, string>): Record<string, string> | undefined {
  const body = dropEmpty(fields);
  return Object.keys(body).length === 0 ? undefined : body;
}

function dropEmpty(fields: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value.trim() !== ''));
}
