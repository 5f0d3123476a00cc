import type { OperationName } from './operations.js';
import {
  allRequired,
  arrayOf,
  boolean,
  constant,
  dateTime,
  describe,
  integer,
  moneyNumber,
  moneyString,
  nullable,
  object,
  ok,
  oneOf,
  enumOf,
  text,
  type Schema,
} from './schema.js';
import type { EventType } from './vocabulary.js';

/**
 * The JSON of every answer, defined once: the server documents its routes
 * with these objects (/openapi.json) and writes its answers to their types,
 * and the SDK's results (and so the console's) are their types.
 */

/** The Mailpartner list's fixed page size (`nb_per_page`). */
export const SUBACCOUNTS_PER_PAGE = 20;

export const transferKindSchema = enumOf(['add', 'remove', 'topup', 'charge', 'autotopup', 'close']);
const subaccountTypeSchema = enumOf(['simple', 'advanced']);

/**
 * An account's balance rules (contract section 8); null where a rule is not
 * set. `autoTopup` has `to` or `add`, never both.
 */
export const rulesSchema = allRequired({
  lowBalance: nullable(describe(moneyString, 'balance.low below this available balance.')),
  autoTopup: nullable(
    oneOf(
      allRequired({ below: moneyString, to: moneyString }),
      allRequired({ below: moneyString, add: moneyString }),
    ),
  ),
  spendingCap: nullable(allRequired({ amount: moneyString, period: enumOf(['day', 'month']) })),
});

const held = describe(moneyString, 'Its own pending holds; available = balance − held.');

/** A main account as the operator API shows it. Money is decimal text there: a browser's JSON.parse would round a number. */
export const accountSchema = allRequired({
  id: integer,
  email: text(),
  status: enumOf(['active', 'suspended']),
  balance: describe(moneyString, 'The posted balance.'),
  held,
  subaccountCount: integer,
  rules: rulesSchema,
  createdAt: dateTime,
});

const subaccountFields = {
  id: integer,
  email: text(),
  token: text(),
  type: subaccountTypeSchema,
  status: enumOf(['active', 'closed']),
  balance: describe(moneyString, 'The posted balance.'),
  held,
  rules: rulesSchema,
  createdAt: dateTime,
  closedAt: nullable(dateTime),
};

/** A subaccount as the operator sees it: closed ones too (status `closed`, balance 0, history kept). */
export const subaccountSchema = allRequired(subaccountFields);

/** A subaccount found by the operator's search, with its main account. */
export const foundSubaccountSchema = allRequired({
  ...subaccountFields,
  accountId: describe(integer, 'Its main account.'),
  accountEmail: describe(text(), "Its main account's email."),
});

/** A hold (contract section 9); `accountId` is the main account of its tree, even for a subaccount's hold. */
export const holdSchema = allRequired({
  id: describe(text(), '`hold_…`, opaque.'),
  accountId: describe(integer, 'The main account.'),
  tokenSubaccount: nullable(text()),
  amount: moneyString,
  captured: moneyString,
  status: enumOf(['pending', 'captured', 'voided', 'expired']),
  reason: nullable(text()),
  createdAt: dateTime,
  expiresAt: dateTime,
});

/** A transfer as the operator API shows it: both balances it left, and who did it and why. */
export const transferSchema = allRequired({
  id: text(),
  kind: transferKindSchema,
  amount: moneyString,
  accountId: describe(integer, 'The main account.'),
  tokenSubaccount: nullable(text()),
  debitAccountId: integer,
  creditAccountId: integer,
  mainBalanceAfter: nullable(moneyString),
  subaccountBalanceAfter: nullable(moneyString),
  reason: nullable(text()),
  operator: nullable(text()),
  idempotencyKey: nullable(text()),
  createdAt: dateTime,
});

/** A suspend, resume or rotate-key, kept forever in the account's audit trail. */
export const actionSchema = allRequired({
  id: integer,
  action: enumOf(['suspend', 'resume', 'rotate-key']),
  operator: text(),
  reason: nullable(text()),
  createdAt: dateTime,
});

/** One transfer of the public history: the caller's moves and the operator's top-ups and charges. */
export const historyTransferSchema = allRequired({
  id: text(),
  direction: transferKindSchema,
  tokenSubaccount: nullable(text()),
  amount: moneyNumber,
  credit: nullable(describe(moneyNumber, "The main account's balance after it (null when untouched).")),
  subaccountCredit: nullable(describe(moneyNumber, "The subaccount's balance after it.")),
  createdAt: dateTime,
  idempotencyKey: nullable(text()),
});

