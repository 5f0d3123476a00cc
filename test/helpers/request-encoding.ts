/**
 * Encodes one set of request fields the ways real clients send them, so a
 * test row can be run under every encoding the contract accepts.
 */

/** A JSON number written as-is (e.g. `0.10000000000000000001`), never through a JS number. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type FieldValue = string | RawJson;
export type RequestFields = Record<string, FieldValue>;

export type Encoding = 'json' | 'json-as-form' | 'json-no-type' | 'form' | 'multipart';
export const ENCODINGS: readonly Encoding[] = ['json', 'json-as-form', 'json-no-type', 'form', 'multipart'];

export interface EncodedBody {
  readonly payload: string | Buffer;
  readonly headers: Record<string, string>;
}

function jsonText(fields: RequestFields): string {
  const members = Object.entries(fields).map(
    ([key, value]) =>
      `${JSON.stringify(key)}:${value instanceof RawJson ? value.text : JSON.stringify(value)}`,
  );
  return `{${members.join(',')}}`;
}

/** Form encodings can only carry text: a raw JSON value travels as its text. */
function textOf(value: FieldValue): string {
  return value instanceof RawJson ? value.text : value;
}

export async function encodeBody(fields: RequestFields, encoding: Encoding): Promise<EncodedBody> {
  switch (encoding) {
    case 'json':
      return { payload: jsonText(fields), headers: { 'content-type': 'application/json' } };
    case 'json-as-form':
      return { payload: jsonText(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    case 'json-no-type':
      return { payload: jsonText(fields), headers: {} };
    case 'form': {
      const form = new URLSearchParams(Object.entries(fields).map(([key, value]) => [key, textOf(value)]));
      return { payload: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    }
    case 'multipart':
      return encodeMultipart(fields);
  }
}

async function encodeMultipart(fields: RequestFields): Promise<EncodedBody> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, textOf(value));
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const payload = Buffer.from(await request.arrayBuffer());
  return { payload, headers: { 'content-type': request.headers.get('content-type') ?? '' } };
}
