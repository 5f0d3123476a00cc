import type { Account } from './accounts.js';
import type { Transfer, TransferKind } from './transfers.js';

/**
 * Cursor pagination shared by the operator API and the public history. A
 * cursor is the position of the last item of a page (a transfer's `seq`, a
 * main account's id) written as decimal text; clients treat it as opaque. The
 * next page is everything strictly before it, newest first, so rows written
 * meanwhile never shift a page: no gap, no duplicate.
 */
const CURSOR = /^[1-9]\d{0,17}$/;

/** The position a cursor names, or null when the text is no cursor of ours. */
export function decodeCursor(text: string): bigint | null {
  return CURSOR.test(text) ? BigInt(text) : null;
}

/** For stores: callers check cursors first (code 22), so a bad one here is a bug. */
export function cursorPosition(text: string): bigint {
  const position = decodeCursor(text);
  if (position === null) throw new Error(`not a cursor: ${JSON.stringify(text)}`);
  return position;
}

export function encodeCursor(position: bigint | number): string {
  return String(position);
}

export interface TransferFilter {
  /** The main account whose history is read (its own transfers and its subaccounts'). */
  readonly mainAccountId?: number | undefined;
  readonly subaccountId?: number | undefined;
  readonly kind?: TransferKind | undefined;
  /** Inclusive. */
  readonly since?: Date | undefined;
  /** Exclusive. */
  readonly until?: Date | undefined;
  /** Callers bound it; stores trust it. */
  readonly limit: number;
  /** A cursor from a previous page; must pass decodeCursor. */
  readonly cursor?: string | undefined;
}

export interface TransferPage {
  readonly items: readonly Transfer[];
  /** null on the last page. */
  readonly nextCursor: string | null;
}

export interface MainAccountQuery {
  /** Part of an email, matched case-insensitively. */
  readonly search?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

export interface MainAccountSummary {
  readonly account: Account;
  readonly subaccountCount: number;
}

export interface MainAccountPage {
  readonly items: readonly MainAccountSummary[];
  readonly nextCursor: string | null;
}

/** `%` and `_` in a search are literal text, not LIKE wildcards. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** The store's side of a page: rows fetched with limit + 1 tell whether another page exists. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  positionOf: (row: T) => bigint | number,
): { readonly rows: readonly T[]; readonly nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: encodeCursor(positionOf(page[page.length - 1]!)) };
}
