import { formatMicros, formatMicrosPadded, parseAmount } from '../../src/domain/money.js';
import type { Language } from './i18n.js';

/** One cent in micro-euros: balances are shown rounded to it. */
const CENT_MICROS = 10_000n;

/**
 * Exact micro-euros of the API's decimal text (a balance may be 0 or
 * negative), read with the ledger's own parser; null for what is no amount.
 */
export function micros(text: string): bigint | null {
  const negative = text.startsWith('-');
  const parsed = parseAmount(negative ? text.slice(1) : text);
  if (parsed.kind === 'invalid') return null;
  const value = parsed.kind === 'positive' ? parsed.micros : 0n;
  return negative ? -value : value;
}

/** Exact decimal text of micro-euros ("12.5", "-0.000001"). */
export function microsText(value: bigint): string {
  return formatMicros(value);
}

/** Puts decimal text ("-1234.5") in the language's way: grouped thousands, comma or point, the euro sign. */
function localize(text: string, language: Language): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'fr' ? '\u202f' : ',');
  const sign = negative ? '-' : '';
  return language === 'fr' ? `${sign}${grouped},${fraction}\u00a0€` : `${sign}€${grouped}.${fraction}`;
}

/**
 * An amount as the console shows it everywhere: two decimals, rounded half
 * away from zero on the exact value ("12.505" → "12,51 €"), never through a
 * float. Text that is no amount is shown as it came.
 */
export function formatMoney(text: string, language: Language): string {
  const value = micros(text);
  if (value === null) return text;
  const half = CENT_MICROS / 2n;
  const cents = value < 0n ? -((-value + half) / CENT_MICROS) : (value + half) / CENT_MICROS;
  return localize(formatMicrosPadded(cents * CENT_MICROS, 2), language);
}

/**
 * The exact value, for a tooltip: at least two decimals and every significant
 * one ("0.000001" → "0,000001 €"). Only the text is rearranged, never re-computed.
 */
export function formatMoneyExact(text: string, language: Language): string {
  const value = micros(text);
  return value === null ? text : localize(formatMicrosPadded(value, 2), language);
}

export type AmountInput = { ok: true; text: string } | { ok: false };

/**
 * An amount typed by the operator, in the operator's language, as the API's
 * decimal text. Spaces (thin or not) may group thousands in both languages;
 * French writes the decimal with a comma (a lone point is accepted too),
 * English with a point, commas grouping thousands. Only the text is rewritten,
 * so "1 250,50" is sent as "1250.50" with every digit; whether the amount is
 * acceptable (decimals, size, zero) the API judges and says why.
 */
export function parseAmountInput(typed: string, language: Language): AmountInput {
  const text = typed.replace(/[\s\u00a0\u202f]/g, '');
  if (text === '') return { ok: false };
  let normalized: string;
  if (language === 'fr') {
    normalized = text.includes(',') ? (text.includes('.') ? '' : text.replace(',', '.')) : text;
  } else {
    const grouped = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text);
    normalized = grouped ? text.replace(/,/g, '') : text;
  }
  return /^\d+(\.\d+)?$/.test(normalized) ? { ok: true, text: normalized } : { ok: false };
}

/**
 * An amount put back in a form field in the operator's way, trailing zeros
 * dropped ("18.000" → "18", "4.500" → "4,5" in French): a French "18,000"
 * would read as eighteen thousand.
 */
export function amountForInput(text: string, language: Language): string {
  const value = micros(text);
  const shortest = value === null ? text : formatMicros(value);
  return language === 'fr' ? shortest.replace('.', ',') : shortest;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** The zone offset of a moment in the browser's zone, as "UTC+1", "UTC−3:30" or "UTC". */
export function zoneOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const hours = `${Math.floor(abs / 60)}${abs % 60 === 0 ? '' : `:${pad(abs % 60)}`}`;
  return `UTC${minutes > 0 ? '+' : '−'}${hours}`;
}

/** The browser's time zone by name (Europe/Paris), in which every date is shown and every filter day read. */
export function timeZoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * A day in the language's one format: 27/11/2026 in French, 2026-11-27 in
 * English (unambiguous both). The table, the filters and the chart all use it.
 */
export function formatDay(date: Date, language: Language): string {
  const [y, m, d] = [date.getFullYear(), pad(date.getMonth() + 1), pad(date.getDate())];
  return language === 'fr' ? `${d}/${m}/${y}` : `${y}-${m}-${d}`;
}

/** A moment in the browser's zone, with the zone: "27/11/2026 14:05:09 UTC+1". */
export function formatDateTime(iso: string | number, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${formatDay(date, language)} ${time} ${zoneOffset(date)}`;
}

/** A filter's day (YYYY-MM-DD) shown in the language's format. */
export function formatDayText(day: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return day;
  return language === 'fr' ? `${match[3]}/${match[2]}/${match[1]}` : day;
}

/**
 * A day typed in a filter, in either format (27/11/2026 or 2026-11-27), as
 * YYYY-MM-DD; '' for an empty field, null for what is no day.
 */
export function parseDayInput(typed: string): string | null {
  const text = typed.trim();
  if (text === '') return '';
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [y, m, d] =
    iso !== null ? [iso[1], iso[2], iso[3]] : french !== null ? [french[3], french[2], french[1]] : [];
  if (y === undefined || m === undefined || d === undefined) return null;
  const date = new Date(Number(y), Number(m) - 1, Number(d));
  if (date.getFullYear() !== Number(y) || date.getMonth() !== Number(m) - 1 || date.getDate() !== Number(d)) {
    return null;
  }
  return `${y}-${pad(Number(m))}-${pad(Number(d))}`;
}

/**
 * A filter's day (YYYY-MM-DD) as the first or the last millisecond of that day
 * in the browser's zone, the zone every date on the page is shown in.
 */
export function dayBound(day: string, end: 'start' | 'end'): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const bound = end === 'start' ? new Date(y, m, d, 0, 0, 0, 0) : new Date(y, m, d, 23, 59, 59, 999);
  return bound.toISOString();
}

/** A long token as its start and end ("a1b2c3…y9z0"); the whole one is copied on click. */
export function shortToken(token: string): string {
  return token.length <= 12 ? token : `${token.slice(0, 6)}…${token.slice(-4)}`;
}
