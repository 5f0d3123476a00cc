import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TirelireClient } from 'tirelire-client';
import { collectPageErrors, launchChromium, screenshots } from '../helpers/console-browser.js';
import { postJson, startServerProcess } from '../helpers/server-process.js';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.js';
import type { ServerProcess } from '../helpers/server-process.js';

/**
 * The operator console in a real browser against the real server process:
 * sign in, create an account, top it up, read the new balance and the
 * transfer, charge it, download the CSV, suspend it with a reason and read it
 * in the operator actions. Each step also leaves screenshots
 * at laptop and phone sizes in test-results/console/.
 */
describe('operator console, end to end', () => {
  const token = randomBytes(24).toString('base64url');
  const email = `console-${randomBytes(4).toString('hex')}@example.com`;
  let dataDir: string;
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  let apiKey: string;
  let receiver: Receiver;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tirelire-console-'));
    server = await startServerProcess({
      databaseUrl: join(dataDir, 'tirelire.db'),
      env: { TIRELIRE_ADMIN_TOKEN: token, WEBHOOK_ALLOW_PRIVATE: '1', WEBHOOK_RETRY_SCHEDULE: '60000' },
    });
    // The account's receiver refuses the first attempt at each event, so the log has a failure to resend.
    receiver = await startReceiver((attempt) => (attempt === 1 ? 503 : 200));
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await receiver?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('is served at /console from the package, with a strict content policy', async () => {
    const response = await page.goto(`${server.url}/console`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${server.url}/console/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await expect.poll(() => page.getByRole('heading', { name: 'Connexion' }).isVisible()).toBe(true);
    await screenshots(page, 'sign-in');
  });

  it('refuses a wrong token in words and keeps no token anywhere', async () => {
    await page.getByLabel('Jeton opérateur').fill('not-the-token');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect((await alert.textContent())?.trim().length).toBeGreaterThan(5);

    // Keyboard only: type the token and press Enter.
    await page.getByLabel('Jeton opérateur').fill(token);
    await page.getByLabel('Votre nom (journal des actions)').fill('Camille');
    await page.getByLabel('Jeton opérateur').press('Enter');
    await page.getByRole('heading', { name: 'Comptes' }).waitFor();
    expect(page.url()).not.toContain(token);
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toContain(token);
    expect(await context.cookies()).toEqual([]);
  });

  it('creates an account and shows its key once, with a copy button', async () => {
    await page.getByRole('button', { name: 'Nouveau compte' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('E-mail').fill(email);
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect.poll(() => dialog.textContent()).toContain(`Créer le compte ${email}`);
    await screenshots(page, 'confirm');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    const key = dialog.getByLabel("Clé d'API du nouveau compte");
    await key.waitFor();
    expect(await key.inputValue()).toMatch(/^tl_/);
    apiKey = await key.inputValue();
    await dialog.getByRole('button', { name: 'Copier' }).click();
    await dialog.getByRole('button', { name: 'Copiée' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await key.inputValue());
    await screenshots(page, 'new-key');
    await dialog.getByRole('link', { name: 'Voir le compte' }).click();
    await page.getByRole('heading', { name: email }).waitFor();
    expect(await page.getByTestId('balance').textContent()).toBe('0,00\u00a0€');
  });

  it('tops the account up from the keyboard and shows the new balance and the transfer', async () => {
    await page.getByRole('button', { name: 'Créditer' }).focus();
    await page.keyboard.press('Enter');
    // The amount field has the focus as the dialog opens; a French comma is accepted.
    await page.keyboard.type('12,5');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(`Créditer 12,50\u00a0€ au compte ${email}`);
    // The Confirm button has the focus on the confirmation step.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('12,50\u00a0€');
    const row = page.locator('table.transfers tbody tr').first();
    await expect.poll(() => row.textContent()).toContain('crédit');
    expect(await row.textContent()).toContain('12,50\u00a0€');
    expect(await row.textContent()).toContain('Camille');
    // The confirmation says what was done, with the balance the API answered, and stays.
    expect(await page.getByRole('status').first().textContent()).toBe(
      'Crédité 12,50\u00a0€ — nouveau solde 12,50\u00a0€',
    );
    await page.locator('#balance-chart canvas').first().waitFor();
    // Hovering the chart shows the balance at that moment, in the page's format.
    const over = page.locator('#balance-chart .u-over');
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width - 4, y: box.height / 2 } });
    await expect.poll(() => page.locator('#balance-chart .u-legend').textContent()).toContain('12,50\u00a0€');
  });

  it('says why a charge larger than the balance is refused, in French then in English', async () => {
    const refusal = async (open: string, next: string, confirm: string) => {
      await page.getByRole('button', { name: open }).click();
      const dialog = page.getByRole('dialog');
      await dialog.locator('#d-credit').fill('1000');
      await dialog.getByRole('button', { name: next }).click();
      await dialog.getByRole('button', { name: confirm }).click();
      const alert = dialog.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent())?.trim() ?? '';
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      return text;
    };
    const french = await refusal('Débiter (usage)', 'Continuer', 'Confirmer');
    await page.getByLabel('Langue').selectOption('en');
    const english = await refusal('Charge usage', 'Continue', 'Confirm');
    expect(french.length).toBeGreaterThan(5);
    expect(english.length).toBeGreaterThan(5);
    expect(english).not.toBe(french);
    expect(await page.getByTestId('balance').textContent()).toBe('€12.50');
    await page.getByLabel('Language').selectOption('fr');
  });

  it('charges usage after confirmation', async () => {
    await page.getByRole('button', { name: 'Débiter (usage)' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Montant (EUR)').fill('2.5');
    await dialog.getByLabel('Motif (facultatif)').fill('SMS de novembre');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('10,00\u00a0€');
    const row = page.locator('table.transfers tbody tr').first();
    expect(await row.textContent()).toContain('SMS de novembre');
    expect(await page.locator('table.transfers tbody tr').count()).toBe(2);
  });

  it('downloads the history as CSV through the API', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Télécharger en CSV' }).click(),
    ]);
    const path = await download.path();
    const csv = await readFile(path, 'utf8');
    expect(download.suggestedFilename()).toMatch(/^tirelire-account-\d+-transfers\.csv$/);
    expect(csv.split('\n').filter((line) => line.trim() !== '').length).toBeGreaterThanOrEqual(3);
    expect(csv).toContain('12.5');
    expect(csv).toContain('SMS de novembre');
  });

  it('suspends the account after confirmation, with a reason kept in the operator actions', async () => {
    const section = page.getByRole('region', { name: "Actions de l'opérateur" });
    expect(await section.textContent()).toContain("Aucune action de l'opérateur.");
    await page.getByRole('button', { name: 'Suspendre' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(`Suspendre le compte ${email}`);
    await dialog.getByLabel('Motif (facultatif)').fill('Litige sur le paiement');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('suspendu');
    await page.getByRole('button', { name: 'Réactiver' }).waitFor();
    const row = section.locator('tbody tr');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('suspension');
    expect(await row.textContent()).toContain('Camille');
    expect(await row.textContent()).toContain('Litige sur le paiement');
    await screenshots(page, 'account');
  });

  it("shows the account's events and its webhook's deliveries, and resends a failed one", async () => {
    await page.getByRole('button', { name: 'Réactiver' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('actif');
    const registered = await postJson(`${server.url}/v1/webhooks`, {
      apiKey,
      url: receiver.url,
      types: ['account.suspended'],
    });
    expect(registered.status).toBe(200);
    await page.getByRole('button', { name: 'Suspendre' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('suspendu');
    await receiver.until((all) => all.length >= 1);
    const events = page.getByRole('region', { name: 'Événements' });
    await page.reload();
    await page.getByLabel('Jeton opérateur').fill(token);
    await page.getByLabel('Jeton opérateur').press('Enter');
    await expect.poll(() => events.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
    for (const type of ['transfer.created', 'account.suspended', 'account.resumed']) {
      expect(await events.textContent()).toContain(type);
    }
    const webhooks = page.getByRole('region', { name: 'Webhooks' });
    const attempt = webhooks.locator('table.deliveries tbody tr');
    await expect.poll(() => attempt.count()).toBe(1);
    expect(await attempt.textContent()).toContain('HTTP 503');
    await attempt.getByRole('button', { name: 'Renvoyer' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Renvoi demandé');
    await receiver.until((all) => all.length >= 2);
    await page.reload();
    await page.getByLabel('Jeton opérateur').fill(token);
    await page.getByLabel('Jeton opérateur').press('Enter');
    await expect.poll(() => attempt.count()).toBe(2);
    expect(await attempt.first().textContent()).toContain('HTTP 200');
    await screenshots(page, 'webhooks');
  });

  it('lists the account with its balance and status when searched by email', async () => {
    await page.getByRole('link', { name: '← Comptes' }).click();
    await page.getByLabel('Rechercher par e-mail ou jeton').fill(email.slice(0, 12).toUpperCase());
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    const row = page.locator('tr.account-row', { hasText: email });
    await expect.poll(() => row.textContent()).toContain('10,00\u00a0€');
    expect(await row.textContent()).toContain('suspendu');
    await screenshots(page, 'accounts');
  });

  it('creates a subaccount through the operator API, then finds it by email and by token', async () => {
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('button', { name: 'Réactiver' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('actif');
    const subEmail = `sub-${email}`;
    await page.getByRole('button', { name: 'Nouveau sous-compte' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('E-mail').fill(subEmail);
    await dialog.getByLabel('Type').selectOption('advanced');
    // No key is asked: the operator API creates it. More than the account holds is its refusal, in the dialog.
    expect(await dialog.getByLabel("Clé d'API du compte principal").count()).toBe(0);
    const posted: string[] = [];
    const onRequest = (request: Request) => {
      if (request.method() === 'POST') posted.push(new URL(request.url()).pathname);
    };
    page.on('request', onRequest);
    await dialog.getByLabel('Crédit initial (EUR, facultatif)').fill('20');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Crédit insufisant');
    await dialog.getByRole('button', { name: 'Modifier' }).click();
    expect(await dialog.getByLabel('Crédit initial (EUR, facultatif)').inputValue()).toBe('20');
    await dialog.getByLabel('Crédit initial (EUR, facultatif)').fill('1,5');
    await screenshots(page, 'new-subaccount');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => dialog.textContent())
      .toContain(`Créer le sous-compte avancé ${subEmail} du compte ${email} avec 1,50\u00a0€ ?`);
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    // An advanced subaccount has its own key, shown once.
    const key = dialog.getByLabel("Clé d'API du sous-compte");
    await key.waitFor();
    expect((await key.inputValue()).length).toBeGreaterThan(10);
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    expect(await page.getByRole('status').first().textContent()).toBe(
      `Sous-compte ${subEmail} créé avec 1,50\u00a0€.`,
    );
    const created = `/admin/v1/accounts/${new URL(page.url()).hash.split('/').pop()}/subaccounts`;
    page.off('request', onRequest);
    expect(posted).toEqual([created, created]);
    const subRow = page.locator('table.subaccounts tbody tr', { hasText: subEmail });
    await expect.poll(() => subRow.textContent()).toContain('1,50\u00a0€');
    expect(await subRow.textContent()).toContain('avancé');
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('8,50\u00a0€');
    const token = (await subRow.getAttribute('data-token'))!;
    // The history names the subaccount by its email.
    expect(await page.locator('table.transfers tbody tr').first().textContent()).toContain(subEmail);
    await screenshots(page, 'subaccount');

    await page.getByRole('link', { name: '← Comptes' }).click();
    const search = page.getByLabel('Rechercher par e-mail ou jeton');
    const found = page.locator('table.subaccount-matches tbody tr');
    await search.fill(subEmail.slice(0, 10));
    await search.press('Enter');
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.getByRole('link').textContent()).toBe(email);
    await search.fill(token);
    await search.press('Enter');
    await expect.poll(() => found.textContent()).toContain(subEmail);
    expect(await found.textContent()).toContain('1,50\u00a0€');
    await screenshots(page, 'search');
  });

  it("rotates the account's key: the new one is shown once and the old one is refused", async () => {
    await page.locator('table.subaccount-matches').getByRole('link', { name: email }).click();
    await page.getByRole('button', { name: "Nouvelle clé d'API" }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.textContent()).toContain(`Remplacer la clé d'API du compte ${email} ?`);
    await dialog.getByLabel('Motif (facultatif)').fill('Clé publiée par erreur');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    const key = dialog.getByLabel("Nouvelle clé d'API du compte");
    await key.waitFor();
    const rotated = await key.inputValue();
    expect(rotated).toMatch(/^tl_/);
    expect(rotated).not.toBe(apiKey);
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    expect(await page.getByRole('status').first().textContent()).toContain(
      `Nouvelle clé d'API pour ${email}`,
    );
    const newest = page.locator('table.operator-actions tbody tr').first();
    await expect.poll(() => newest.textContent()).toContain("nouvelle clé d'API");
    expect(await newest.textContent()).toContain('Clé publiée par erreur');
    const read = (key: string) =>
      new TirelireClient({ baseUrl: server.url, apiKey: key, retry: { retries: 0 } }).listSubaccounts();
    expect((await read(apiKey)).ok).toBe(false);
    expect((await read(rotated)).ok).toBe(true);
  });

  it('asks for the token again after a reload and had no page error', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
