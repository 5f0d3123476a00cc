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
 * | `email` | 254 characters and `local@domain.tld` | 22 |
 * | `title`, `firstname`, `lastname` | 100 characters | 22 |
 * | `page` | 1 to 1 000 000 | 22 |
 * | `X-Request-Id` | 128 characters of `[A-Za-z0-9._:-]` | ignored, one is generated |
 * | `Accept-Language` | 500 characters | ignored, French |
 */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
export const MAX_MULTIPART_PARTS = 50;
export const MAX_BATCH_BODY_BYTES = 1024 * 1024;
export const MAX_BATCH_OPERATIONS = 1000;
export const MAX_API_KEY_LENGTH = 200;
export const MAX_TOKEN_LENGTH = 100;
export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 100;
export const MAX_PAGE = 1_000_000;
