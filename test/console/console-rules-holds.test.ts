import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TirelireAdminClient, TirelireClient } from 'tirelire-client';
import { collectPageErrors, launchChromium, screenshots, VIEWPORTS } from '../helpers/console-browser.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';

/**
 * The console's views of balance rules and holds, in a real browser against
 * the real server: accounts below their low-balance threshold highlighted,
 * held and available balances, closed subaccounts marked closed, a
 * subaccount's rules edited in a dialog, holds captured in part and voided.
 */
describe('operator console: rules, holds, closed subaccounts', () => {
  const token = randomBytes(24).toString('base64url');
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let admin: TirelireAdminClient;
  let accountId: number;
  let shop: string;

  const must = <R extends { ok: boolean }>(result: R): Extract<R, { ok: true }> => {
    if (!result.ok) throw new Error(`seeding failed: ${JSON.stringify(result)}`);
    return result as Extract<R, { ok: true }>;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tirelire-console-rules-'));
    server = await startServerProcess({
      databaseUrl: join(dataDir, 'tirelire.db'),
      env: { TIRELIRE_ADMIN_TOKEN: token },
    });
    admin = new TirelireAdminClient({ baseUrl: server.url, token });
    const alice = must(await admin.createAccount({ email: 'alice@example.com', credit: '100' }));
    accountId = alice.account.id;
    must(await admin.createAccount({ email: 'bob@example.com', credit: '100' }));
    const client = new TirelireClient({ baseUrl: server.url, apiKey: alice.apiKey });
    shop = must(
      await client.createSubaccount({ parameters: { email: 'shop@example.com', creditToAttribute: '20' } }),
    ).subaccount.token;
    const gone = must(
      await client.createSubaccount({ parameters: { email: 'gone@example.com', creditToAttribute: '1' } }),
    );
    must(await client.deleteSubaccount({ tokenSubaccount: gone.subaccount.token }));
    // Alice's own threshold is above what she has: she is listed as low.
    must(await admin.setRules(accountId, { lowBalance: '200' }));
    must(await client.setRules({ tokenSubaccount: shop, lowBalance: '18' }));
    must(await admin.hold(accountId, { credit: '5', tokenSubaccount: shop, reason: 'campagne mars' }));
    must(await admin.hold(accountId, { credit: '3' }));

    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORTS.laptop, locale: 'fr-FR' });
    page.setDefaultTimeout(10_000);
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const unlabelled = () =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select'))
        .filter((field) => (field as HTMLInputElement).labels?.length === 0)
        .map((field) => field.outerHTML),
    );

  it('highlights the accounts below their low-balance threshold', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Jeton opérateur').fill(token);
    await page.getByLabel('Jeton opérateur').press('Enter');
    await page.getByRole('heading', { name: 'Comptes' }).waitFor();
    const alice = page.locator('tr.account-row', { hasText: 'alice@example.com' });
    const bob = page.locator('tr.account-row', { hasText: 'bob@example.com' });
    await alice.waitFor();
    expect(await alice.getAttribute('class')).toContain('low');
    expect(await alice.getByTestId('low-balance').textContent()).toBe('solde bas');
    expect(await bob.getAttribute('class')).not.toContain('low');
    await screenshots(page, 'rules-accounts');
  });

  it('shows held and available, the rules, closed subaccounts and the holds on the account page', async () => {
    await page.getByRole('link', { name: 'alice@example.com' }).click();
    await page.getByRole('heading', { name: 'alice@example.com' }).waitFor();
    await expect.poll(() => page.getByTestId('held').textContent()).toBe('3,00\u00a0€');
    // 100 − 20 − 1 + 1 (the closed subaccount's balance came back) = 80, 3 of it held.
    expect(await page.getByTestId('balance').textContent()).toBe('80,00\u00a0€');
    expect(await page.getByTestId('available').textContent()).toBe('77,00\u00a0€');
    expect(await page.getByTestId('rules').textContent()).toBe('alerte sous 200,00\u00a0€');
    const closed = page.locator('table.subaccounts tr', { hasText: 'gone@example.com' });
    expect(await closed.getAttribute('class')).toContain('closed');
    expect(await closed.textContent()).toContain('fermé');
    const shopRow = page.locator('table.subaccounts tr', { hasText: 'shop@example.com' });
    // 20 with 5 held: 15 available, under its threshold of 18.
    expect(await shopRow.getAttribute('class')).toContain('low');
    expect(await shopRow.textContent()).toContain('alerte sous 18,00\u00a0€');
    const holds = page.locator('table.holds tbody tr');
    await expect.poll(() => holds.count()).toBe(2);
    expect(await holds.nth(1).textContent()).toContain('campagne mars');
    expect(await holds.nth(1).textContent()).toContain('en attente');
    expect(await unlabelled()).toEqual([]);
    await screenshots(page, 'rules-account');
  });

  it("edits a subaccount's rules in a dialog: what is saved is what the API then reads", async () => {
    const shopRow = page.locator('table.subaccounts tr', { hasText: 'shop@example.com' });
    await shopRow.getByRole('button', { name: 'Modifier les règles' }).click();
    const dialog = page.getByRole('dialog');
    // The rule as the operator writes it: "18", not "18,000" (which reads as eighteen thousand in French).
    expect(await dialog.getByLabel('Alerte sous (EUR)').inputValue()).toBe('18');
    await dialog.getByLabel('Alerte sous (EUR)').fill('');
    await dialog.getByLabel('Recharge automatique sous (EUR)').fill('2');
    await dialog.getByLabel('Recharge', { exact: true }).selectOption('add');
    await dialog.getByLabel('Montant de la recharge (EUR)').fill('4,5');
    await dialog.getByLabel('Plafond de dépenses (EUR)').fill('10');
    await dialog.getByLabel('Par').selectOption('month');
    expect(await unlabelled()).toEqual([]);
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => dialog.getByTestId('rules-summary').textContent())
      .toBe('recharge de 4,50\u00a0€ sous 2,00\u00a0€ · plafond 10,00\u00a0€ par mois');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => shopRow.textContent()).toContain('plafond 10,00\u00a0€ par mois');
    expect(await page.getByRole('status').first().textContent()).toBe(
      'Règles enregistrées pour shop@example.com.',
    );
    expect(await shopRow.getAttribute('class')).not.toContain('low');
    const read = must(await admin.getRules(accountId, { tokenSubaccount: shop }));
    expect(read.rules).toEqual({
      lowBalance: null,
      autoTopup: { below: '2.000', add: '4.500' },
      spendingCap: { amount: '10.000', period: 'month' },
    });
  });

  it('captures a hold in part and voids the other; the held amount goes back', async () => {
    const shopHold = page.locator('table.holds tbody tr', { hasText: 'campagne mars' });
    await shopHold.getByRole('button', { name: 'Encaisser' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Montant à encaisser (EUR, vide : toute la réservation)').fill('2');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => dialog.textContent())
      .toContain('Encaisser 2,00\u00a0€ de la réservation de 5,00\u00a0€');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => shopHold.textContent()).toContain('encaissée');
    expect(await page.getByRole('status').first().textContent()).toBe(
      'Encaissé 2,00\u00a0€ sur la réservation de 5,00\u00a0€.',
    );
    expect(await shopHold.textContent()).toContain('2,00\u00a0€');
    const mainHold = page.locator('table.holds tbody tr').first();
    await mainHold.getByRole('button', { name: 'Libérer' }).click();
    await expect.poll(() => dialog.textContent()).toContain('Libérer la réservation de 3,00\u00a0€');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => mainHold.textContent()).toContain('libérée');
    expect(await page.getByRole('status').first().textContent()).toBe('Réservation de 3,00\u00a0€ libérée.');
    await expect.poll(() => page.getByTestId('held').textContent()).toBe('0,00\u00a0€');
    expect(await page.locator('table.transfers tbody tr').first().textContent()).toContain('débit');
    await screenshots(page, 'holds-account');
    expect(pageErrors).toEqual([]);
  });
});
