import { parseAnswer } from './answer.js';
import { MESSAGES } from './messages.js';
import type { CodeOf, OperationName } from './operations.js';
import type { Money, Shape } from './schema.js';
import type {
  accountSchema,
  actionSchema,
  ANSWERS,
  deliveryAttemptSchema,
  eventSchema,
  foundSubaccountSchema,
  webhookSchema,
  historyTransferSchema,
  holdSchema,
  pageOf,
  rulesSchema,
  subaccountSchema,
  transferKindSchema,
  transferSchema,
} from './shapes.js';
import { TirelireProtocolError, type RawAnswer } from './transport.js';
import type { Direction } from './vocabulary.js';

export type { Money } from './schema.js';
export type { Direction, EventType } from './vocabulary.js';

/** What a transfer is: a public add or remove, an operator's top-up or charge, an automatic top-up, a subaccount's closing. */
export type TransferKind = Shape<typeof transferKindSchema>;

interface AnswerMeta {
  /** The HTTP status. */
  readonly status: number;
  /** The server's `x-request-id`, to quote when asking about a request. */
  readonly requestId: string | null;
  /** The Idempotency-Key sent (POST only), the same for every retry of the call. */
  readonly idempotencyKey: string | null;
  /** The server answered from its idempotency record: this call moved nothing new. */
  readonly replayed: boolean;
  readonly attempts: number;
}

export type Success<T> = { readonly ok: true; readonly code: 200 } & AnswerMeta & T;
export type Failure<C extends number> = {
  readonly ok: false;
  readonly code: C;
  readonly message: string;
  /** Code 22: the parameter the server refused (`limit`, `_format`, …), when it says which. */
  readonly param?: string;
} & AnswerMeta;

/** What an operation answers: its data (by default its documented 200 answer), or one of the codes it is documented to answer. */
export type Result<K extends OperationName, T = Answer<K>> = Success<T> | Failure<CodeOf<K>>;

/** The fields of an operation's 200 answer besides `success` and `code` (shapes.ts, the one definition). */
export type Answer<K extends OperationName> = Omit<Shape<(typeof ANSWERS)[K]>, 'success' | 'code'>;

// The answers' names, each the type of its schema in shapes.ts.
export type CreditMove = Answer<'addCredit'>;
export type BatchAnswer = Answer<'batchCredit'>;
export type BatchItemResult = BatchAnswer['results'][number];
export type CreatedSubaccount = Answer<'createSubaccount'>;
export type SubaccountList = Answer<'listSubaccounts'>;
export type SubaccountListItem = SubaccountList['data'][number];
export type Me = Answer<'me'>;
export type HistoryTransfer = Shape<typeof historyTransferSchema>;
export type Health = Answer<'health'> | Answer<'ready'>;
export type Account = Shape<typeof accountSchema>;
export type Subaccount = Shape<typeof subaccountSchema>;
export type Transfer = Shape<typeof transferSchema>;
export type OperatorAction = Shape<typeof actionSchema>;
export type CreatedAccount = Answer<'adminCreateAccount'>;
/** An event as the feed lists it and a webhook receives it (`data` is the object concerned). */
export type Event = Shape<typeof eventSchema>;
export type EventPage = Answer<'listEvents'>;
export type Webhook = Shape<typeof webhookSchema>;
/** A webhook with its signing secret: the answer of a creation or a rotation. */
export type WebhookWithSecret = Answer<'createWebhook'>['webhook'];
export type DeliveryAttempt = Shape<typeof deliveryAttemptSchema>;
export type AccountDetail = Answer<'adminGetAccount'>;
export type MovedCredit = Answer<'adminTopUp'>;
export type Rules = Shape<typeof rulesSchema>;
export type Hold = Shape<typeof holdSchema>;
export type HoldChange = Answer<'adminCaptureHold'>;
export type DeletedSubaccount = Answer<'deleteSubaccount'>;
export type ClosedSubaccount = Answer<'adminCloseSubaccount'>;
/** The operator's creation of a subaccount: `apiKey` is an advanced subaccount's own, shown this once. */
export type OperatorCreatedSubaccount = Answer<'adminCreateSubaccount'>;
/** A subaccount found by the operator's search, with its main account's id and email. */
export type FoundSubaccount = Shape<typeof foundSubaccountSchema>;
/** A page of a listing; pass `nextCursor` back as `cursor` for the next (older) page. */
export type Page<T> = Omit<Shape<ReturnType<typeof pageOf<T>>>, 'success' | 'code'>;

/** A move of a batch: what the caller sends, not an answer. */
export interface BatchOperation {
  readonly direction: Direction;
  readonly tokenSubaccount: string;
  readonly credit: Money;
}

export interface CsvPage {
  readonly csv: string;
  /** From `X-Next-Cursor`: more rows follow; null when this export was the last. */
  readonly nextCursor: string | null;
}

/** Turns a raw answer into a typed result: the envelope's `code` decides success. */
export function toResult<K extends OperationName, T = Answer<K>>(answer: RawAnswer): Result<K, T> {
  const body = parseAnswer(answer.text);
  if (typeof body !== 'object' || body === null || typeof (body as { code?: unknown }).code !== 'number') {
    throw new TirelireProtocolError(MESSAGES[answer.language].notTirelire(answer.status), answer.status);
  }
  // `success` is restated as `ok`, the discriminant of the result.
  const fields: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  delete fields['success'];
  return { ...fields, ...meta(answer), ok: fields['code'] === 200 } as unknown as Result<K, T>;
}

/** A CSV export: the text on success, else the JSON refusal. */
export function toCsvResult<K extends OperationName>(answer: RawAnswer): Result<K, CsvPage> {
  if (answer.status === 200 && (answer.headers.get('content-type') ?? '').startsWith('text/csv')) {
    const csv = { csv: answer.text, nextCursor: answer.headers.get('x-next-cursor') };
    return { ...csv, ...meta(answer), ok: true, code: 200 } as Result<K, CsvPage>;
  }
  return toResult<K, CsvPage>(answer);
}

function meta(answer: RawAnswer): AnswerMeta {
  return {
    status: answer.status,
    requestId: answer.headers.get('x-request-id'),
    idempotencyKey: answer.idempotencyKey,
    replayed: answer.headers.get('idempotent-replayed') === 'true',
    attempts: answer.attempts,
  };
}
