import type { CreateSubaccountCommand, SubaccountProfile, SubaccountType } from '../domain/accounts.js';
import { newTransferId } from '../app/ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from '../app/keys.js';
import { readAmount } from './credit-command.js';

/** A subaccount creation as the HTTP layer validated it. */
export interface CreateSubaccountRequest {
  readonly apiKey: string;
  readonly type: SubaccountType;
  /** Null only for a simple subaccount: one is generated from the token. */
  readonly email: string | null;
  readonly profile: SubaccountProfile;
  /** Undefined when absent, null when not a string or number (code 20), else the exact text. */
  readonly creditToAttribute: string | null | undefined;
}

export interface BuiltSubaccount {
  readonly command: CreateSubaccountCommand;
  /** The advanced subaccount's key, to be shown once; the store only gets its hash. */
  readonly apiKey: string | null;
}

/**
 * A generated address lives under a reserved `.invalid` domain (RFC 2606), so
 * it can never reach anyone and never collides with a real one.
 */
function generatedEmail(token: string): string {
  return `sub-${token.slice(0, 8)}@subaccounts.tirelire.invalid`;
}

export function buildCreateSubaccount(request: CreateSubaccountRequest, now = new Date()): BuiltSubaccount {
  const token = generateSubaccountToken();
  const apiKey = request.type === 'advanced' ? generateApiKey() : null;
  const command: CreateSubaccountCommand = {
    keyHash: hashApiKey(request.apiKey),
    type: request.type,
    email: request.email ?? generatedEmail(token),
    profile: request.profile,
    token,
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: request.creditToAttribute === undefined ? null : readAmount(request.creditToAttribute),
    transferId: newTransferId(),
    createdAt: now,
  };
  return { command, apiKey };
}
