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

export interface SubaccountQuery {
  /** Part of an email, matched case-insensitively; absent or empty matches every subaccount. */
  readonly search?: string | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
  /**
   * The most subaccounts one page examines, newest first: what bounds the cost
   * of a search that no index can answer (a part of an email). A page may so
   * hold fewer than `limit` items, none even, and still have a next one.
   */
  readonly examineLimit: number;
}

/** A subaccount found by a search, with the email of its main account. */
export interface SubaccountFound {
  readonly subaccount: Account;
  readonly mainEmail: string;
}

export interface SubaccountSearchPage {
  readonly items: readonly SubaccountFound[];
  /** null once every subaccount older than the cursor has been examined. */
  readonly nextCursor: string | null;
}

/** The subaccounts one page of a search examines: how many, and the lowest id among them. */
export interface ExaminedWindow {
  readonly count: number;
  readonly lowestId: number | null;
}

/**
 * The store's side of a search page: matches fetched with limit + 1 among
 * the examined window. A full window that gave at most `limit` matches ends
 * the page at the window's lowest id, so the next page examines the ones below.
 */
export function searchPageOf<T>(
  rows: readonly T[],
  query: Pick<SubaccountQuery, 'limit' | 'examineLimit'>,
  window: ExaminedWindow,
  positionOf: (row: T) => bigint | number,
): { readonly rows: readonly T[]; readonly nextCursor: string | null } {
  const page = pageOf(rows, query.limit, positionOf);
  if (page.nextCursor !== null || window.count < query.examineLimit || window.lowestId === null) return page;
  return { rows: page.rows, nextCursor: encodeCursor(window.lowestId) };
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
