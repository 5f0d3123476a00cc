/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) written with a few small
 * functions whose results carry, in their type only, the JSON value they
 * describe. One definition of a shape thus gives the server its OpenAPI
 * document (the objects, unchanged) and the SDK and the console their types
 * (`Shape<typeof schema>`), so the two cannot drift apart.
 *
 * Hand-written rather than json-schema-to-ts or TypeBox: the vocabulary is
 * the dozen constructs below, the objects stay exactly what the document
 * serves, and the client (its own light package later) needs no dependency.
 */

declare const describes: unique symbol;
declare const exactNumber: unique symbol;

/** A JSON Schema as a plain object; `T` is the JSON value it describes, known to the compiler only. */
export type Schema<T = unknown> = Readonly<Record<string, unknown>> & { readonly [describes]?: T };

/**
 * Where a described value holds money written as a bare JSON number (exact,
 * never through a float). Each side says what it holds there: the SDK its
 * exact decimal text, the server the exact number it writes.
 */
export interface MoneyNumber {
  readonly [exactNumber]: true;
}

/** Money as the SDK holds it, in and out: exact decimal text, `"2869.2"`, `"12.500"`. */
export type Money = string;

/** The JSON value `S` describes, money numbers held as `N` (the SDK's text by default). */
export type Shape<S, N = Money> = WithMoney<Described<S>, N>;

type Described<S> = S extends { readonly [describes]?: infer T } ? Exclude<T, undefined> : never;

type WithMoney<T, N> = T extends MoneyNumber
  ? N
  : T extends readonly (infer E)[]
    ? readonly WithMoney<E, N>[]
    : T extends object
      ? { readonly [K in keyof T]: WithMoney<T[K], N> }
      : T;

type Properties = Readonly<Record<string, Schema>>;

/** `{ a: A, b?: B }` from properties and the names of the required ones. */
type ObjectOf<P extends Properties, R extends keyof P> = Flat<
  { readonly [K in R]: Described<P[K]> } & { readonly [K in Exclude<keyof P, R>]?: Described<P[K]> }
>;
type Flat<T> = { [K in keyof T]: T[K] } & {};

export const text = (description?: string): Schema<string> =>
  description === undefined ? { type: 'string' } : { type: 'string', description };
export const integer: Schema<number> = { type: 'integer' };
export const boolean: Schema<boolean> = { type: 'boolean' };
export const dateTime: Schema<string> = { type: 'string', format: 'date-time' };

/** One of a few literal values: `{ enum: [...] }`. */
export const enumOf = <const V extends readonly (string | number)[]>(values: V): Schema<V[number]> => ({
  enum: values,
});
/** Exactly this value: `{ const: value }`. */
export const constant = <const V extends string | number | boolean>(value: V): Schema<V> => ({
  const: value,
});
/** Exactly one of two shapes: `{ oneOf: [a, b] }`. */
export const oneOf = <A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> => ({ oneOf: [a, b] });
export const nullable = <T>(schema: Schema<T>): Schema<T | null> => ({ anyOf: [schema, { type: 'null' }] });
export const arrayOf = <T>(items: Schema<T>, description?: string): Schema<readonly T[]> =>
  description === undefined ? { type: 'array', items } : { type: 'array', items, description };
/** The same schema with another description (or one where it had none). */
export const describe = <T>(schema: Schema<T>, description: string): Schema<T> => ({
  ...schema,
  description,
});

export const object = <P extends Properties, const R extends readonly (keyof P & string)[] = []>(
  properties: P,
  required?: R,
): Schema<ObjectOf<P, R[number]>> =>
  required === undefined || required.length === 0
    ? { type: 'object', properties }
    : { type: 'object', required: [...required], properties };

/** An object whose every property is always present. */
export const allRequired = <P extends Properties>(properties: P): Schema<ObjectOf<P, keyof P>> => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
});

/** A 200 answer: `success` and `code` first, then the route's own fields. */
export const ok = <P extends Properties, const R extends readonly (keyof P & string)[] = []>(
  properties: P,
  required?: R,
): Schema<{ readonly success: true; readonly code: 200 } & ObjectOf<P, R[number]>> => ({
  type: 'object',
  required: ['success', 'code', ...(required ?? [])],
  properties: { success: constant(true), code: constant(200), ...properties },
});

/** Money written as a bare JSON number, exactly: read it without a float (e.g. lossless-json) to keep every digit. */
export const moneyNumber: Schema<MoneyNumber> = {
  type: 'number',
  description: 'EUR, exact decimal in its shortest form (at most 6 decimals); parse losslessly.',
  examples: [2869.2],
};
/** Money written as decimal text with at least 3 decimals, as the Mailpartner list does. */
export const moneyString: Schema<Money> = {
  type: 'string',
  pattern: '^-?\\d+\\.\\d{3,6}$',
  description: 'EUR, exact decimal text with 3 to 6 decimals.',
  examples: ['12.500'],
};
