import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ERRORS } from '../../src/domain/errors.js';
import type { ErrorCode } from '../../src/domain/errors.js';
import { openApp, seedMain, seedSub } from '../helpers/http-fixture.js';
import type { AppFixture, SeededMain, SeededSub } from '../helpers/http-fixture.js';
import { ENCODINGS, RawJson, encodeBody } from '../helpers/request-encoding.js';
import type { Encoding, FieldValue, RequestFields } from '../helpers/request-encoding.js';

/**
 * One row per error code of the add/remove table and per precedence pair, in
 * the contract's order. Every row runs under every body encoding; rows whose
 * values only JSON can carry (numbers, booleans, objects) run under the JSON
 * encodings only. Symbolic values (`$main`, `$sub1`…) are resolved against the
 * seeded accounts.
 */
interface Row {
  readonly name: string;
  readonly path: 'add' | 'remove';
  readonly fields: Record<string, FieldValue | boolean | null | object>;
  readonly code: ErrorCode;
}

const rows: readonly Row[] = [
  { name: 'missing key', path: 'add', fields: { credit: '1', tokenSubaccount: '$sub1' }, code: 1 },
  { name: 'empty key', path: 'add', fields: { apiKey: '', credit: '1', tokenSubaccount: '$sub1' }, code: 1 },
  { name: 'missing key + missing credit → 1', path: 'remove', fields: { tokenSubaccount: '$sub1' }, code: 1 },
  { name: 'missing credit', path: 'add', fields: { apiKey: '$main', tokenSubaccount: '$sub1' }, code: 2 },
  {
    name: 'empty credit',
    path: 'add',
    fields: { apiKey: '$main', credit: '', tokenSubaccount: '$sub1' },
    code: 2,
  },
  { name: 'missing credit + missing token → 2', path: 'remove', fields: { apiKey: '$main' }, code: 2 },
  { name: 'missing token', path: 'add', fields: { apiKey: '$main', credit: '1' }, code: 3 },
  { name: 'wrong key + missing token → 3', path: 'add', fields: { apiKey: '$wrong', credit: '1' }, code: 3 },
  {
    name: 'wrong key',
    path: 'add',
    fields: { apiKey: '$wrong', credit: '1', tokenSubaccount: '$sub1' },
    code: 10,
  },
  {
    name: 'wrong key + invalid amount → 10',
    path: 'remove',
    fields: { apiKey: '$wrong', credit: 'abc', tokenSubaccount: '$sub1' },
    code: 10,
  },
  {
    name: 'over-long key → 10',
    path: 'add',
    fields: { apiKey: 'k'.repeat(201), credit: '1', tokenSubaccount: '$sub1' },
    code: 10,
  },
  {
    name: 'subaccount key',
    path: 'add',
    fields: { apiKey: '$subkey', credit: '1', tokenSubaccount: '$sub1' },
    code: 4,
  },
  {
    name: 'subaccount key + bad amount → 4',
    path: 'remove',
    fields: { apiKey: '$subkey', credit: '1e3', tokenSubaccount: '$sub1' },
    code: 4,
  },
  {
    name: 'suspended main account',
    path: 'add',
    fields: { apiKey: '$suspended', credit: '1', tokenSubaccount: '$sub1' },
    code: 4,
  },
  {
    name: 'amount with letters',
    path: 'add',
    fields: { apiKey: '$main', credit: 'abc', tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount with exponent',
    path: 'add',
    fields: { apiKey: '$main', credit: '1e2', tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount with 7 decimals',
    path: 'add',
    fields: { apiKey: '$main', credit: '0.0000001', tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount over the maximum',
    path: 'add',
    fields: { apiKey: '$main', credit: '1000000000.000001', tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'JSON number with 20 decimals is not rounded',
    path: 'add',
    fields: { apiKey: '$main', credit: new RawJson('0.10000000000000000001'), tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'JSON number with exponent',
    path: 'add',
    fields: { apiKey: '$main', credit: new RawJson('1E2'), tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount true',
    path: 'add',
    fields: { apiKey: '$main', credit: true, tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount null',
    path: 'add',
    fields: { apiKey: '$main', credit: null, tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount object',
    path: 'add',
    fields: { apiKey: '$main', credit: { v: 1 }, tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'amount array',
    path: 'add',
    fields: { apiKey: '$main', credit: ['1'], tokenSubaccount: '$sub1' },
    code: 20,
  },
  {
    name: 'invalid amount + unknown token → 20',
    path: 'add',
    fields: { apiKey: '$main', credit: '1.2.3', tokenSubaccount: '$unknown' },
    code: 20,
  },
  {
    name: 'zero amount',
    path: 'add',
    fields: { apiKey: '$main', credit: '0', tokenSubaccount: '$sub1' },
    code: 5,
  },
  {
    name: 'zero JSON number',
    path: 'remove',
    fields: { apiKey: '$main', credit: new RawJson('0.000'), tokenSubaccount: '$sub1' },
    code: 5,
  },
  {
    name: 'negative + unknown token → 5',
    path: 'add',
    fields: { apiKey: '$main', credit: '-5', tokenSubaccount: '$unknown' },
    code: 5,
  },
  {
    name: 'unknown token',
    path: 'remove',
    fields: { apiKey: '$main', credit: '1', tokenSubaccount: '$unknown' },
    code: 7,
  },
  {
    name: 'unknown token + insufficient → 7',
    path: 'add',
    fields: { apiKey: '$main', credit: '5000', tokenSubaccount: '$unknown' },
    code: 7,
  },
  {
    name: "another owner's token → 7",
    path: 'add',
    fields: { apiKey: '$main', credit: '1', tokenSubaccount: '$other' },
    code: 7,
  },
  {
    name: 'over-long token → 7',
    path: 'add',
    fields: { apiKey: '$main', credit: '1', tokenSubaccount: 't'.repeat(101) },
    code: 7,
  },
  {
    name: 'token of the wrong type → 7',
    path: 'add',
    fields: { apiKey: '$main', credit: '1', tokenSubaccount: { token: 'x' } },
    code: 7,
  },
  {
    name: 'add from a main account at zero',
    path: 'add',
    fields: { apiKey: '$zero', credit: '1', tokenSubaccount: '$zerosub' },
    code: 6,
  },
  {
    name: 'remove from a subaccount at zero + insufficient → 6',
    path: 'remove',
    fields: { apiKey: '$main', credit: '5', tokenSubaccount: '$sub0' },
    code: 6,
  },
  {
    name: 'add more than the main account holds',
    path: 'add',
    fields: { apiKey: '$main', credit: '100.000001', tokenSubaccount: '$sub1' },
    code: 8,
  },
  {
    name: 'remove more than the subaccount holds',
    path: 'remove',
    fields: { apiKey: '$main', credit: new RawJson('10.5'), tokenSubaccount: '$sub1' },
    code: 8,
  },
];

let fixture: AppFixture;
let names: Record<string, string>;
let accountIds: number[];

beforeAll(async () => {
  fixture = await openApp();
  const { store } = fixture;
  const main = await seedMain(store, 'main@example.com', '100');
  const other = await seedMain(store, 'other@example.com', '50');
  const zero = await seedMain(store, 'zero@example.com', '0');
  const suspended = await seedMain(store, 'suspended@example.com', '50');
  const sub1 = await seedSub(store, main, 'sub1@example.com', '10', 'advanced');
  const sub0 = await seedSub(store, main, 'sub0@example.com', null);
  const otherSub = await seedSub(store, other, 'other-sub@example.com', '5');
  const zeroSub = await seedSub(store, zero, 'zero-sub@example.com', null);
  await seedSub(store, suspended, 'suspended-sub@example.com', '5');
  await store.setStatus(suspended.accountId, 'suspended');
  names = symbols(main, zero, suspended, { sub1, sub0, otherSub, zeroSub });
  accountIds = [main, other, zero, suspended].map((account) => account.accountId);
});

afterAll(() => fixture.remove());

function symbols(main: SeededMain, zero: SeededMain, suspended: SeededMain, subs: Record<string, SeededSub>) {
  return {
    $main: main.apiKey,
    $zero: zero.apiKey,
    $suspended: suspended.apiKey,
    $wrong: 'tl_this-key-does-not-exist',
    $subkey: subs['sub1']!.apiKey!,
    $sub1: subs['sub1']!.token,
    $sub0: subs['sub0']!.token,
    $other: subs['otherSub']!.token,
    $zerosub: subs['zeroSub']!.token,
    $unknown: '0123456789abcdef0123456789abcdef',
  };
}

/** Only strings and raw numbers survive a form; other JSON types are JSON-only rows. */
function isFormable(row: Row): boolean {
  return Object.values(row.fields).every((value) => typeof value === 'string' || value instanceof RawJson);
}

function resolve(fields: Row['fields']): RequestFields {
  const resolved: RequestFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') resolved[key] = names[value] ?? value;
    else if (value instanceof RawJson) resolved[key] = value;
    else resolved[key] = new RawJson(JSON.stringify(value));
  }
  return resolved;
}

/** Everything a rejected request must leave unchanged. */
async function ledgerState() {
  const report = await fixture.store.verify();
  const accounts = await Promise.all(accountIds.map((id) => fixture.store.getAccount(id)));
  return {
    transfers: report.transfers,
    total: report.customerBalanceMicros,
    balances: accounts.map((a) => a?.balanceMicros),
  };
}

async function send(row: Row, encoding: Encoding, language: 'fr' | 'en') {
  const body = await encodeBody(resolve(row.fields), encoding);
  const headers = {
    ...body.headers,
    ...(language === 'en' ? { 'accept-language': 'en-GB,en;q=0.9,fr;q=0.5' } : {}),
  };
  return fixture.app.inject({
    method: 'POST',
    url: `/v1/subaccount/credit/${row.path}`,
    payload: body.payload,
    headers,
  });
}

const cases = rows.flatMap((row) =>
  ENCODINGS.filter((encoding) => isFormable(row) || encoding.startsWith('json')).map((encoding) => ({
    row,
    encoding,
  })),
);

describe('credit add/remove errors, in the contract order', () => {
  test.each(cases)('$row.name ($encoding) → $row.code', async ({ row, encoding }) => {
    const before = await ledgerState();
    const response = await send(row, encoding, 'fr');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ success: false, code: row.code, message: ERRORS[row.code].fr });
    expect(response.statusCode).toBe(ERRORS[row.code].http);
    expect(await ledgerState()).toEqual(before);
  });

  test.each(rows)('$name in English → $code', async (row) => {
    const response = await send(row, 'json', 'en');
    expect(response.json()).toEqual({ success: false, code: row.code, message: ERRORS[row.code].en });
  });
});

describe('the key in X-Api-Key', () => {
  const headerRows = rows.filter(
    (row) => typeof row.fields['apiKey'] === 'string' && row.fields['apiKey'] !== '',
  );
  test.each(headerRows)('$name → $code', async (row) => {
    const { apiKey, ...fields } = row.fields;
    const before = await ledgerState();
    const response = await fixture.app.inject({
      method: 'POST',
      url: `/v1/subaccount/credit/${row.path}`,
      payload: (await encodeBody(resolve(fields), 'json')).payload,
      headers: {
        'content-type': 'application/json',
        'x-api-key': names[apiKey as string] ?? (apiKey as string),
      },
    });
    expect(response.json()).toMatchObject({ success: false, code: row.code });
    expect(await ledgerState()).toEqual(before);
  });
});
