import { isLosslessNumber, parse } from 'lossless-json';

/**
 * The fields that carry money, wherever they appear. The server writes some
 * as bare JSON numbers (`"credit":2869.2`) and some as strings (`"12.500"`);
 * both arrive here as exact decimal text, never through a float.
 */
const MONEY_FIELDS = new Set([
  'credit',
  'subaccountCredit',
  'amount',
  'balance',
  'mainBalanceAfter',
  'subaccountBalanceAfter',
]);

/**
 * Parses an answer's JSON text losslessly: money numbers become their exact
 * text, every other number (codes, ids, counts) a JS number. null when the
 * text is not JSON.
 */
export function parseAnswer(text: string): unknown {
  try {
    return parse(text, (key, value) => {
      if (!isLosslessNumber(value)) return value;
      return MONEY_FIELDS.has(key) ? value.toString() : Number(value.toString());
    });
  } catch {
    return null;
  }
}
