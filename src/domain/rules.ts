import type { ErrorCode } from './errors.js';
import type { EventType } from './events.js';
import type { ParsedAmount } from './money.js';

/**
 * Balance rules (contract section 8): a low-balance threshold, an automatic
 * top-up from the main account, a spending cap per UTC day or month. Decided
 * inside the transaction that moves the money (ledger-rules.ts), so exact
 * under any concurrency.
 */
export type CapPeriod = 'day' | 'month';

export interface AutoTopup {
  /** A usage debit that would leave the available balance below this triggers the top-up. */
  readonly belowMicros: bigint;
  /** Exactly one of `to` (top up to leave this after the debit) and `add` (a fixed amount). */
  readonly toMicros: bigint | null;
  readonly addMicros: bigint | null;
}

export interface SpendingCap {
  readonly amountMicros: bigint;
  readonly period: CapPeriod;
}

export interface AccountRules {
  readonly lowBalanceMicros: bigint | null;
  readonly autoTopup: AutoTopup | null;
  readonly spendingCap: SpendingCap | null;
}

export const NO_RULES: AccountRules = { lowBalanceMicros: null, autoTopup: null, spendingCap: null };

/**
 * A rules request as read from the body: each field absent (unchanged), null
 * (removed) or given. Amounts arrive parsed (ParsedAmount), so codes 20 and 5
 * keep their place; anything else malformed is `invalid` (22).
 */
export type RulePatchField<T> = { readonly kind: 'absent' } | { readonly kind: 'remove' } | T;

export interface RulesPatch {
  readonly lowBalance: RulePatchField<{ readonly kind: 'set'; readonly amount: ParsedAmount }>;
  readonly autoTopup: RulePatchField<{
    readonly kind: 'set';
    readonly below: ParsedAmount | null;
    readonly to: ParsedAmount | null;
    readonly add: ParsedAmount | null;
  }>;
  readonly spendingCap: RulePatchField<{
    readonly kind: 'set';
    readonly amount: ParsedAmount | null;
    readonly period: string | null;
  }>;
  /** A field of the body that is not one of these shapes (not an object, a stray key…). */
  readonly malformed: boolean;
}

const amountCode = (amount: ParsedAmount): ErrorCode | null =>
  amount.kind === 'invalid' ? 20 : amount.kind === 'not-positive' ? 5 : null;

const micros = (amount: ParsedAmount): bigint => (amount.kind === 'positive' ? amount.micros : 0n);

/**
 * The rules after a patch, or the code refusing the whole patch (nothing
 * changes): 22 for a malformed field, a missing `below` or `period`, both or
 * neither of `to` and `add`, `to` not above `below`, a period other than day
 * or month; 20 and 5 for amounts, in the order of the fields.
 */
export function applyRulesPatch(current: AccountRules, patch: RulesPatch): AccountRules | ErrorCode {
  if (patch.malformed) return 22;
  const low = patchLowBalance(current.lowBalanceMicros, patch.lowBalance);
  if (typeof low === 'number') return low;
  const topup = patchAutoTopup(current.autoTopup, patch.autoTopup);
  if (typeof topup === 'number') return topup;
  const cap = patchSpendingCap(current.spendingCap, patch.spendingCap);
  if (typeof cap === 'number') return cap;
  return { lowBalanceMicros: low.value, autoTopup: topup.value, spendingCap: cap.value };
}

type Patched<T> = { readonly value: T } | ErrorCode;

function patchLowBalance(current: bigint | null, field: RulesPatch['lowBalance']): Patched<bigint | null> {
  if (field.kind === 'absent') return { value: current };
  if (field.kind === 'remove') return { value: null };
  return amountCode(field.amount) ?? { value: micros(field.amount) };
}

function patchAutoTopup(
  current: AutoTopup | null,
  field: RulesPatch['autoTopup'],
): Patched<AutoTopup | null> {
  if (field.kind === 'absent') return { value: current };
  if (field.kind === 'remove') return { value: null };
  if (field.below === null || (field.to === null) === (field.add === null)) return 22;
  for (const amount of [field.below, field.to, field.add]) {
    const code = amount === null ? null : amountCode(amount);
    if (code !== null) return code;
  }
  const belowMicros = micros(field.below);
  const toMicros = field.to === null ? null : micros(field.to);
  if (toMicros !== null && toMicros <= belowMicros) return 22;
  return { value: { belowMicros, toMicros, addMicros: field.add === null ? null : micros(field.add) } };
}

function patchSpendingCap(
  current: SpendingCap | null,
  field: RulesPatch['spendingCap'],
): Patched<SpendingCap | null> {
  if (field.kind === 'absent') return { value: current };
  if (field.kind === 'remove') return { value: null };
  if (field.amount === null || (field.period !== 'day' && field.period !== 'month')) return 22;
  return amountCode(field.amount) ?? { value: { amountMicros: micros(field.amount), period: field.period } };
}

/** The UTC calendar day and month an instant falls in, as the usage counters name them. */
export function usagePeriods(at: Date): { readonly day: string; readonly month: string } {
  const text = at.toISOString();
  return { day: text.slice(0, 10), month: text.slice(0, 7) };
}

/**
 * The events of one change of an account's available balance (contract
 * section 8): balance.low when it falls from at least the threshold to below
 * it, balance.recovered when it comes back to at least it, balance.depleted
 * when it reaches 0 from above (with or without a rule). Crossings only.
 */
export function crossings(
  lowBalanceMicros: bigint | null,
  beforeMicros: bigint,
  afterMicros: bigint,
): EventType[] {
  const events: EventType[] = [];
  if (lowBalanceMicros !== null) {
    if (beforeMicros >= lowBalanceMicros && afterMicros < lowBalanceMicros) events.push('balance.low');
    if (beforeMicros < lowBalanceMicros && afterMicros >= lowBalanceMicros) events.push('balance.recovered');
  }
  if (beforeMicros > 0n && afterMicros === 0n) events.push('balance.depleted');
  return events;
}

/**
 * How much an automatic top-up brings before a usage debit of `debitMicros`,
 * given the subaccount's available balance; 0 when the debit leaves at least
 * `below` (exactly `below` triggers nothing).
 */
export function topupNeeded(rule: AutoTopup, availableMicros: bigint, debitMicros: bigint): bigint {
  const left = availableMicros - debitMicros;
  if (left >= rule.belowMicros) return 0n;
  return rule.toMicros !== null ? rule.toMicros - left : rule.addMicros!;
}