/** A page of a listing, newest first; `nextCursor` is null on the last. */
export const pageOf = <T>(items: Schema<T>) =>
  ok({ data: arrayOf(items), nextCursor: nullable(text()) }, ['data', 'nextCursor']);

const creditMoved = ok(
  {
    credit: describe(moneyNumber, "The main account's balance after the transfer (exact)."),
    subaccountCredit: describe(moneyNumber, "The subaccount's balance after the transfer (exact)."),
    currency: constant('EUR'),
    transferId: text(),
  },
  ['credit', 'subaccountCredit', 'currency', 'transferId'],
);

const batchResult = object(
  {
    success: boolean,
    code: integer,
    message: text('On a refusal: the message of `code`.'),
    credit: moneyNumber,
    subaccountCredit: moneyNumber,
    transferId: text(),
  },
  ['success', 'code'],
);

const credits = object({ balance: moneyString, currency: constant('EUR') }, ['balance', 'currency']);

const subaccountListItem = object(
  {
    id: integer,
    email: text(),
    type: subaccountTypeSchema,
    token: text(),
    createdAt: describe(text(), '`YYYY-MM-DD HH:MM:SS`, UTC'),
    credits,
  },
  ['id', 'email', 'type', 'token', 'createdAt', 'credits'],
);

/** An event type name; the list is in docs/webhooks.md (the types of later issues slot in without a change here). */
const eventTypeSchema: Schema<EventType> = {
  type: 'string',
  description: 'An event type, e.g. `transfer.created`, `balance.depleted`, `subaccount.created`.',
  examples: ['transfer.created'],
};

/** What the event is about, as its own answer shows it (a transfer as the history does); money as exact strings. */
const eventDataSchema: Schema<Readonly<Record<string, unknown>>> = {
  type: 'object',
  description:
    'The object concerned, not wrapped: a transfer exactly as `GET /v1/subaccount/credit/transfers/{id}` shows it but with money as strings, an account with its balance, …',
};

/** An event (contract section 7), as the feed lists it and a webhook receives it. */
export const eventSchema = allRequired({
  id: describe(text(), '`evt_…`; the `webhook-id` of its deliveries.'),
  type: eventTypeSchema,
  sequence: describe(integer, "Counts the tree's events from 1, gap-free, in commit order."),
  accountId: describe(integer, 'The main account of the tree.'),
  createdAt: dateTime,
  data: eventDataSchema,
});

const webhookFields = {
  id: describe(text(), '`we_…`'),
  url: text(),
  types: nullable(arrayOf(eventTypeSchema, 'Only these types; null for every type.')),
  status: enumOf(['enabled', 'disabled']),
  createdAt: dateTime,
};

/** A webhook endpoint, without its secret. */
export const webhookSchema = allRequired(webhookFields);

/** A webhook endpoint with its signing secret, shown once: at creation and at each rotation. */
const webhookWithSecretSchema = allRequired({
  ...webhookFields,
  secret: nullable(
    describe(text(), '`whsec_` + base64: shown in this answer only (null in an idempotent replay).'),
  ),
});

/** One attempt of the deliveries log, newest first. */
export const deliveryAttemptSchema = allRequired({
  eventId: text(),
  attempt: describe(integer, '1 for the first attempt of a delivery.'),
  status: nullable(describe(integer, 'The HTTP status the endpoint answered.')),
  error: nullable(describe(text(), 'Why no 2xx came: a timeout, a refused connection or address, …')),
  durationMs: integer,
  at: dateTime,
});

const eventPage = ok(
  {
    data: arrayOf(eventSchema, 'Oldest first.'),
    nextAfter: describe(
      integer,
      'The last sequence of this page (`after` on an empty page): pass it as `after`.',
    ),
  },
  ['data', 'nextAfter'],
);
const createdWebhook = ok({ webhook: webhookWithSecretSchema }, ['webhook']);
const webhookList = ok({ data: arrayOf(webhookSchema) }, ['data']);
const done = ok({}, []);
const resent = ok({ eventId: text() }, ['eventId']);

const moved = ok({ transfer: transferSchema, account: accountSchema }, ['transfer', 'account']);
const accountOnly = ok({ account: accountSchema }, ['account']);
const rulesAnswer = ok({ rules: rulesSchema }, ['rules']);
const holdSettled = ok(
  {
    hold: holdSchema,
    account: describe(accountSchema, 'The main account of the tree, after.'),
    transfer: describe(transferSchema, 'A capture: the charge.'),
  },
  ['hold', 'account'],
);

