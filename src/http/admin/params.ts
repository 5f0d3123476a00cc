import type { FastifyRequest } from 'fastify';
import { MAX_EMAIL_LENGTH } from '../../domain/email.js';
import type { ErrorCode } from '../../domain/errors.js';
import { decodeCursor } from '../../domain/pages.js';
import type { TransferKind } from '../../domain/transfers.js';
import { DEFAULT_OPERATOR_NAME } from '../../app/operator.js';
import type { Fields } from '../body.js';
import {
  DEFAULT_TRANSFER_PAGE,
  MAX_TOKEN_LENGTH,
  MAX_TRANSFER_CSV_PAGE,
  MAX_TRANSFER_PAGE,
} from '../bounds.js';
import { CSV_STREAM_PAGE_SIZE } from '../csv.js';
import { readField } from '../fields.js';

/**
 * Reading the operator API's inputs. Each reader returns the value or the
 * code that refuses it; every input is bounded (see bounds.ts for the public
 * API's bounds, which these follow).
 */
export type Read<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly param?: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
/** A refusal; a code 22 names its parameter (answered as `param`). */
export const refuse = (code: ErrorCode, param?: string) =>
  (param === undefined ? { ok: false, code } : { ok: false, code, param }) as Read<never>;

type Values<T> = { -readonly [K in keyof T]: T[K] extends Read<infer V> ? V : never };

/** Reads several inputs in order: the first refusal wins, like the contract's error order. */
export function readAll<T extends readonly Read<unknown>[]>(...reads: T): Read<Values<T>> {
  for (const read of reads) if (!read.ok) return read;
  return { ok: true, value: reads.map((read) => (read as { value: unknown }).value) as Values<T> };
}

/** Free text kept on each transfer; the service bounds it again (500 characters) for the CLI too. */
const OPERATOR_NAME = /^[\x20-\x7e]{1,64}$/;
/** Longer than any decimal the money rules accept, so the cut answers 20 like any invalid amount. */
const MAX_CREDIT_LENGTH = 64;
const ID = /^[1-9]\d{0,15}$/;

/** `X-Operator`: 1–64 printable ASCII characters, not only spaces; `operator` when absent. */
export function readOperator(request: FastifyRequest): Read<string> {
  const header = request.headers['x-operator'];
  if (header === undefined || header === '') return ok(DEFAULT_OPERATOR_NAME);
  if (typeof header !== 'string' || !OPERATOR_NAME.test(header) || header.trim() === '') {
    return refuse(22, 'X-Operator');
  }
  return ok(header.trim());
}

/** An account id in the path or the query: a positive integer of at most 16 digits. */
export function readId(text: unknown, name = 'id'): Read<number> {
  if (typeof text !== 'string' || !ID.test(text)) return refuse(22, name);
  const id = Number(text);
  return Number.isSafeInteger(id) ? ok(id) : refuse(22, name);
}

/** Optional free text of a body (`reason`); a non-text value is 22. */
export function readOptionalText(fields: Fields, name: string): Read<string | undefined> {
  const field = readField(fields, name);
  if (field.kind === 'absent') return ok(undefined);
  return field.kind === 'text' ? ok(field.text) : refuse(22, name);
}

/** An amount as text (a JSON number keeps its exact text); absent is no amount. */
export function readCredit(fields: Fields): Read<string | undefined> {
  const field = readField(fields, 'credit');
  if (field.kind === 'absent') return ok(undefined);
  if (field.kind !== 'text' || field.text.length > MAX_CREDIT_LENGTH) return refuse(20);
  return ok(field.text);
}

/** Code 2 when absent, as the public API's "credit is required". */
export function readRequiredCredit(fields: Fields): Read<string> {
  const credit = readCredit(fields);
  if (!credit.ok) return credit;
  return credit.value === undefined ? refuse(2) : ok(credit.value);
}

export function readEmail(fields: Fields): Read<string> {
  const field = readField(fields, 'email');
  return field.kind === 'text' ? ok(field.text) : refuse(22, 'email');
}

/** A token longer than any we issue names no subaccount: 7, like the public API. */
export function readToken(fields: Fields, name: string): Read<string | undefined> {
  const field = readField(fields, name);
  if (field.kind === 'absent') return ok(undefined);
  if (field.kind !== 'text') return refuse(22, name);
  return field.text.length > MAX_TOKEN_LENGTH ? refuse(7) : ok(field.text);
}

export function readLimit(query: Fields, defaultLimit: number, maxLimit: number): Read<number> {
  const field = readField(query, 'limit');
  if (field.kind === 'absent') return ok(defaultLimit);
  if (field.kind !== 'text' || !/^[1-9]\d{0,5}$/.test(field.text)) return refuse(22, 'limit');
  const limit = Number(field.text);
  return limit <= maxLimit ? ok(limit) : refuse(22, 'limit');
}

/** The `limit` of a page of transfers, JSON or CSV (public history and operator listing alike). */
export function readTransferLimit(query: Fields, csv: boolean): Read<number> {
  return csv
    ? readLimit(query, CSV_STREAM_PAGE_SIZE, MAX_TRANSFER_CSV_PAGE)
    : readLimit(query, DEFAULT_TRANSFER_PAGE, MAX_TRANSFER_PAGE);
}

export function readCursor(query: Fields): Read<string | undefined> {
  const field = readField(query, 'cursor');
  if (field.kind === 'absent') return ok(undefined);
  return field.kind === 'text' && decodeCursor(field.text) !== null ? ok(field.text) : refuse(22, 'cursor');
}

export function readSearch(query: Fields): Read<string | undefined> {
  const field = readField(query, 'search');
  if (field.kind === 'absent') return ok(undefined);
  return field.kind === 'text' && field.text.length <= MAX_EMAIL_LENGTH
    ? ok(field.text)
    : refuse(22, 'search');
}

const KINDS: readonly TransferKind[] = ['add', 'remove', 'topup', 'charge', 'autotopup', 'close'];

export function readKind(query: Fields): Read<TransferKind | undefined> {
  const field = readField(query, 'kind');
  if (field.kind === 'absent') return ok(undefined);
  const kind = KINDS.find((known) => field.kind === 'text' && field.text === known);
  return kind === undefined ? refuse(22, 'kind') : ok(kind);
}

// A date, or a date and time with seconds and fraction optional and a zone
// required: without one, "10:00" would mean the server's local time.
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d))?$/;

/** An ISO-8601 date (`2026-11-27`, midnight UTC) or date-time with a zone; anything else is 22. */
export function readDate(query: Fields, name: string): Read<Date | undefined> {
  const field = readField(query, name);
  if (field.kind === 'absent') return ok(undefined);
  if (field.kind !== 'text' || field.text.length > 40) return refuse(22, name);
  const match = ISO_DATE.exec(field.text);
  if (match === null) return refuse(22, name);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Date.parse rolls 2026-02-30 over to March; a calendar date must exist as written.
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return refuse(22, name);
  const time = Date.parse(field.text);
  return Number.isNaN(time) ? refuse(22, name) : ok(new Date(time));
}
