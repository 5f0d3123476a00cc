/**
 * Every input Tirelire reads is bounded, so no request can make it hold or
 * hash unbounded text. What happens past a bound follows the contract's codes:
 *
 * | input | bound | past the bound |
 * |---|---|---|
 * | request body (add, remove, create) | 64 KiB by default (`bodyLimitBytes`) | 413 |
 * | request body of credit/batch | 1 MiB | 413 |
 * | operations of one batch | 1 to 1000 | 28 |
 * | multipart body | 50 parts, each field ≤ the body limit, no files | 413 |
 * | `apiKey` (body, query or `X-Api-Key`) | 200 characters | 10, wrong key |
 * | `tokenSubaccount` | 100 characters | 7, no such subaccount |
 * | `credit`, `creditToAttribute` | 64 characters | 20, invalid amount |
 * | `email` | 254 characters and `local@domain.tld` (src/domain/email.ts) | 22 |
 * | `title`, `firstname`, `lastname` | 100 characters | 22 |
 * | `page` | 1 to 1 000 000 | 22 |
 * | `limit` of a transfer page (public history, operator listing) | 1 to 1000; CSV 1 to 10 000 | 22 |
 * | `limit` of the operator's account list, of its subaccount search | 1 to 100 | 22 |
 * | `search` of the operator's account list, of its subaccount search | 254 characters | 22 |
 * | subaccounts one page of the subaccount search examines | 10 000 | the page ends there, `nextCursor` goes on |
 * | `after` of the event feed | 0 to 2^53 − 1 | 22 |
 * | `limit` of the event feed | 1 to 1000 | 22 |
 * | `types` of the event feed, of an endpoint | known type names, at most 50 | 22 |
 * | webhook `url` | 2048 characters, http(s), a public address | 38 |
 * | `limit` of a deliveries log page | 1 to 1000 | 22 |
 * | `limit` of the operator's hold list | 1 to 1000 | 22 |
 * | `expiresIn` of a hold | whole seconds, 1 to 604 800 (7 days) | 22 |
 * | `X-Request-Id` | 128 characters of `[A-Za-z0-9._:-]` | ignored, one is generated |
 * | `Accept-Language` | 500 characters | ignored, French |
 */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_MULTIPART_PARTS = 50;
export const MAX_BATCH_BODY_BYTES = 1024 * 1024;
/** The contract's bound on one `credit/batch` request (code 28 beyond); not the group commit's size. */
export const MAX_BATCH_OPERATIONS = 1000;
export const MAX_API_KEY_LENGTH = 200;
export const MAX_TOKEN_LENGTH = 100;
export const MAX_NAME_LENGTH = 100;
export const MAX_PAGE = 1_000_000;
/** A page of transfers, in the public history and the operator's listing alike. */
export const DEFAULT_TRANSFER_PAGE = 50;
export const MAX_TRANSFER_PAGE = 1000;
/** A CSV answer with `limit` is one bounded page, `X-Next-Cursor` naming the next; without, it streams everything. */
export const MAX_TRANSFER_CSV_PAGE = 10_000;
/** The operator's list of main accounts. */
export const DEFAULT_ACCOUNT_PAGE = 50;
export const MAX_ACCOUNT_PAGE = 100;

/** The operator's subaccount search (GET /admin/v1/subaccounts). */
export const DEFAULT_SUBACCOUNT_PAGE = 50;
export const MAX_SUBACCOUNT_PAGE = 100;
/**
 * No index finds a part of an email, so one page of the subaccount search
 * examines at most this many subaccounts, newest first (docs/admin-api.md
 * says what that costs); the next page goes on below them.
 */
export const MAX_SUBACCOUNTS_EXAMINED = 10_000;

/** GET /admin/v1/accounts/:id lists this many subaccounts at most; `subaccountCount` tells the whole. */
export const MAX_SUBACCOUNTS_SHOWN = 1000;
/** GET /admin/v1/accounts/:id shows the latest suspend/resume/rotate-key actions, newest first. */
export const MAX_ACTIONS_SHOWN = 100;

/** A page of an endpoint's deliveries log, newest first. */
export const DEFAULT_DELIVERY_PAGE = 50;
export const MAX_DELIVERY_PAGE = 1000;
/** Type names in one `types` list (each known, so at most the number of types; extra repeats are 22). */
export const MAX_TYPES_LISTED = 50;

/** The operator's list of holds. */
export const DEFAULT_HOLD_PAGE = 50;
export const MAX_HOLD_PAGE = 1000;
