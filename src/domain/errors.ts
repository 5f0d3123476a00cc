/**
 * The one table of every answer code Tirelire gives besides 200: its HTTP
 * status and its message in French (the default) and English. Codes 1–10 are
 * the Mailpartner seed's; 20 and up are ours and are never reused for another
 * meaning; 404, 413, 429, 500 and 503 mirror their HTTP status. Codes 9, 11
 * and 96 stay unused: the Mailpartner family gives them other meanings.
 * README.md carries the same table; test/project/error-table.test.ts keeps both equal.
 */
export const ERRORS = {
  1: { http: 400, fr: 'La Clé API est requise', en: 'The API key is required' },
  2: { http: 400, fr: 'Le crédit est requis', en: 'The credit is required' },
  3: {
    http: 400,
    fr: "L'identifiant du sous-compte est requis",
    en: 'The subaccount identifier is required',
  },
  4: { http: 403, fr: "Vous n'avez pas l'autorisation", en: 'You are not authorized' },
  5: {
    http: 400,
    fr: 'Le crédit à attribuer doit être supérieur à 0',
    en: 'The credit to attribute must be greater than 0',
  },
  6: { http: 422, fr: 'La balance doit être supérieur à 0', en: 'The balance must be greater than 0' },
  7: { http: 404, fr: "Le sous-compte n'existe pas", en: 'The subaccount does not exist' },
  8: { http: 422, fr: 'Crédit insufisant', en: 'Insufficient credit' },
  10: { http: 401, fr: 'Clé API incorrecte', en: 'Incorrect API key' },
  20: {
    http: 400,
    fr: 'Montant invalide : un nombre décimal sans exposant, 6 décimales au plus, 1 000 000 000 EUR au plus',
    en: 'Invalid amount: a decimal number without exponent, at most 6 decimals and 1,000,000,000 EUR',
  },
  21: {
    http: 400,
    fr: 'Corps de requête illisible : JSON invalide ou type de contenu non pris en charge',
    en: 'Malformed request body: invalid JSON or unsupported content type',
  },
  22: { http: 400, fr: 'Paramètre invalide', en: 'Invalid parameter' },
  23: {
    http: 409,
    fr: 'Cette adresse e-mail est déjà utilisée',
    en: 'This email address is already in use',
  },
  24: {
    http: 409,
    fr: "Clé d'idempotence déjà utilisée pour une autre requête",
    en: 'Idempotency key already used for a different request',
  },
  25: {
    http: 409,
    fr: "Une requête avec cette clé d'idempotence est en cours",
    en: 'A request with this idempotency key is in progress',
  },
  26: {
    http: 400,
    fr: "Clé d'idempotence invalide : 1 à 255 caractères",
    en: 'Invalid idempotency key: 1 to 255 characters',
  },
  27: { http: 404, fr: 'Transfert introuvable', en: 'Transfer not found' },
  28: {
    http: 400,
    fr: 'Lot invalide : de 1 à 1000 opérations',
    en: 'Invalid batch: 1 to 1000 operations',
  },
  29: {
    http: 401,
    fr: 'Jeton opérateur absent ou invalide',
    en: 'Operator token missing or invalid',
  },
  30: { http: 404, fr: 'Compte introuvable', en: 'Account not found' },
  31: {
    http: 424,
    fr: 'Non appliquée : une autre opération du lot atomique a échoué',
    en: 'Not applied: another operation of the atomic batch failed',
  },
  32: { http: 422, fr: 'Plafond de dépenses atteint', en: 'Spending cap reached' },
  33: { http: 404, fr: 'Réservation introuvable', en: 'Hold not found' },
  34: {
    http: 409,
    fr: "La réservation n'est plus en attente (débitée, annulée ou expirée)",
    en: 'The hold is not pending (captured, voided or expired)',
  },
  35: {
    http: 422,
    fr: 'Montant supérieur à la réservation',
    en: 'Capture larger than the hold',
  },
  36: {
    http: 409,
    fr: 'Le sous-compte a des réservations en attente',
    en: 'The subaccount has pending holds',
  },
  37: { http: 404, fr: 'Point de terminaison webhook introuvable', en: 'Webhook endpoint not found' },
  38: {
    http: 400,
    fr: 'URL de webhook refusée : http(s) uniquement, pas d’adresse privée',
    en: 'Webhook URL refused: http(s) only, no private address',
  },
  39: {
    http: 409,
    fr: 'Trop de points de terminaison webhook (10 au plus par compte principal)',
    en: 'Too many webhook endpoints (at most 10 per main account)',
  },
  404: { http: 404, fr: 'Ressource inconnue', en: 'Unknown resource' },
  408: { http: 408, fr: 'Délai de la requête dépassé', en: 'Request timed out' },
  413: { http: 413, fr: 'Corps de requête trop volumineux', en: 'Request body too large' },
  429: { http: 429, fr: 'Trop de requêtes, réessayez plus tard', en: 'Too many requests, retry later' },
  500: { http: 500, fr: 'Erreur interne', en: 'Internal error' },
  503: {
    http: 503,
    fr: 'Service momentanément indisponible, réessayez plus tard',
    en: 'Service temporarily unavailable, retry later',
  },
} as const satisfies Record<number, { http: number; fr: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;
export type Language = 'fr' | 'en';

export function errorMessage(code: ErrorCode, language: Language): string {
  return ERRORS[code][language];
}

export function httpStatusOf(code: ErrorCode): number {
  return ERRORS[code].http;
}
