import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string | undefined;
  /** Where the JSON lines go; stdout when absent. Tests pass a stream to read them. */
  readonly destination?: DestinationStream | undefined;
}

/**
 * API keys must never reach a log. Request lines carry the path without its
 * query string (which may hold `?apiKey=`), no header and no body; redaction
 * covers the places a key could still be logged by mistake.
 */
export function buildLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      // Not pino's `redact`: with wildcard paths it ran every value of every
      // line (numbers included) through a clone and a JSON.stringify — 4 % of
      // the server's CPU under load. redactKeys covers the same paths and
      // leaves a line without them untouched.
      // Child loggers' bindings (the request id) skip formatters but not serializers,
      // so these two keys are censored there too.
      formatters: { log: redactKeys, bindings: redactKeys },
      serializers: {
        req: serializeRequest,
        res: serializeReply,
        err: pino.stdSerializers.err,
        apiKey: () => REDACTED,
        secret: () => REDACTED,
        previousSecret: () => REDACTED,
        headers: (headers: unknown) =>
          typeof headers === 'object' && headers !== null ? withoutSecretHeaders(headers) : headers,
      },
    },
    // Buffered, asynchronous writes: lines go out 4 KiB at a time, or every 100 ms when
    // fewer come, instead of one write(2) per request line (about a tenth of the event
    // loop's time under load, `npm run bench` with --cpu-prof). pino flushes what is left
    // when the process exits; a kill -9 can lose the last 100 ms of lines, never a
    // transfer (docs/operators.md, "Logs").
    options.destination ?? pino.destination(STDOUT_LINES),
  );
}

const STDOUT_LINES = { dest: 1, sync: false, minLength: 4096, periodicFlush: 100 } as const;

const REDACTED = '[redacted]';
const SECRET_HEADERS = ['x-api-key', 'authorization'] as const;

/** Fields whose value is a secret wherever they appear: API keys, webhook signing secrets. */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['apiKey', 'secret', 'previousSecret']);

/**
 * The redaction of a logged object: `apiKey`, the webhook secrets (`secret`,
 * `previousSecret`), `headers["x-api-key"]` and `headers.authorization`, at
 * the top level and one level down (`*.apiKey`, `*.secret`, `*.headers…`). Copies only what it censors; the object is returned as is
 * when there is nothing to censor (every request line).
 */
export function redactKeys(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const name in object) {
    if (!Object.hasOwn(object, name)) continue;
    const value = object[name];
    let replaced: unknown = value;
    if (SECRET_FIELDS.has(name)) replaced = REDACTED;
    else if (typeof value === 'object' && value !== null) {
      replaced = name === 'headers' ? withoutSecretHeaders(value) : redactOneLevel(value);
    }
    if (replaced !== value) {
      copy ??= copyOf(object);
      put(copy, name, replaced);
    }
  }
  return copy ?? object;
}

/** `*.apiKey`, `*.secret`, `*.previousSecret` and `*.headers…` of one nested value. */
function redactOneLevel(value: object): object {
  const fields = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const name of SECRET_FIELDS) {
    if (!Object.hasOwn(fields, name)) continue;
    copy ??= copyOf(fields);
    put(copy, name, REDACTED);
  }
  const headers = Object.hasOwn(fields, 'headers') ? fields['headers'] : undefined;
  if (typeof headers === 'object' && headers !== null) {
    const cleaned = withoutSecretHeaders(headers);
    if (cleaned !== headers) {
      copy ??= copyOf(fields);
      put(copy, 'headers', cleaned);
    }
  }
  return copy ?? value;
}

function withoutSecretHeaders(headers: object): object {
  const fields = headers as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const name of SECRET_HEADERS) {
    if (!Object.hasOwn(fields, name)) continue;
    copy ??= copyOf(fields);
    put(copy, name, REDACTED);
  }
  return copy ?? headers;
}

/** A shallow copy keeping the prototype and every own property (an Error keeps its message and stack). */
function copyOf(object: object): Record<string, unknown> {
  const descriptors = Object.getOwnPropertyDescriptors(object) as Record<PropertyKey, PropertyDescriptor>;
  for (const key of Reflect.ownKeys(descriptors)) descriptors[key]!.configurable = true;
  return Object.defineProperties(
    Object.create(Object.getPrototypeOf(object) as object | null) as object,
    descriptors,
  ) as Record<string, unknown>;
}

function put(object: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
}

function serializeRequest(request: LoggedRequest) {
  return { method: request.method, path: pathOf(request.url), remoteAddress: request.ip };
}

function serializeReply(reply: { readonly statusCode?: number }) {
  return { statusCode: reply.statusCode };
}

export function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honours a caller's X-Request-Id when it is short and plain, so ids can be followed across services. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  if (typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming)) return incoming;
  return randomUUID();
}

/**
 * One line per answered request instead of Fastify's two (incoming and
 * completed): under load the request log took a tenth of the server's CPU.
 * The line carries the request id (bound to the request's logger), the path
 * without its query string, the status and the time taken — never a header
 * or a body, so never a key.
 */
export class ConciseLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: pathOf(request.url),
      statusCode: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
