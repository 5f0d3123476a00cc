import { MESSAGES, type Language, type Messages } from './messages.js';
import type { Method } from './operations.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 3): at most 1 + retries requests per call. */
  readonly retries?: number;
  /** The first backoff ceiling (default 100 ms); it doubles at each retry. */
  readonly baseDelayMs?: number;
  /** The largest backoff ceiling (default 2000 ms). */
  readonly maxDelayMs?: number;
}

export interface ClientOptions {
  /** e.g. `https://credit.example.com` (a path prefix is kept); checked by the constructor. */
  readonly baseUrl: string;
  /** A fetch of your own (tests, proxies); the global fetch by default. */
  readonly fetch?: typeof fetch;
  readonly retry?: RetryOptions;
  /** Per attempt; an attempt that takes longer counts as a network error (retried). Default 30 000. */
  readonly timeoutMs?: number;
  /** The language of error messages, the server's and the client's own: English by default. */
  readonly language?: Language;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of one call. */
export interface CallOptions {
  /** For POSTs: the Idempotency-Key (a fresh UUID when absent), the same for every retry of this call. */
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

export interface Request {
  readonly method: Method;
  /** With `{name}` placeholders already filled in. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly call?: CallOptions | undefined;
  /** false: one attempt only (a repeat could act twice). */
  readonly retrySafe: boolean;
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The key sent with a POST, else null. */
  readonly idempotencyKey: string | null;
  /** How many requests this call took (1 when the first one answered). */
  readonly attempts: number;
  /** The client's language, for the words of a TirelireProtocolError. */
  readonly language: Language;
}

/** The options cannot work (a bad `baseUrl`, …): thrown by the client's constructor, before any request. */
export class TirelireConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TirelireConfigurationError';
  }
}

/** Every attempt of a call failed before any answer (connection refused or reset, timeout). */
export class TirelireNetworkError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TirelireNetworkError';
  }
}

/** The server (or something in front of it) answered what is not a Tirelire answer. */
export class TirelireProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TirelireProtocolError';
  }
}

const RETRYABLE_STATUS = (status: number) => status >= 500 && status <= 599;

/**
 * Sends one logical call. A POST carries an Idempotency-Key chosen once for
 * the call, so a retry after a lost answer can never move money twice.
 * Network errors and 5xx answers are retried with exponential backoff and
 * full jitter (a random wait up to the doubling ceiling), at most
 * `retries` times; a 4xx is an answer about the request and is never retried.
 */
export class Transport {
  private readonly fetch: typeof fetch;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly baseUrl: string;
  private readonly language: Language;
  private readonly messages: Messages;

  constructor(private readonly options: ClientOptions) {
    this.language = checkedLanguage(options.language);
    this.messages = MESSAGES[this.language];
    this.baseUrl = checkedBaseUrl(options.baseUrl, this.messages);
    const givenFetch = options.fetch ?? globalThis.fetch;
    if (typeof givenFetch !== 'function') throw new TirelireConfigurationError(this.messages.noFetch);
    // Called as a plain function: a browser's fetch called as a method of another object throws "Illegal invocation".
    this.fetch = (input, init) => givenFetch(input, init);
    this.retries = Math.floor(this.checkedNumber('retry.retries', options.retry?.retries, 3));
    this.baseDelayMs = this.checkedNumber('retry.baseDelayMs', options.retry?.baseDelayMs, 100);
    this.maxDelayMs = this.checkedNumber('retry.maxDelayMs', options.retry?.maxDelayMs, 2000);
    this.timeoutMs = this.checkedNumber('timeoutMs', options.timeoutMs, 30_000);
  }

  private checkedNumber(name: string, given: number | undefined, fallback: number): number {
    if (given === undefined) return fallback;
    if (typeof given !== 'number' || !Number.isFinite(given) || given < 0) {
      throw new TirelireConfigurationError(this.messages.badNumber(name, given));
    }
    return given;
  }

  async send(request: Request): Promise<RawAnswer> {
    const idempotencyKey = request.method === 'POST' ? (request.call?.idempotencyKey ?? newKey()) : null;
    const retries = request.retrySafe ? this.retries : 0;
    const url = this.url(request);
    const init = this.init(request, idempotencyKey);
    let lastError: unknown;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await this.fetch(url, { ...init, signal: this.signal(request.call?.signal) });
        const text = await response.text();
        if (!RETRYABLE_STATUS(response.status) || attempt > retries) {
          return {
            status: response.status,
            headers: response.headers,
            text,
            idempotencyKey,
            attempts: attempt,
            language: this.language,
          };
        }
      } catch (error) {
        if (request.call?.signal?.aborted === true) throw error;
        lastError = error;
        if (attempt > retries) {
          const message = this.messages.noAnswer(`${request.method} ${request.path}`, attempt);
          throw new TirelireNetworkError(message, attempt, { cause: lastError });
        }
      }
      await sleep(this.backoffMs(attempt), request.call?.signal);
    }
  }

  /** Full jitter: uniform in [0, min(max, base × 2^(attempt−1))]. */
  backoffMs(attempt: number): number {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.random() * ceiling;
  }

  private url(request: Request): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) search.set(name, String(value));
    }
    const query = search.toString();
    return `${this.baseUrl}${request.path}${query === '' ? '' : `?${query}`}`;
  }

  private init(request: Request, idempotencyKey: string | null): RequestInit {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-language': this.language,
      ...this.options.headers,
    };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    Object.assign(headers, request.headers);
    if (request.body === undefined) return { method: request.method, headers };
    headers['content-type'] = 'application/json';
    return { method: request.method, headers, body: JSON.stringify(request.body) };
  }

  private signal(callSignal: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return callSignal === undefined ? timeout : AbortSignal.any([callSignal, timeout]);
  }
}

function checkedLanguage(given: unknown): Language {
  if (given === undefined) return 'en';
  if (given === 'en' || given === 'fr') return given;
  throw new TirelireConfigurationError(MESSAGES.en.badLanguage(given));
}

/** The base URL without its trailing slashes, or a configuration error saying what is wrong with it. */
function checkedBaseUrl(given: unknown, messages: Messages): string {
  const refuse = (why: string) => new TirelireConfigurationError(messages.badBaseUrl(given, why));
  let url: URL;
  try {
    url = new URL(String(given));
  } catch {
    throw refuse(messages.notAbsolute);
  }
  if (typeof given !== 'string') throw refuse(messages.notAbsolute);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(messages.notHttp);
  if (url.search !== '' || url.hash !== '' || given.includes('?') || given.includes('#')) {
    throw refuse(messages.hasQuery);
  }
  if (url.username !== '' || url.password !== '') throw refuse(messages.hasCredentials);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** A v4 UUID from Web Crypto (Node 20+, every current browser in a secure context). */
function newKey(): string {
  return globalThis.crypto.randomUUID();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