/** The 200 answer of every operation the SDK calls (the metrics and this document aside). */
export const ANSWERS = {
  addCredit: creditMoved,
  removeCredit: creditMoved,
  batchCredit: ok(
    {
      results: arrayOf(batchResult),
      credit: describe(moneyNumber, "The main account's balance after the batch."),
    },
    ['results', 'credit'],
  ),
  createSubaccount: ok(
    {
      subaccount: object({ email: text(), token: text(), apiKey: text('advanced subaccounts only') }, [
        'email',
        'token',
      ]),
      parent_email: text(),
      transferId: text('When `creditToAttribute` was given: the opening transfer.'),
    },
    ['subaccount', 'parent_email'],
  ),
  listSubaccounts: ok(
    {
      total: integer,
      nb_per_page: constant(SUBACCOUNTS_PER_PAGE),
      page: integer,
      data: arrayOf(subaccountListItem),
    },
    ['total', 'nb_per_page', 'page', 'data'],
  ),
  me: ok({ user: object({ username: text() }, ['username']), credits }, ['user', 'credits']),
  listTransfers: pageOf(historyTransferSchema),
  getTransfer: ok({ transfer: historyTransferSchema }, ['transfer']),
  health: ok({ status: constant('ok') }, ['status']),
  ready: ok({ status: constant('ready'), store: enumOf(['sqlite', 'postgres']) }, ['status', 'store']),
  adminListAccounts: pageOf(accountSchema),
  adminCreateAccount: ok({ account: accountSchema, apiKey: text(), transferId: nullable(text()) }, [
    'account',
    'apiKey',
    'transferId',
  ]),
  adminGetAccount: ok(
    {
      account: accountSchema,
      subaccounts: arrayOf(subaccountSchema),
      actions: arrayOf(actionSchema, 'Suspend, resume, rotate-key; newest first.'),
    },
    ['account', 'subaccounts', 'actions'],
  ),
  adminTopUp: moved,
  adminCharge: moved,
  adminSuspend: accountOnly,
  adminResume: accountOnly,
  adminRotateKey: ok({ account: accountSchema, apiKey: text() }, ['account', 'apiKey']),
  adminListTransfers: pageOf(transferSchema),
  listEvents: eventPage,
  createWebhook: createdWebhook,
  listWebhooks: webhookList,
  deleteWebhook: done,
  rotateWebhookSecret: createdWebhook,
  listWebhookDeliveries: pageOf(deliveryAttemptSchema),
  resendWebhookEvent: resent,
  adminListEvents: eventPage,
  adminCreateWebhook: createdWebhook,
  adminListWebhooks: webhookList,
  adminDeleteWebhook: done,
  adminRotateWebhookSecret: createdWebhook,
  adminListWebhookDeliveries: pageOf(deliveryAttemptSchema),
  adminResendWebhookEvent: resent,
  deleteSubaccount: ok(
    {
      credit: describe(moneyNumber, "The main account's available balance after (exact)."),
      transferId: nullable(describe(text(), 'The `close` transfer; null when the balance was 0.')),
    },
    ['credit', 'transferId'],
  ),
  getRules: rulesAnswer,
  setRules: rulesAnswer,
  adminGetRules: rulesAnswer,
  adminSetRules: rulesAnswer,
  adminCloseSubaccount: ok(
    {
      subaccount: describe(subaccountSchema, 'As the close left it: `closed`, balance 0.'),
      transferId: nullable(describe(text(), 'The `close` transfer; null when the balance was 0.')),
      mainAvailable: describe(moneyString, "The main account's available balance after."),
    },
    ['subaccount', 'transferId', 'mainAvailable'],
  ),
  adminPlaceHold: ok(
    { hold: holdSchema, account: describe(accountSchema, 'The main account of the tree, after.') },
    ['hold', 'account'],
  ),
  adminCaptureHold: holdSettled,
  adminVoidHold: holdSettled,
  adminGetHold: ok({ hold: holdSchema }, ['hold']),
  adminListHolds: pageOf(holdSchema),
  adminCreateSubaccount: ok(
    {
      subaccount: subaccountSchema,
      apiKey: nullable(
        describe(
          text(),
          "An advanced subaccount's own key, in this answer only (null in an idempotent replay).",
        ),
      ),
      transferId: nullable(describe(text(), 'The opening `add`, when `creditToAttribute` was given.')),
    },
    ['subaccount', 'apiKey', 'transferId'],
  ),
  adminSearchSubaccounts: pageOf(foundSubaccountSchema),
} as const satisfies Record<OperationName, Schema>;
