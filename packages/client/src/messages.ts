/**
 * The client's own words: its errors, in English by default and in French
 * with `language: 'fr'`, the same choice that picks the server's messages.
 */
export type Language = 'en' | 'fr';

const attempts = {
  en: (count: number) => `${count} ${count === 1 ? 'attempt' : 'attempts'}`,
  fr: (count: number) => `${count} ${count === 1 ? 'tentative' : 'tentatives'}`,
};

const en = {
  badBaseUrl: (given: unknown, why: string) =>
    `tirelire client: baseUrl ${JSON.stringify(given)} is not usable: ${why}`,
  notAbsolute: 'an absolute http:// or https:// URL is required, e.g. https://credit.example.com',
  notHttp: 'only http:// and https:// are supported',
  hasQuery: 'a query string or a #fragment would end up inside every request path',
  hasCredentials: 'fetch refuses URLs with a user name or password; pass keys as options',
  badLanguage: (given: unknown) =>
    `tirelire client: language must be 'en' or 'fr', not ${JSON.stringify(given)}`,
  badNumber: (name: string, given: unknown) =>
    `tirelire client: ${name} must be a non-negative finite number, not ${JSON.stringify(given)}`,
  noFetch: 'tirelire client: no fetch available (Node.js 20+ or a browser, or pass options.fetch)',
  noAnswer: (call: string, count: number) => `${call}: no answer after ${attempts.en(count)}`,
  notTirelire: (status: number) => `HTTP ${status} without a Tirelire answer`,
};

export type Messages = typeof en;

const fr: Messages = {
  badBaseUrl: (given: unknown, why: string) =>
    `client tirelire : baseUrl ${JSON.stringify(given)} est inutilisable : ${why}`,
  notAbsolute: 'une URL absolue http:// ou https:// est requise, par exemple https://credit.example.com',
  notHttp: 'seuls http:// et https:// sont pris en charge',
  hasQuery: 'une chaîne de requête ou un #fragment se retrouverait dans le chemin de chaque requête',
  hasCredentials:
    "fetch refuse les URL avec un nom d'utilisateur ou un mot de passe ; passez les clés en options",
  badLanguage: (given: unknown) =>
    `client tirelire : language doit valoir 'en' ou 'fr', pas ${JSON.stringify(given)}`,
  badNumber: (name: string, given: unknown) =>
    `client tirelire : ${name} doit être un nombre fini positif ou nul, pas ${JSON.stringify(given)}`,
  noFetch: 'client tirelire : aucun fetch disponible (Node.js 20+ ou un navigateur, ou options.fetch)',
  noAnswer: (call: string, count: number) => `${call} : aucune réponse après ${attempts.fr(count)}`,
  notTirelire: (status: number) => `HTTP ${status} sans réponse Tirelire`,
};

export const MESSAGES: Readonly<Record<Language, Messages>> = { en, fr };
