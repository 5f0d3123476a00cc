import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { adminClient, ADMIN_TOKEN, type AdminClient } from '../helpers/admin.js';
import { openApp, seedMain, type AppFixture, type SeededMain } from '../helpers/http-fixture.js';

/**
 * One email rule behind every door that takes an address: a subaccount's
 * (`/v1/subaccount/create`) and a main account's (the operator API, which the
 * CLI's `account create` shares). Each row is sent through both; they must
 * agree, and agree with the expected verdict.
 */
const longLocal = 'a'.repeat(254 - '@example.com'.length);
const ROWS: readonly (readonly [name: string, valid: boolean, email: string])[] = [
  ['plain', true, 'shop@example.com'],
  ['dots and a tag', true, 'first.last+tag@mail.example.co'],
  ['254 characters', true, `${longLocal}@example.com`],
  ['255 characters', false, `${longLocal}a@example.com`],
  ['an empty first label', false, 'a@.b.c'],
  ['an empty middle label', false, 'a@b..c'],
  ['an empty last label', false, 'a@b.c.'],
  ['one label', false, 'a@b'],
  ['no local part', false, '@b.c'],
  ['two @', false, 'a@@b.c'],
  ['a space before @', false, 'a b@c.d'],
  ['a space after @', false, 'a@b c.d'],
  ['no @', false, 'not-an-email'],
];

let fixture: AppFixture;
let admin: AdminClient;
let main: SeededMain;

beforeAll(async () => {
  fixture = await openApp({ adminToken: ADMIN_TOKEN });
  admin = adminClient(fixture);
  main = await seedMain(fixture.store, 'owner@example.com', '0');
});
afterAll(() => fixture.remove());

async function subaccountDoor(email: string): Promise<number> {
  const response = await fixture.app.inject({
    method: 'POST',
    url: '/v1/subaccount/create',
    payload: { apiKey: main.apiKey, type: 'advanced', parameters: { email } },
  });
  return response.json<{ code: number }>().code;
}

async function mainAccountDoor(email: string): Promise<number> {
  return (await admin.post('/accounts', { email })).json<{ code: number }>().code;
}

describe('the email rule', () => {
  test.each(ROWS)('%s: valid %s through both doors alike', async (_name, valid, email) => {
    const expected = valid ? 200 : 22;
    expect({ subaccount: await subaccountDoor(email), main: await mainAccountDoor(email) }).toEqual({
      subaccount: expected,
      main: expected,
    });
  });
});
