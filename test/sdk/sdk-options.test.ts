import { describe, expect, test } from 'vitest';
import {
  TirelireAdminClient,
  TirelireClient,
  TirelireConfigurationError,
  TirelireNetworkError,
  TirelireProtocolError,
  type Language,
} from 'tirelire-client';

/** A fetch that answers every request with `reply` and keeps the headers it was sent. */
function recordingFetch(reply: () => Response) {
  const sent: Headers[] = [];
  const fetch = async (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push(new Headers(init?.headers));
    return reply();
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

const refused = () => {
  throw new TypeError('fetch failed');
};

describe('a bad configuration fails in the constructor, before any request', () => {
  test.each([
    ['', 'absolute'],
    ['credit.example.com', 'absolute'],
    ['/v1', 'absolute'],
    ['ftp://credit.example.com', 'http'],
    ['localhost:8080', 'http'],
    ['https://credit.example.com/?tenant=1', 'query'],
    ['https://credit.example.com/#top', 'query'],
    ['https://user:secret@credit.example.com', 'password'],
  ])('baseUrl %j', (baseUrl, why) => {
    const { fetch, sent } = recordingFetch(refused);
    const build = () => new TirelireClient({ baseUrl, apiKey: 'k', fetch });
    expect(build).toThrow(TirelireConfigurationError);
    expect(build).toThrow(`baseUrl ${JSON.stringify(baseUrl)} is not usable`);
    expect(build).toThrow(new RegExp(why));
    expect(sent).toEqual([]);
  });

  test('the operator client checks it too, and in French on request', () => {
    expect(() => new TirelireAdminClient({ baseUrl: 'nope', token: 't', language: 'fr' })).toThrow(
      'client tirelire : baseUrl "nope" est inutilisable : une URL absolue http:// ou https:// est requise',
    );
  });

  test('not a string, an unknown language, a negative retry count', () => {
    const options = { apiKey: 'k', baseUrl: 'http://127.0.0.1:8080' };
    expect(() => new TirelireClient({ ...options, baseUrl: undefined as unknown as string })).toThrow(
      TirelireConfigurationError,
    );
    expect(() => new TirelireClient({ ...options, language: 'de' as Language })).toThrow(
      "language must be 'en' or 'fr', not \"de\"",
    );
    expect(() => new TirelireClient({ ...options, retry: { retries: -1 } })).toThrow(
      'retry.retries must be a non-negative finite number, not -1',
    );
    expect(() => new TirelireClient({ ...options, timeoutMs: Number.NaN })).toThrow(
      TirelireConfigurationError,
    );
  });

  test('a good one keeps its path prefix and drops trailing slashes', async () => {
    const urls: string[] = [];
    const fetch = (async (url: string | URL | Request) => {
      urls.push(String(url));
      return new Response('{"success":true,"code":200,"status":"ok"}');
    }) as typeof globalThis.fetch;
    await new TirelireClient({ baseUrl: 'https://example.com/tirelire//', apiKey: 'k', fetch }).health();
    expect(urls).toEqual(['https://example.com/tirelire/healthz']);
  });
});

describe('English by default, French on request', () => {
  test.each([
    [undefined, 'en'],
    ['en', 'en'],
    ['fr', 'fr'],
  ] as const)('language %s asks the server for %s', async (language, asked) => {
    const { fetch, sent } = recordingFetch(() => new Response('{"success":true,"code":200,"status":"ok"}'));
    const client = new TirelireClient({
      baseUrl: 'http://tirelire.test',
      apiKey: 'k',
      fetch,
      ...(language === undefined ? {} : { language }),
    });
    await client.health();
    expect(sent[0]!.get('accept-language')).toBe(asked);
  });

  test.each([
    [undefined, 0, 'GET /v1/me: no answer after 1 attempt'],
    [undefined, 1, 'GET /v1/me: no answer after 2 attempts'],
    ['fr', 0, 'GET /v1/me : aucune réponse après 1 tentative'],
    ['fr', 2, 'GET /v1/me : aucune réponse après 3 tentatives'],
  ] as const)('language %s, %i retries: %s', async (language, retries, message) => {
    const client = new TirelireClient({
      baseUrl: 'http://tirelire.test',
      apiKey: 'k',
      fetch: recordingFetch(refused).fetch,
      retry: { retries, baseDelayMs: 0 },
      ...(language === undefined ? {} : { language }),
    });
    const failure = await client.me().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TirelireNetworkError);
    expect((failure as TirelireNetworkError).message).toBe(message);
    expect((failure as TirelireNetworkError).attempts).toBe(retries + 1);
  });

  test('what is not a Tirelire answer says so in the chosen language', async () => {
    const page = () => new Response('<html>Bad gateway</html>', { status: 502 });
    for (const [language, message] of [
      ['en', 'HTTP 502 without a Tirelire answer'],
      ['fr', 'HTTP 502 sans réponse Tirelire'],
    ] as const) {
      const { fetch } = recordingFetch(page);
      const client = new TirelireClient({
        baseUrl: 'http://t.test',
        apiKey: 'k',
        fetch,
        language,
        retry: { retries: 0 },
      });
      await expect(client.me()).rejects.toEqual(new TirelireProtocolError(message, 502));
    }
  });
});
