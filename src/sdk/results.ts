import type { AccountStatus, SubaccountType } from '../domain/accounts.js';
import type { Direction, TransferKind } from '../domain/transfers.js';
import { parseAnswer } from './answer.js';
import type { CodeOf, OperationName } from './operations.js';
import { TirelireProtocolError, type RawAnswer } from './transport.js';

/** Money is exact decimal text everywhere in the SDK, in and out: `"2869.2"`, `"12.500"`. */
export type Money = string;

interface AnswerMeta {
  /** The HTTP status. */
  readonly status: number;
  /** The server's `x-request-id`, to quote when asking about a request. */
  readonly requestId: string | null;
  /** The Idempotency-Key sent (POST only), the same for every retry of the call. */
  readonly idempotencyKey: string | null;
  /** The server answered from its idempotency record: this call moved nothing new. */
  readonly replayed: boolean;
  readonly attempts: number;
}

export type Success<T> = { readonly ok: true; readonly code: 200 } & AnswerMeta & T;
export type Failure<C extends number> = {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
} & AnswerMeta;

/** What an operation answers: its data, or one of the codes it is documented to answer. */
export type Result<K extends OperationName, T> = Success<T> | Failure<CodeOf<K>>;

export interface CreditMove {
  /** The main account's balance after the transfer. */
  readonly credit: Money;
  /** The subaccount's balance after the transfer. */
  readonly subaccountCredit: Money;
  readonly currency: 'EUR';
  readonly transferId: string;
}

export interface BatchOperation {
  readonly direction: Direction;
  readonly tokenSubaccount: string;
  readonly credit: Money;
}

export interface BatchItemResult {
  readonly success: boolean;
  readonly code: number;
  readonly message?: string;
  readonly credit?: Money;
  readonly subaccountCredit?: Money;
  readonly transferId?: string;
}

export interface BatchAnswer {
  readonly results: readonly BatchItemResult[];
  /** The main account's balance after the batch. */
  readonly credit: Money;
}

export interface CreatedSubaccount {
  readonly subaccount: { readonly email: string; readonly token: string; readonly apiKey?: string };
  readonly parent_email: string;
  readonly transferId?: string;
}

export interface SubaccountListItem {
  readonly id: number;
  readonly email: string;
  readonly type: SubaccountType;
  readonly token: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly createdAt: string;
  readonly credits: { readonly balance: Money; readonly currency: 'EUR' };
}

export interface SubaccountList {
  readonly total: number;
  readonly nb_per_page: number;
  readonly page: number;
  readonly data: readonly SubaccountListItem[];
}

export interface Me {
  readonly user: { readonly username: string };
  readonly credits: { readonly balance: Money; readonly currency: 'EUR' };
}

export interface HistoryTransfer {
  readonly id: string;
  /** The caller's add and remove, and the operator's topup and charge. */
  readonly direction: TransferKind;
  readonly tokenSubaccount: string | null;
  readonly amount: Money;
  /** The main account's balance after it; null when it did not touch the main account. */
  readonly credit: Money | null;
  readonly subaccountCredit: Money | null;
  /** ISO-8601, UTC. */
  readonly createdAt: string;
  readonly idempotencyKey: string | null;
}

export interface Page<T> {
  readonly data: readonly T[];
  /** Pass it back as `cursor` for the next (older) page; null on the last. */
  readonly nextCursor: string | null;
}

export interface CsvPage {
  readonly csv: string;
  /** From `X-Next-Cursor`: more rows follow; null when this export was the last. */
  readonly nextCursor: string | null;
}

export interface Health {
  readonly status: string;
  readonly store?: 'sqlite' | 'postgres';
}

export interface Account {
  readonly id: number;
  readonly email: string;
  readonly status: AccountStatus;
  readonly balance: Money;
  readonly subaccountCount: number;
  /** ISO-8601, UTC. */
  readonly createdAt: string;
}

export interface Subaccount {
  readonly id: number;
  readonly email: string;
  readonly token: string;
  readonly type: SubaccountType;
  readonly balance: Money;
  readonly createdAt: string;
}

export interface Transfer {
  readonly id: string;
  readonly kind: TransferKind;
  readonly amount: Money;
  /** The main account whose history shows it. */
  readonly accountId: number;
  readonly tokenSubaccount: string | null;
  readonly debitAccountId: number;
  readonly creditAccountId: number;
  readonly mainBalanceAfter: Money | null;
  readonly subaccountBalanceAfter: Money | null;
  readonly reason: string | null;
  readonly operator: string | null;
  readonly idempotencyKey: string | null;
  readonly createdAt: string;
}

export interface CreatedAccount {
  readonly account: Account;
  /** The new account's key: shown this once. */
  readonly apiKey: string;
  readonly transferId: string | null;
}

/** A suspend, resume or rotate-key, kept forever in the account's audit trail. */
export interface OperatorAction {
  readonly id: number;
  readonly action: 'suspend' | 'resume' | 'rotate-key';
  readonly operator: string;
  readonly reason: string | null;
  readonly createdAt: string;
}

export interface AccountDetail {
  readonly account: Account;
  readonly subaccounts: readonly Subaccount[];
  /** The latest 100, newest first. */
  readonly actions: readonly OperatorAction[];
}

export interface MovedCredit {
  readonly transfer: Transfer;
  readonly account: Account;
}

/** Turns a raw answer into a typed result: the envelope's `code` decides success. */
export function toResult<K extends OperationName, T>(answer: RawAnswer): Result<K, T> {
  const body = parseAnswer(answer.text);
  if (typeof body !== 'object' || body === null || typeof (body as { code?: unknown }).code !== 'number') {
    throw new TirelireProtocolError(`HTTP ${answer.status} without a Tirelire answer`, answer.status);
  }
  // `success` is restated as `ok`, the discriminant of the result.
  const fields: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  delete fields['success'];
  return { ...fields, ...meta(answer), ok: fields['code'] === 200 } as unknown as Result<K, T>;
}

/** A CSV export: the text on success, else the JSON refusal. */
export function toCsvResult<K extends OperationName>(answer: RawAnswer): Result<K, CsvPage> {
  if (answer.status === 200 && (answer.headers.get('content-type') ?? '').startsWith('text/csv')) {
    const csv = { csv: answer.text, nextCursor: answer.headers.get('x-next-cursor') };
    return { ...csv, ...meta(answer), ok: true, code: 200 } as Result<K, CsvPage>;
  }
  return toResult<K, CsvPage>(answer);
}

function meta(answer: RawAnswer): AnswerMeta {
  return {
    status: answer.status,
    requestId: answer.headers.get('x-request-id'),
    idempotencyKey: answer.idempotencyKey,
    replayed: answer.headers.get('idempotent-replayed') === 'true',
    attempts: answer.attempts,
  };
}
