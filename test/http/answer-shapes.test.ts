import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OPERATIONS, TirelireAdminClient, TirelireClient, type OperationName } from 'tirelire-client';
import { ANSWERS } from 'tirelire-client/shapes';
import { openApp, type AppFixture } from '../helpers/http-fixture.js';

/**
 * packages/client/src/shapes.ts is the one definition of every answer: the server's
 * types are checked against it at compile time, but what it writes through
 * bytes rendered elsewhere (credit and batch answers, idempotent replays)
 * and the patterns of the schemas (money's decimals, dates) only show at
 * run time. Every 200 answer of a run touching each operation is validated
 * against its schema, as served.
 */
const ADMIN_TOKEN = 'answer-shapes-operator-token';

const ajv = new Ajv2020({ allErrors: true });
// The server writes dates as Date#toISOString does.
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/** `/admin/v1/accounts/{id}` → the operation of that method whose path matches, if any. */
const ROUTES = (Object.entries(OPERATIONS) as [OperationName, (typeof OPERATIONS)[OperationName]][]).map(
  ([name, spec]) => ({
    name,
    method: spec.method,
    path: new RegExp(`^${spec.path.replace(/\{\w+\}/g, '[^/]+')}$`),
  }),
);
function operationOf(method: string, url: string): OperationName {
  const { pathname } = new URL(url);
  const route = ROUTES.find((candidate) => candidate.method === method && candidate.path.test(pathname));
  if (route === undefined) throw new Error(`no operation for ${method} ${pathname}`);
  return route.name;
}

const answers: { operation: OperationName; text: string; replayed: boolean }[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const text = await response.clone().text();
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  if (response.status === 200 && json) {
    const operation = operationOf(init?.method ?? 'GET', String(input));
    answers.push({ operation, text, replayed: response.headers.get('idempotent-replayed') === 'true' });
  }
  return response;
};

let fixture: AppFixture;
let baseUrl: string;

beforeAll(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  baseUrl = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => fixture.remove());

/** A success, or the test fails with the refusal. */
function ok<R extends { ok: boolean }>(result: R): Extract<R, { ok: true }> {
  if (!result.ok) expect.fail(`expected success, got ${JSON.stringify(result)}`);
  return result as Extract<R, { ok: true }>;
}

async function touchEveryOperation(): Promise<void> {
  const admin = new TirelireAdminClient({ baseUrl, token: ADMIN_TOKEN, fetch: recordingFetch });
  ok(await admin.health());
  ok(await admin.ready());
  const created = ok(await admin.createAccount({ email: 'shapes@example.com', credit: '100.5' }));
  const id = created.account.id;
  const client = new TirelireClient({ baseUrl, apiKey: created.apiKey, fetch: recordingFetch });
  const simple = ok(await client.createSubaccount());
  const advanced = ok(
    await client.createSubaccount({
      type: 'advanced',
      parameters: { email: 'pro@example.com', creditToAttribute: '1.25' },
    }),
  );
  const token = simple.subaccount.token;
  const added = ok(
    await client.addCredit({ tokenSubaccount: token, credit: '0.1' }, { idempotencyKey: 'k' }),
  );
  ok(await client.addCredit({ tokenSubaccount: token, credit: '0.1' }, { idempotencyKey: 'k' }));
  ok(await client.removeCredit({ tokenSubaccount: token, credit: '0.05' }));
  const batch = {
    operations: [
      { direction: 'add', tokenSubaccount: token, credit: '2' },
      { direction: 'remove', tokenSubaccount: token, credit: '1000' },
    ],
  } as const;
  ok(await client.batchCredit(batch, { idempotencyKey: 'b' }));
  ok(await client.batchCredit(batch, { idempotencyKey: 'b' }));
  ok(await client.listSubaccounts());
  ok(await client.me());
  ok(await client.getTransfer(added.transferId));
  ok(await admin.topUp(id, { credit: '3' }, { idempotencyKey: 't' }));
  ok(await admin.topUp(id, { credit: '3' }, { idempotencyKey: 't' }));
  ok(await admin.charge(id, { credit: '0.25', tokenSubaccount: advanced.subaccount.token, reason: 'sms' }));
  ok(await client.listTransfers());
  ok(await admin.listTransfers({ accountId: id }));
  ok(await admin.listAccounts({ search: 'shapes@' }));
  ok(await admin.getAccount(id));
  const operators = {
    type: 'advanced',
    parameters: { email: 'ops@example.com', creditToAttribute: '1' },
  } as const;
  ok(await admin.createSubaccount(id, operators, { idempotencyKey: 's' }));
  ok(await admin.createSubaccount(id, operators, { idempotencyKey: 's' }));
  ok(await admin.searchSubaccounts({ search: 'EXAMPLE.com', limit: 2 }));
  ok(await admin.searchSubaccounts({ search: token }));
  await touchEventsAndWebhooks(client, admin, id);
  ok(await client.setRules({ tokenSubaccount: token, lowBalance: '1', autoTopup: { below: '1', to: '5' } }));
  ok(await client.getRules({ tokenSubaccount: token }));
  ok(await admin.setRules(id, { spendingCap: { amount: '50', period: 'month' } }));
  ok(await admin.getRules(id, { tokenSubaccount: token }));
  const held = ok(await admin.hold(id, { credit: '2', tokenSubaccount: token }, { idempotencyKey: 'h' }));
  ok(await admin.hold(id, { credit: '2', tokenSubaccount: token }, { idempotencyKey: 'h' }));
  ok(await admin.capture(held.hold.id, { credit: '1.5' }));
  const voided = ok(await admin.hold(id, { credit: '0.5', reason: 'campaign', expiresIn: 60 }));
  ok(await admin.void(voided.hold.id));
  ok(await admin.getHold(held.hold.id));
  ok(await admin.listHolds(id, { status: 'captured' }));
  ok(await client.deleteSubaccount({ tokenSubaccount: token }));
  ok(await admin.closeSubaccount(id, advanced.subaccount.token));
  ok(await admin.suspend(id, { reason: 'test' }));
  ok(await admin.resume(id));
  ok(await admin.rotateKey(id));
}

