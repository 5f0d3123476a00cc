import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** CSV answers, shared by the operator API and the public history. */

type CsvRow<K extends string> = Readonly<Record<K, string | number | null>>;

/** RFC 4180: CRLF line ends, a header row, fields quoted when they hold a quote, comma or line break. */
export function csvTable<K extends string>(columns: readonly K[], rows: readonly CsvRow<K>[]): string {
  return `${columns.join(',')}\r\n${csvRows(columns, rows)}`;
}

/** Rows without the header, each ended by CRLF. */
function csvRows<K extends string>(columns: readonly K[], rows: readonly CsvRow<K>[]): string {
  let text = '';
  for (const row of rows) text += `${columns.map((column) => csvField(row[column])).join(',')}\r\n`;
  return text;
}

/** How many rows a streamed export reads from the store at a time. */
export const CSV_STREAM_PAGE_SIZE = 1000;

export interface CsvPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/**
 * A whole history as one CSV answer, read page after page by cursor. The
 * caller fetches the first page itself, so a store failure before any byte is
 * sent is an ordinary error answer. The next page is fetched only when the
 * client has taken the previous one (Readable.from pulls on demand, and the
 * socket's backpressure stops the pulls), so memory holds about one page
 * whatever the history's size; when the client goes away, Fastify destroys the
 * stream and the generator stops at its next step, fetching nothing more.
 */
export function csvStream<K extends string, T>(
  columns: readonly K[],
  first: CsvPage<T>,
  next: (cursor: string) => Promise<CsvPage<T>>,
  toRow: (item: T) => CsvRow<K>,
): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let page = first;
    yield csvTable(columns, page.items.map(toRow));
    while (page.nextCursor !== null) {
      page = await next(page.nextCursor);
      if (page.items.length > 0) yield csvRows(columns, page.items.map(toRow));
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A CSV answer: a whole table as text, or a stream of one. */
export function sendCsv(reply: FastifyReply, body: string | Readable): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="transfers.csv"')
    .send(body);
}

/**
 * Free text (reasons, operator names, client idempotency keys) starting with
 * = + - @ or a control character would run as a formula in a spreadsheet, so
 * it is prefixed with a quote (OWASP's advice). Amounts are never negative
 * and ids are digits, so no number is touched: money stays exact.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Whether the client prefers CSV: some `text/csv` range with q > 0 ranked at
 * least as high as every JSON or wildcard range.
 */
export function wantsCsv(accept: string | undefined): boolean {
  if (accept === undefined || accept.length > 1000) return false;
  let csv = 0;
  let other = 0;
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const q = qualityOf(params);
    if (range.trim() === 'text/csv') csv = Math.max(csv, q);
    else if (['application/json', '*/*', 'application/*'].includes(range.trim())) other = Math.max(other, q);
  }
  return csv > 0 && csv >= other;
}

function qualityOf(params: readonly string[]): number {
  for (const param of params) {
    const [name, value] = param.trim().split('=');
    if (name === 'q' && value !== undefined) {
      const q = Number(value);
      return Number.isFinite(q) ? q : 0;
    }
  }
  return 1;
}
