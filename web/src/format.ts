import type { Language } from './i18n.js';

const LOCALES: Record<Language, string> = { fr: 'fr-FR', en: 'en-GB' };

/**
 * Shows the API's exact decimal text ("12.500") with the language's decimal
 * mark; the digits are never re-computed, so what is shown is what is stored.
 */
export function formatMoney(text: string, language: Language): string {
  const shown = language === 'fr' ? text.replace('.', ',') : text;
  return `${shown} €`;
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
