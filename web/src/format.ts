import type { Language } from './i18n.js';

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * Shows the API's exact decimal text in the language's way: at least two
 * decimals and every significant one ("12.500" → "12,50 €", "0.000001" →
 * "0,000001 €"), thousands grouped ("10 225,119 €", "€10,225.119"). Only the
 * text is rearranged, never re-computed, so what is shown is what is stored;
 * three decimals are not forced (a French "10,000 €" reads as ten thousand).
 */
export function formatMoney(text: string, language: Language): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const decimals = fraction.replace(/0+$/, '').padEnd(2, '0');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'fr' ? '\u202f' : ',');
  const sign = negative ? '-' : '';
  return language === 'fr' ? `${sign}${grouped},${decimals}\u00a0€` : `${sign}€${grouped}.${decimals}`;
}

export function formatDateTime(iso: string, language: Language): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(LOCALES[language], { dateStyle: 'short', timeStyle: 'medium' });
}

/** A date field's day (YYYY-MM-DD) as the start or the last millisecond of that UTC day. */
export function dayBound(day: string, end: 'start' | 'end'): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  return end === 'start' ? `${day}T00:00:00.000Z` : `${day}T23:59:59.999Z`;
}

/** A French decimal comma is accepted in an amount field and sent as the API's point. */
export function normalizeCredit(text: string): string {
  return text.trim().replace(',', '.');
}
