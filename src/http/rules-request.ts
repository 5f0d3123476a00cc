import type { ParsedAmount } from '../domain/money.js';
import type { RulesPatch } from '../domain/rules.js';
import { isPlainObject, type Fields } from './body.js';
import { readAmount } from './credit-command.js';
import { fieldOf } from './fields.js';

/**
 * A rules request's body (contract section 8) as a RulesPatch: each rule
 * absent (unchanged), null (removed) or given. A form cannot send a JSON
 * null, so the text `null` removes a rule too (no amount, object or period
 * is ever spelled so). Amounts go through the house's exact reading (20, 5
 * in their place); a rule of the wrong shape, or with a field it does not
 * have, is malformed (22). The decision, codes in order, is the domain's.
 */
export function readRulesPatch(body: Fields): RulesPatch {
  const lowBalance = ruleField(body, 'lowBalance', (value) => ({
    kind: 'set' as const,
    amount: amountOf(value) ?? INVALID,
  }));
  const autoTopup = ruleField(body, 'autoTopup', (value) => {
    const rule = objectOf(value, ['below', 'to', 'add']);
    if (rule === null) return null;
    const [below, to, add] = [amountOf(rule['below']), amountOf(rule['to']), amountOf(rule['add'])];
    return { kind: 'set' as const, below, to, add };
  });
  const spendingCap = ruleField(body, 'spendingCap', (value) => {
    const rule = objectOf(value, ['amount', 'period']);
    const period = rule === null ? null : fieldOf(rule['period']);
    if (rule === null || period === null || period.kind === 'other') return null;
    const text = period.kind === 'text' ? period.text : null;
    return { kind: 'set' as const, amount: amountOf(rule['amount']), period: text };
  });
  const malformed = lowBalance === null || autoTopup === null || spendingCap === null;
  return {
    lowBalance: lowBalance ?? ABSENT,
    autoTopup: autoTopup ?? ABSENT,
    spendingCap: spendingCap ?? ABSENT,
    malformed,
  };
}

const ABSENT = { kind: 'absent' } as const;
const INVALID = { kind: 'invalid' } as const;
const REMOVE = { kind: 'remove' } as const;

/** A rule's field: absent, removed, or what `set` reads of it; null when it is not of its shape. */
function ruleField<T>(
  body: Fields,
  name: string,
  set: (value: unknown) => T | null,
): typeof ABSENT | typeof REMOVE | T | null {
  if (!Object.hasOwn(body, name)) return ABSENT;
  const value = body[name];
  if (value === null || value === 'null') return REMOVE;
  if (fieldOf(value).kind === 'absent') return ABSENT;
  return set(value);
}

/** A value that may be an amount: null when absent; text (or a JSON number's exact text) read; anything else 20. */
function amountOf(value: unknown): ParsedAmount | null {
  const field = fieldOf(value);
  if (field.kind === 'absent') return null;
  return readAmount(field.kind === 'text' ? field.text : null);
}

/** The rule's object, or null when it is none or has a field of another name. */
function objectOf(value: unknown, names: readonly string[]): Fields | null {
  if (!isPlainObject(value)) return null;
  return Object.keys(value).every((name) => names.includes(name)) ? value : null;
}
