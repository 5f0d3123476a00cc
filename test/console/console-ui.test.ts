import { fastify } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoleRoutes } from '../../src/http/console.js';
import {
  collectPageErrors,
  launchChromium,
  screenshots,
  settled,
  VIEWPORTS,
} from '../helpers/console-browser.js';

/**
 * The console's own behaviour (paging, filters, words for errors, keyboard,
 * small screens) against a stand-in for the operator API that follows the
 * shapes of docs/admin-api.md. The end-to-end suite runs it against the real
 * server; this one can steer the answers the real server rarely gives.
 */
const TOKEN = 'ui-test-token';
const NO_RULES = { lowBalance: null, autoTopup: null, spendingCap: null };

interface Seen {
  url: string;
  authorization: string | undefined;
  language: string | undefined;
  accept: string | undefined;
}

function fakeAdminApi(seen: Seen[], auth: { token: string }, posted: unknown[]): FastifyInstance {
  const app = fastify();
  const accounts = Array.from({ length: 60 }, (_, n) => ({
    id: n + 1,
    email: `client${String(n + 1).padStart(2, '0')}@example.com`,
    status: 'active',
    balance: `${n}.500`,
    held: '0.000',
    subaccountCount: n === 0 ? 2 : 0,
    // Account 3 (2.500) is under its threshold of 5: a low balance.
    rules: n === 2 ? { ...NO_RULES, lowBalance: '5.000' } : NO_RULES,
    createdAt: new Date(Date.UTC(2026, 10, 1, 10) + n * 60_000).toISOString(),
  }));
  const sub = { status: 'active', held: '0.000', rules: NO_RULES, createdAt: '', closedAt: null };
  const subaccounts = [
    { ...sub, id: 1, email: 'shop@example.com', token: 'sub-shop', type: 'simple', balance: '3.001234' },
    { ...sub, id: 2, email: 'news@example.com', token: 'sub-news', type: 'advanced', balance: '0.800' },
  ];
  const transfers = Array.from({ length: 40 }, (_, n) => ({
    id: `t${40 - n}`,
    kind: n % 2 === 0 ? 'topup' : 'add',
    amount: '1.000',
    accountId: 1,
    tokenSubaccount: n % 2 === 0 ? null : 'sub-shop',
    mainBalanceAfter: `${40 - n}.000`,
    subaccountBalanceAfter: n % 2 === 0 ? null : '3.000',
    reason: null,
    operator: 'ops',
    createdAt: new Date(Date.UTC(2026, 10, 1) - n * 3_600_000).toISOString(),
  }));
  // Account 1's operator audit trail, newest first, as GET /accounts/:id sends it.
  const actions = [
    {
      id: 2,
      action: 'resume',
      operator: 'ops',
      reason: null,
      createdAt: '2026-11-02T09:00:00.000Z',
    },
    {
      id: 1,
      action: 'suspend',
      operator: 'Camille',
      reason: 'Carte refusée trois fois',
      createdAt: '2026-11-01T09:00:00.000Z',
    },
  ];
  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    code: number,
    fr: string,
    en: string,
  ) =>
    reply.code(status).send({
      success: false,
      code,
      message: request.headers['accept-language'] === 'en' ? en : fr,
    });
  // Every answer of the API carries its envelope, as the SDK the console speaks through expects.
  const ok = <T extends object>(body: T) => ({ success: true, code: 200, ...body });
  const page = <T>(items: T[], query: Record<string, string | undefined>) => {
    const start = Number(query['cursor'] ?? 0);
    const limit = Number(query['limit'] ?? 50);
    const end = start + limit;
    return ok({ data: items.slice(start, end), nextCursor: end < items.length ? String(end) : null });
  };
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/admin/')) return;
    seen.push({
      url: request.url,
      authorization: request.headers.authorization,
      language: request.headers['accept-language'],
      accept: request.headers.accept,
    });
    if (request.headers.authorization !== `Bearer ${auth.token}`) {
      return refuse(
        request,
        reply,
        401,
        29,
        'Jeton opérateur absent ou invalide',
        'Operator token missing or wrong',
      );
    }
  });
  app.get('/admin/v1/accounts', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const search = (query['search'] ?? '').toLowerCase();
    return page(
      accounts.filter((account) => account.email.includes(search)),
      query,
    );
  });
  app.get('/admin/v1/accounts/:id', async (request, reply) => {
    const account = accounts.find((item) => item.id === Number((request.params as { id: string }).id));
    if (account === undefined)
      return refuse(request, reply, 404, 30, 'Compte introuvable', 'Account not found');
    return ok({
      account,
      subaccounts: account.id === 1 ? subaccounts : [],
      actions: account.id === 1 ? actions : [],
    });
  });
  app.post('/admin/v1/accounts/:id/suspend', async (request) => {
    posted.push(request.body ?? null);
    const account = accounts.find((item) => item.id === Number((request.params as { id: string }).id))!;
    account.status = 'suspended';
    const reason = (request.body as { reason?: string } | undefined)?.reason ?? null;
    actions.unshift({
      id: actions.length + 1,
      action: 'suspend',
      operator: 'ops',
      reason,
      createdAt: '2026-11-03T09:00:00.000Z',
    });
    return ok({ account });
  });
  app.post('/admin/v1/accounts/:id/topup', async (request, reply) => {
    posted.push({ topup: request.body });
    return refuse(request, reply, 400, 20, 'Le montant est invalide', 'The amount is invalid');
  });
  app.get('/admin/v1/holds', async (request) =>
    page([], request.query as Record<string, string | undefined>),
  );
  app.get('/admin/v1/transfers', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const token = query['tokenSubaccount'];
    if (token !== undefined && !subaccounts.some((item) => item.token === token)) {
      return refuse(request, reply, 400, 7, 'Sous-compte inconnu', 'Unknown subaccount');
    }
    const matching = transfers.filter(
      (transfer) => token === undefined || transfer.tokenSubaccount === token,
    );
    if (request.headers.accept === 'text/csv') {
      return reply
        .type('text/csv')
        .send(`id,kind,amount\n${matching.map((t) => `${t.id},${t.kind},${t.amount}`).join('\n')}\n`);
    }
    return page(matching, query);
  });
  // The server's subaccount search examines a bounded window a page, newest first: this stand-in's
  // first page ends before the archived subaccount, which the next page (cursor `w1`) finds.
  const archived = [
    { ...sub, id: 3, email: 'archive@example.com', token: 'sub-archive', type: 'simple', balance: '7.000' },
  ];
  app.get('/admin/v1/subaccounts', async (request) => {
    const query = request.query as Record<string, string | undefined>;
    const search = query['search'] ?? '';
    const matches = (items: typeof subaccounts) =>
      items
        .filter((item) => item.token === search || item.email.includes(search.toLowerCase()))
        .map((item) => ({ ...item, accountId: 1, accountEmail: accounts[0]!.email }));
    if (query['cursor'] === 'w1') return ok({ data: matches(archived), nextCursor: null });
    return ok({ data: matches(subaccounts), nextCursor: matches(archived).length > 0 ? 'w1' : null });
  });
  // The account page also reads the tree's events and its webhook endpoints: none here.
  app.get('/admin/v1/events', async (request) =>
    ok({ data: [], nextAfter: Number((request.query as { after?: string }).after ?? 0) }),
  );
  app.get('/admin/v1/webhooks', async () => ok({ data: [] }));
  return app;
}