async function touchEventsAndWebhooks(client: TirelireClient, admin: TirelireAdminClient, id: number) {
  const events = ok(await client.listEvents({ limit: 5, types: ['transfer.created'] }));
  ok(await admin.listEvents(id, { after: 1 }));
  const input = { url: 'https://receiver.example/hook', types: ['transfer.created'] } as const;
  const hook = ok(await client.createWebhook(input, { idempotencyKey: 'w' })).webhook;
  ok(await client.createWebhook(input, { idempotencyKey: 'w' }));
  ok(await client.listWebhooks());
  ok(await client.rotateWebhookSecret(hook.id));
  ok(await client.resendWebhookEvent(hook.id, events.data[0]!.id));
  ok(await client.listWebhookDeliveries(hook.id, { limit: 10 }));
  ok(await client.deleteWebhook(hook.id));
  const operators = ok(await admin.createWebhook({ url: 'https://operator.example/hook' })).webhook;
  ok(await admin.listWebhooks());
  ok(await admin.listWebhooks({ accountId: id }));
  ok(await admin.rotateWebhookSecret(operators.id));
  ok(await admin.resendWebhookEvent(operators.id, events.data[0]!.id));
  ok(await admin.listWebhookDeliveries(operators.id));
  ok(await admin.deleteWebhook(operators.id));
}

test('every 200 answer is what packages/client/src/shapes.ts says it is, replays included', async () => {
  await touchEveryOperation();
  expect(new Set(answers.map((answer) => answer.operation))).toEqual(new Set(Object.keys(OPERATIONS)));
  expect(answers.filter((answer) => answer.replayed).map((answer) => answer.operation)).toEqual([
    'addCredit',
    'batchCredit',
    'adminTopUp',
    'adminCreateSubaccount',
    'createWebhook',
    'adminPlaceHold',
  ]);
  const refusals = answers.flatMap(({ operation, text, replayed }) => {
    const validate = ajv.compile(ANSWERS[operation]);
    if (validate(JSON.parse(text))) return [];
    return [{ operation, replayed, text, errors: ajv.errorsText(validate.errors) }];
  });
  expect(refusals).toEqual([]);
});

test('the check can fail: an answer off its shape is refused', () => {
  const validate = ajv.compile(ANSWERS.adminGetAccount);
  const answer = {
    success: true,
    code: 200,
    account: {
      id: 1,
      email: 'a@b.c',
      status: 'active',
      balance: '12.5',
      held: '0.000',
      subaccountCount: 0,
      rules: { lowBalance: null, autoTopup: null, spendingCap: null },
      createdAt: new Date(0).toISOString(),
    },
    subaccounts: [],
    actions: [],
  };
  expect(validate(answer)).toBe(false);
  expect(ajv.errorsText(validate.errors)).toContain('/account/balance must match pattern');
  expect(validate({ ...answer, account: { ...answer.account, balance: '12.500' } })).toBe(true);
});
