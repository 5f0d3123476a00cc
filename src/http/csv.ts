/** CSV answers, shared by the operator API and the public history. */

/** RFC 4180: CRLF line ends, a header row, fields quoted when they hold a quote, comma or line break. */
export function csvTable<K extends string>(
  columns: readonly K[],
  rows: readonly Readonly<Record<K, string | number | null>>[],
): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
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
