import type { Account } from './accounts.js';
import { isFewKind, type Transfer, type TransferKind } from './transfers.js';

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
  /** The most transfers a page filtered row by row examines; MAX_TRANSFERS_EXAMINED when absent. */
  readonly examineLimit?: number | undefined;
}

/**
 * The most transfers one page examines when a filter is checked row by row
 * rather than answered by the index the page reads (`since`, `until`, a kind
 * the index does not hold): without it a window far back, or `kind=add` on a
 * tree made mostly of removes, read every transfer after what it looked for
 * in one statement (half a second of the event loop per 2 million on SQLite).
 * Such a page may so hold fewer than `limit` items, none even, and still have
 * a next one (docs/idempotency-and-history.md).
 */
export const MAX_TRANSFERS_EXAMINED = 2_000;

/**
 * How many transfers a page of `filter` may examine, or null when the index
 * it reads answers every condition, so that each row read is a row returned.
 * Both stores index a tree's transfers by seq, its transfers of the few kinds
 * (isFewKind) by kind and seq, and a subaccount's by seq (an index or a chain):
 * what else the filter asks is checked row by row.
 */
export function transfersExamined(filter: TransferFilter): number | null {
  const kindIndexed =
    filter.kind === undefined ||
    (filter.mainAccountId !== undefined && filter.subaccountId === undefined && isFewKind(filter.kind));
  const mainIndexed = filter.mainAccountId === undefined || filter.subaccountId === undefined;
  if (filter.since === undefined && filter.until === undefined && kindIndexed && mainIndexed) return null;
  return filter.examineLimit ?? MAX_TRANSFERS_EXAMINED;
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

/** The rows one page examines (subaccounts, transfers): how many, and the lowest position among them. */
export interface ExaminedWindow {
  readonly count: number;
  readonly lowestId: bigint | number | null;
}

/**
 * The store's side of a page that examined a window: matches fetched with
 * limit + 1 among it. A full window that gave at most `limit` matches ends
 * the page at the window's lowest position, so the next page examines the
 * ones below.
 */
export function windowPageOf<T>(
  rows: readonly T[],
  query: { readonly limit: number; readonly examineLimit: number },
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
