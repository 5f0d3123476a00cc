/**
 * Money is held as integer micro-euros (10^-6 EUR) in a bigint. This module is
 * the only place that turns decimal text into micros and back, so no binary
 * floating point ever touches an amount.
 */

export const MONEY_SCALE = 6;
export const MICROS_PER_EUR = 1_000_000n;
/** The largest amount one request may move: 1 000 000 000 EUR. */
export const MAX_AMOUNT_MICROS = 1_000_000_000n * MICROS_PER_EUR;

/**
 * The result of reading an amount. The contract checks "is it a valid decimal"
 * (code 20) and "is it positive" (code 5) at different points of its error
 * order, so both outcomes are kept apart instead of failing early.
 */
export type ParsedAmount =
  | { readonly kind: 'positive'; readonly micros: bigint }
  | { readonly kind: 'not-positive' }
  | { readonly kind: 'invalid' };

// An optional leading minus, digits, and up to six decimals. No exponent,
// no plus sign, no spaces, no bare "." on either side.
const DECIMAL = /^(-?)(\d{1,40})(?:\.(\d{1,6}))?$/;

export function parseAmount(text: string): ParsedAmount {
  const match = DECIMAL.exec(text);
  if (match === null) return { kind: 'invalid' };
  const [, sign, whole, fraction = ''] = match;
  const micros = BigInt(whole!) * MICROS_PER_EUR + BigInt(fraction.padEnd(MONEY_SCALE, '0'));
  if (micros > MAX_AMOUNT_MICROS) return { kind: 'invalid' };
  if (sign === '-' || micros === 0n) return { kind: 'not-positive' };
  return { kind: 'positive', micros };
}

/** Shortest exact decimal text: 61800000n → "61.8", 0n → "0". */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS_PER_EUR;
  const fraction = (abs % MICROS_PER_EUR).toString().padStart(MONEY_SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * Decimal text with at least `minDecimals` decimals, as the Mailpartner list and
 * profile endpoints write balances ("0.800", "10225.119"); never loses a digit.
 */
export function formatMicrosPadded(micros: bigint, minDecimals = 3): string {
  const text = formatMicros(micros);
  const dot = text.indexOf('.');
  const decimals = dot === -1 ? 0 : text.length - dot - 1;
  if (decimals >= minDecimals) return text;
  return (dot === -1 ? `${text}.` : text) + '0'.repeat(minDecimals - decimals);
}
