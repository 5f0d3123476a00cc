import type {
  CreateSubaccountCommand,
  CreateSubaccountOutcome,
  MainAccountBy,
  SubaccountProfile,
  SubaccountType,
} from '../domain/accounts.js';
import type { IdempotencyGuard } from '../domain/idempotency.js';
import type { ParsedAmount } from '../domain/money.js';
import type { SubaccountQuery, SubaccountSearchPage } from '../domain/pages.js';
import type { Store } from '../domain/store.js';
import { newTransferId } from './ids.js';
import { generateApiKey, generateSubaccountToken, hashApiKey } from './keys.js';

/**
 * Creating a subaccount, one use case for both doors: a main account's key
 * (`POST /v1/subaccount/create`) and the operator naming the main account
 * (`POST /admin/v1/accounts/:id/subaccounts`). The store decides every code
 * (10, 4 or 30, then 20, 5, 23, 6, 8) in one transaction with the creation.
 */

/** A subaccount creation's parameters as the HTTP layer validated them (code 22 is its own). */
export interface SubaccountInput {
  readonly type: SubaccountType;
  /** Null only for a simple subaccount: one is generated from the token. */
  readonly email: string | null;
  readonly profile: SubaccountProfile;
  /** The opening add (`creditToAttribute`), read but not judged: the store gives 20 and 5 in their place. */
  readonly creditToAttribute: ParsedAmount | null;
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

/** The store's command, with the token, the key of an advanced subaccount and the opening transfer's id made here. */
function buildCreateSubaccount(input: SubaccountInput, by: MainAccountBy, now = new Date()): BuiltSubaccount {
  const token = generateSubaccountToken();
  const apiKey = input.type === 'advanced' ? generateApiKey() : null;
  const command: CreateSubaccountCommand = {
    ...by,
    type: input.type,
    email: input.email ?? generatedEmail(token),
    profile: input.profile,
    token,
    subaccountKeyHash: apiKey === null ? null : hashApiKey(apiKey),
    creditToAttribute: input.creditToAttribute,
    transferId: newTransferId(),
    createdAt: now,
  };
  return { command, apiKey };
}

/**
 * Both doors' creation: the command built, `guard` given the key the answer
 * shows once (its record keeps null in its place), then the store's decision.
 */
export async function createSubaccount(
  store: Store,
  input: SubaccountInput,
  by: MainAccountBy,
  guard?: (apiKey: string | null) => IdempotencyGuard<CreateSubaccountOutcome>,
): Promise<{ readonly outcome: CreateSubaccountOutcome; readonly apiKey: string | null }> {
  const built = buildCreateSubaccount(input, by);
  const command =
    guard === undefined ? built.command : { ...built.command, idempotency: guard(built.apiKey) };
  return { outcome: await store.createSubaccount(command), apiKey: built.apiKey };
}

/**
 * The operator's search: a whole token names one subaccount through its
 * unique index, whatever its age (first page only: it is the whole answer);
 * otherwise the store looks for the text in emails, newest first, examining
 * at most `examineLimit` subaccounts a page.
 */
export async function searchSubaccounts(store: Store, query: SubaccountQuery): Promise<SubaccountSearchPage> {
  const search = query.search ?? '';
  if (search !== '' && query.cursor === undefined) {
    const byToken = await store.findSubaccountByToken(search);
    // A subaccount always has its main account (the schema checks it).
    const main = byToken === null ? null : await store.getAccount(byToken.parentId!);
    if (byToken !== null && main !== null) {
      return { items: [{ subaccount: byToken, mainEmail: main.email }], nextCursor: null };
    }
  }
  return store.searchSubaccounts(query);
}