describe('operator console, against a stand-in operator API', () => {
  const seen: Seen[] = [];
  const auth = { token: TOKEN };
  const posted: unknown[] = [];
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    app = fakeAdminApi(seen, auth, posted);
    registerConsoleRoutes(app);
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
    // One zone for every run, so dates and the filters' bounds have known values (CET/CEST).
    context = await browser.newContext({
      viewport: VIEWPORTS.laptop,
      locale: 'en-GB',
      timezoneId: 'Europe/Paris',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  const unlabelled = () =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select'))
        .filter((field) => (field as HTMLInputElement).labels?.length === 0)
        .map((field) => field.outerHTML),
    );
  /** Elements that stick out of a phone-wide window (tables scroll inside their own box, so they do not). */
  const overflowsPhone = async () => {
    await page.setViewportSize(VIEWPORTS.phone);
    await settled(page);
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((element) => element.closest('.scroll') === null)
        .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
        .map((element) => element.outerHTML.slice(0, 120))
        .concat(
          document.documentElement.scrollWidth > window.innerWidth
            ? [`page ${document.documentElement.scrollWidth} px wide`]
            : [],
        ),
    );
    await page.setViewportSize(VIEWPORTS.laptop);
    return wide;
  };

  it('speaks the browser language first and words the refusal of a wrong token', async () => {
    await page.goto(`${base}/console/`);
    await page.getByLabel('Operator token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Operator token missing or wrong');
    expect(seen.at(-1)).toMatchObject({ authorization: 'Bearer wrong', language: 'en' });
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Jeton opérateur absent ou invalide');
    expect(seen.every((request) => !request.url.includes('wrong'))).toBe(true);
  });

  const rows = () => page.locator('tr.account-row');
  const totals = () => page.getByTestId('totals').textContent();

  it('pages through accounts in a sortable table with totals and the low balance marked', async () => {
    await page.getByLabel('Jeton opérateur').fill(TOKEN);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => rows().count()).toBe(50);
    // The newest first; 0.5 + 1.5 + … + 49.5 = 1250, added up exactly.
    expect(await rows().first().getAttribute('data-account-id')).toBe('50');
    expect(await totals()).toContain('1\u202f250,00\u00a0€');
    expect(await totals()).toContain('50 comptes affichés · 1 en solde bas');
    await page.getByRole('button', { name: 'Afficher la suite' }).click();
    await expect.poll(() => rows().count()).toBe(60);
    expect(seen.at(-1)?.url).toBe('/admin/v1/accounts?limit=50&cursor=50');
    expect(await totals()).toContain('1\u202f800,00\u00a0€');

    const low = page.locator('tr.account-row[data-account-id="3"]');
    expect(await low.getAttribute('class')).toContain('low');
    expect(await low.getByTestId('low-balance').textContent()).toBe('solde bas');
    // Dates in the one French format, with the zone (Paris is UTC+1 in November).
    expect(await low.locator('td.date').textContent()).toBe('01/11/2026 11:02:00 UTC+1');

    const balanceHead = page.getByRole('columnheader', { name: 'Solde' });
    await balanceHead.getByRole('button').click();
    expect(await balanceHead.getAttribute('aria-sort')).toBe('ascending');
    expect(await rows().first().getAttribute('data-account-id')).toBe('1');
    await balanceHead.getByRole('button').click();
    expect(await balanceHead.getAttribute('aria-sort')).toBe('descending');
    expect(await rows().first().getAttribute('data-account-id')).toBe('60');
    expect(await rows().first().locator('td.money').textContent()).toBe('59,50\u00a0€');
    await page.getByRole('columnheader', { name: 'E-mail' }).getByRole('button').click();
    expect(await rows().first().getAttribute('data-account-id')).toBe('1');
    expect(await totals()).toContain('1\u202f800,00\u00a0€');
    await screenshots(page, 'ui-accounts');
  });

  it('searches main accounts by email and opens their subaccounts', async () => {
    await page.getByLabel('Rechercher par e-mail ou jeton').fill('client0');
    await page.getByLabel('Rechercher par e-mail ou jeton').press('Enter');
    await expect.poll(() => rows().count()).toBe(9);
    const toggle = page.getByRole('button', { name: 'Sous-comptes (2) — client01@example.com' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.locator('#subaccounts-1').textContent()).toContain('0,80\u00a0€');
    // Types in words, tokens shortened to a copy button.
    expect(await page.locator('#subaccounts-1').textContent()).toContain('avancé');
    expect(await unlabelled()).toEqual([]);
    expect(await overflowsPhone()).toEqual([]);
  });

  it('finds subaccounts by email and by token, each with its main account', async () => {
    const search = page.getByLabel('Rechercher par e-mail ou jeton');
    const found = page.locator('table.subaccount-matches tbody tr');
    await search.fill('SHOP@');
    await search.press('Enter');
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.textContent()).toContain('shop@example.com');
    expect(await found.getByRole('link').textContent()).toBe('client01@example.com');
    expect(await rows().count()).toBe(0);

    await search.fill('sub-news');
    await search.press('Enter');
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.textContent()).toContain('news@example.com');
    expect(await found.textContent()).toContain('0,80\u00a0€');
    // The server searches: one request, bounded, whatever the number of accounts.
    expect(seen.map((request) => request.url)).toContain('/admin/v1/subaccounts?search=sub-news&limit=50');

    // A page that ends before older subaccounts offers to go on, and keeps what it found.
    await search.fill('example.com');
    await search.press('Enter');
    await expect.poll(() => found.count()).toBe(2);
    await expect.poll(() => page.getByTestId('search-goes-on').textContent()).toContain('10 000');
    await page.getByRole('button', { name: 'Chercher dans les sous-comptes plus anciens' }).click();
    await expect.poll(() => found.count()).toBe(3);
    expect(await found.nth(2).textContent()).toContain('archive@example.com');
    expect(await page.getByTestId('search-goes-on').count()).toBe(0);
    expect(seen.map((request) => request.url)).toContain(
      '/admin/v1/subaccounts?search=example.com&limit=50&cursor=w1',
    );

    await search.fill('sub-shop');
    await search.press('Enter');
    await expect.poll(() => found.count()).toBe(1);
    expect(await found.textContent()).toContain('shop@example.com');

    await search.fill('nobody-here');
    await search.press('Enter');
    await expect
      .poll(() => page.getByTestId('not-found').textContent())
      .toContain('Aucun compte ni sous-compte ne correspond à « nobody-here ».');
    await screenshots(page, 'ui-search');
    await search.fill('');
    await search.press('Enter');
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('says "not found" the same way for an unknown account and an unknown page', async () => {
    await page.goto(`${base}/console/#/accounts/999`);
    await page.reload();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByLabel('Jeton opérateur').fill(TOKEN);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    const notFound = page.getByTestId('not-found');
    await expect
      .poll(() => notFound.textContent())
      .toContain('Aucun compte principal ne porte le numéro 999.');
    expect(await notFound.getByRole('heading').textContent()).toBe('Introuvable');
    await page.evaluate(() => (location.hash = '#/nowhere'));
    await expect
      .poll(() => notFound.textContent())
      .toContain('Cette adresse ne mène à aucune page de la console.');
    expect(await notFound.getByRole('heading').textContent()).toBe('Introuvable');
    await page.evaluate(() => (location.hash = '#/accounts'));
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('pages and filters the history in the browser zone, labels subaccounts by email, draws the chart', async () => {
    await page.evaluate(() => (location.hash = '#/accounts/1'));
    await page.getByRole('heading', { name: 'client01@example.com' }).waitFor();
    await expect.poll(() => page.locator('table.transfers tbody tr').count()).toBe(25);
    await page.getByRole('button', { name: 'Afficher la suite' }).click();
    await expect.poll(() => page.locator('table.transfers tbody tr').count()).toBe(40);
    const second = page.locator('table.transfers tbody tr').nth(1);
    // 2026-10-31T23:00Z is midnight in Paris; the subaccount by its email, not its token.
    expect(await second.locator('td.date').textContent()).toBe('01/11/2026 00:00:00 UTC+1');
    expect(await second.textContent()).toContain('shop@example.com');
    expect(await second.textContent()).not.toContain('sub-shop');
    expect(await page.getByTestId('time-zone').textContent()).toBe(
      'Dates et heures dans le fuseau Europe/Paris (UTC+1).',
    );
    await page.locator('#balance-chart canvas').first().waitFor();
    expect(await page.locator('#balance-chart .u-axis').count()).toBe(2);
    // The date range: everything from the first movement, or the last 30 days up to now.
    const span = page.getByTestId('chart-span');
    expect(await span.textContent()).toMatch(/^Du 30\/10\/2026 10:00:00 UTC\+1 au /);
    await page.getByRole('button', { name: '30 jours' }).click();
    const monthAgo = await page.evaluate(() => {
      const day = new Date(Date.now() - 30 * 86_400_000);
      const two = (n: number) => String(n).padStart(2, '0');
      return `${two(day.getDate())}/${two(day.getMonth() + 1)}/${day.getFullYear()}`;
    });
    await expect.poll(() => span.textContent()).toContain(`Du ${monthAgo} `);
    expect(await page.getByRole('button', { name: '30 jours' }).getAttribute('aria-pressed')).toBe('true');
    await page.locator('#balance-chart canvas').first().waitFor();
    await page.getByRole('button', { name: 'Tout' }).click();

    await page.getByLabel('Sous-compte', { exact: true }).selectOption('sub-shop');
    await page.getByLabel('Depuis le (JJ/MM/AAAA, Europe/Paris)').fill('32/10/2026');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Date illisible : écrivez JJ/MM/AAAA.');
    await page.getByLabel('Depuis le (JJ/MM/AAAA, Europe/Paris)').fill('01/10/2026');
    await page.getByLabel("Jusqu'au (JJ/MM/AAAA, Europe/Paris)").fill('2026-11-30');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect.poll(() => page.locator('table.transfers tbody tr').count()).toBe(20);
    // The days are those of Paris: 1 October starts at 22:00 UTC the day before (summer time), 30 November ends at 22:59:59.999 UTC.
    const filtered = seen.filter((request) => request.url.includes('tokenSubaccount=sub-shop&since'));
    expect(filtered.map((request) => request.url)).toContain(
      '/admin/v1/transfers?accountId=1&tokenSubaccount=sub-shop&since=2026-09-30T22%3A00%3A00.000Z&until=2026-11-30T22%3A59%3A59.999Z&limit=25',
    );
    expect(await page.getByLabel("Jusqu'au (JJ/MM/AAAA, Europe/Paris)").inputValue()).toBe('30/11/2026');
    expect(await page.locator('#chart-title').textContent()).toContain('shop@example.com');
    const actionRows = page.locator('table.operator-actions tbody tr');
    expect(await actionRows.count()).toBe(2);
    expect(await actionRows.nth(0).textContent()).toContain('réactivation');
    expect(await actionRows.nth(0).textContent()).toContain('02/11/2026 10:00:00 UTC+1');
    expect(await actionRows.nth(1).textContent()).toContain('suspension');
    expect(await actionRows.nth(1).textContent()).toContain('Camille');
    expect(await actionRows.nth(1).textContent()).toContain('Carte refusée trois fois');
    expect(await unlabelled()).toEqual([]);
    expect(await overflowsPhone()).toEqual([]);
    await screenshots(page, 'ui-account');
    expect(seen.every((request) => !request.url.includes(TOKEN))).toBe(true);
    expect(seen.every((request) => request.authorization !== undefined)).toBe(true);
  });

  it('shows balances with two decimals and the exact value on hover; copies a token on click', async () => {
    await page.getByLabel('Sous-compte', { exact: true }).selectOption('');
    await page.getByLabel('Depuis le (JJ/MM/AAAA, Europe/Paris)').fill('');
    await page.getByLabel("Jusqu'au (JJ/MM/AAAA, Europe/Paris)").fill('');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    const shop = page.locator('table.subaccounts tr[data-token="sub-shop"]');
    const balance = shop.locator('td.money .amount').first();
    expect(await balance.textContent()).toBe('3,00\u00a0€');
    expect(await balance.getAttribute('title')).toBe('3,001234\u00a0€');
    const chip = shop.getByRole('button', { name: 'Copier le jeton sub-shop' });
    await chip.click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('sub-shop');
    expect(await chip.textContent()).toContain('Jeton copié');
  });

  it('keeps amounts and balances in view on a phone, tokens giving way', async () => {
    await page.setViewportSize(VIEWPORTS.phone);
    const outside = await page.evaluate(() =>
      ['table.transfers', 'table.subaccounts'].flatMap((table) =>
        Array.from(document.querySelectorAll(`${table} th.num`))
          .filter((cell) => cell.getBoundingClientRect().right > window.innerWidth)
          .map((cell) => `${table}: ${cell.textContent}`),
      ),
    );
    const tokenShown = await page.locator('table.subaccounts td.token-col').first().isVisible();
    await page.setViewportSize(VIEWPORTS.laptop);
    expect(outside).toEqual([]);
    expect(tokenShown).toBe(false);
  });

  it('reads an amount in the operator language, shows it formatted, and the API refusal in the confirmation', async () => {
    await page.getByRole('button', { name: 'Créditer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Montant (EUR)').fill('1e5');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => dialog.getByRole('alert').textContent())
      .toBe('Montant illisible : « 1e5 ». Écrivez par exemple 1 250,50.');
    await dialog.getByLabel('Montant (EUR)').fill('1 250,50');
    await dialog.getByRole('button', { name: 'Continuer' }).click();
    await expect
      .poll(() => dialog.textContent())
      .toContain('Créditer 1\u202f250,50\u00a0€ au compte client01@example.com ?');
    await dialog.getByRole('button', { name: 'Confirmer' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toBe('Le montant est invalide');
    expect(posted.at(-1)).toEqual({ topup: { credit: '1250.50' } });
    await dialog.getByRole('button', { name: 'Modifier' }).click();
    expect(await dialog.getByLabel('Montant (EUR)').inputValue()).toBe('1250,5');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus returns to the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Créditer');
    posted.length = 0;
  });

  it('suspends with a reason typed on the confirmation, from the keyboard', async () => {
    await page.getByRole('button', { name: 'Suspendre' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    // The reason field has the focus as the confirmation opens; Enter confirms.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('d-action-reason');
    expect(await dialog.getByLabel('Motif (facultatif)').getAttribute('maxlength')).toBe('500');
    expect(await unlabelled()).toEqual([]);
    await page.keyboard.type('Fraude signalée');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(posted).toEqual([{ reason: 'Fraude signalée' }]);
    await expect.poll(() => page.getByTestId('status').textContent()).toBe('suspendu');
    expect(await page.getByRole('status').first().textContent()).toBe(
      'Compte client01@example.com suspendu.',
    );
    const newest = page.locator('table.operator-actions tbody tr').first();
    await expect.poll(() => newest.textContent()).toContain('Fraude signalée');
    expect(await newest.textContent()).toContain('suspension');
  });

  it('signs out, with a sentence, when the token stops being accepted', async () => {
    auth.token = 'rotated';
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Reconnectez-vous');
    expect(pageErrors).toEqual([]);
  });
});
