import { parseAmount } from '../domain/money.js';
import { TirelireAdminClient, TirelireClient } from 'tirelire-client';
import type { DemoSeed, SeededSubaccount } from './demo.js';

/** How long the demo waits for a server to answer before it seeds the database itself. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * Whether a Tirelire server answers at `baseUrl`: its health route, then its
 * index (`GET /` names the product), so another program on the port is not
 * taken for one.
 */
export async function serverAnswers(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!response.ok) return false;
    const index = (await response.json()) as { name?: unknown };
    return index.name === 'tirelire';
  } catch {
    return false;
  }
}

/** Exact decimal text of the API ("900.000") as micros; a server answer that is not one is a bug of the server. */
function micros(text: string): bigint {
  const parsed = parseAmount(text);
  if (parsed.kind === 'invalid') throw new Error(`the server answered an amount that is not one: ${text}`);
  return parsed.kind === 'positive' ? parsed.micros : 0n;
}

function failure(step: string, answer: { code: number; message: string }): Error {
  return new Error(`demo: the server refused ${step}: ${answer.message} (code ${answer.code})`);
}

/**
 * The same seed as the local one, through the running server's API: the
 * operator API creates the main account with 1000 EUR, its own key then
 * creates the two subaccounts, as a reseller would.
 */
export async function seedThroughApi(
  baseUrl: string,
  token: string,
  input: { readonly suffix: string; readonly operator: string },
): Promise<DemoSeed> {
  const admin = new TirelireAdminClient({ baseUrl, token, operator: input.operator, language: 'en' });
  const created = await admin.createAccount({
    email: `demo-${input.suffix}@example.com`,
    credit: '1000',
    reason: 'tirelire demo',
  });
  if (!created.ok) throw failure('the main account', created);
  const client = new TirelireClient({ baseUrl, apiKey: created.apiKey, language: 'en' });
  const subaccounts: SeededSubaccount[] = [];
  for (const [index, type, credit] of [
    [1, 'simple', undefined],
    [2, 'advanced', '100'],
  ] as const) {
    const email = `demo-${input.suffix}-client${index}@example.com`;
    const parameters = { email, ...(credit === undefined ? {} : { creditToAttribute: credit }) };
    const sub = await client.createSubaccount({ type, parameters });
    if (!sub.ok) throw failure(`subaccount ${email}`, sub);
    subaccounts.push({ type, email, token: sub.subaccount.token, apiKey: sub.subaccount.apiKey ?? null });
  }
  const after = await admin.getAccount(created.account.id);
  if (!after.ok) throw failure('reading the account back', after);
  const balances = new Map(after.subaccounts.map((sub) => [sub.token, sub] as const));
  return {
    main: {
      accountId: created.account.id,
      email: created.account.email,
      apiKey: created.apiKey,
      balanceMicros: micros(after.account.balance),
    },
    subaccounts: subaccounts.map((sub) => {
      const read = balances.get(sub.token);
      return { ...sub, accountId: read?.id ?? null, balanceMicros: micros(read?.balance ?? '0') };
    }),
  };
}

/** Whether the server at `baseUrl` knows `apiKey`: the local seed's check that both use one database. */
export async function serverKnowsKey(baseUrl: string, apiKey: string): Promise<boolean> {
  const me = await new TirelireClient({ baseUrl, apiKey, retry: { retries: 0 } }).me();
  return me.ok;
}
