import type { CreateSubaccountOutcome, SubaccountProfile, SubaccountType } from '../domain/accounts.js';
import { errorAnswer } from '../domain/answers/error-answer.js';
import type { Language } from '../domain/errors.js';
import type { IdempotencyClaim, IdempotencyGuard } from '../domain/idempotency.js';
import { isValidEmail } from '../domain/email.js';
import type { SubaccountInput } from '../app/subaccounts.js';
import { readAmount } from './credit-command.js';
import { isPlainObject } from './body.js';
import type { Fields } from './body.js';
import { MAX_NAME_LENGTH } from './bounds.js';
import { fieldOf, readField } from './fields.js';
import { guardOf, renderJson } from './idempotency.js';

/**
 * Reads `type` and `parameters` of a subaccount creation (POST
 * /v1/subaccount/create, and the operator's POST /admin/v1/accounts/:id/subaccounts);
 * null means code 22. An absent `type` means `simple`; an absent email is
 * generated for a simple subaccount only. The amount is read but not judged:
 * the store decides codes 20 and 5 in their place in the order.
 */
export function readCreateRequest(body: Fields): SubaccountInput | null {
  const type = readType(body);
  const parameters = body['parameters'] === undefined || body['parameters'] === '' ? {} : body['parameters'];
  if (type === null || !isPlainObject(parameters)) return null;
  const email = readEmail(parameters);
  const profile = readProfile(parameters);
  if (email === undefined || profile === null) return null;
  if (email === null && type === 'advanced') return null;
  const credit = readField(parameters, 'creditToAttribute');
  const creditToAttribute =
    credit.kind === 'absent' ? null : readAmount(credit.kind === 'text' ? credit.text : null);
  return { type, email, profile, creditToAttribute };
}

function readType(body: Fields): SubaccountType | null {
  const type = readField(body, 'type');
  if (type.kind === 'absent') return 'simple';
  if (type.kind === 'text' && (type.text === 'simple' || type.text === 'advanced')) return type.text;
  return null;
}

/** Null when absent, undefined when invalid. */
function readEmail(parameters: Fields): string | null | undefined {
  const email = readField(parameters, 'email');
  if (email.kind === 'absent') return null;
  return email.kind === 'text' && isValidEmail(email.text) ? email.text : undefined;
}

function readProfile(parameters: Fields): SubaccountProfile | null {
  const profile: { -readonly [K in keyof SubaccountProfile]: SubaccountProfile[K] } = {};
  for (const name of ['title', 'firstname', 'lastname'] as const) {
    const field = readField(parameters, name);
    if (field.kind === 'absent') continue;
    if (field.kind !== 'text' || field.text.length > MAX_NAME_LENGTH) return null;
    profile[name] = field.text;
  }
  if (Object.hasOwn(parameters, 'isBuyer')) {
    const isBuyer = readBoolean(parameters['isBuyer']);
    if (isBuyer === null) return null;
    profile.isBuyer = isBuyer;
  }
  return profile;
}

/** JSON booleans, or what forms send: 1/0, true/false. */
function readBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const field = fieldOf(value);
  if (field.kind !== 'text') return null;
  if (field.text === '1' || field.text === 'true') return true;
  if (field.text === '0' || field.text === 'false') return false;
  return null;
}

/**
 * The Idempotency-Key guard of a subaccount creation, on either API: the
 * answer `body` renders, or the refusal in `language`; the key an advanced
 * subaccount gets is shown once and its record keeps null in its place.
 */
export function creationGuard(
  claim: IdempotencyClaim,
  language: Language,
  body: (created: Extract<CreateSubaccountOutcome, { ok: true }>, apiKey: string | null) => unknown,
): (apiKey: string | null) => IdempotencyGuard<CreateSubaccountOutcome> {
  return (apiKey) =>
    guardOf<CreateSubaccountOutcome>(
      claim,
      (outcome) =>
        outcome.ok ? renderJson(200, body(outcome, apiKey)) : errorAnswer(outcome.code, language),
      apiKey,
    );
}
