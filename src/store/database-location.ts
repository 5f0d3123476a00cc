import { resolve } from 'node:path';

export const DEFAULT_DATABASE_URL = './data/tirelire.db';

/** Which store a database URL selects, and where it is, as said to a person (no password). */
export type DatabaseLocation =
  | { readonly engine: 'sqlite'; readonly path: string; readonly label: string }
  | { readonly engine: 'postgres'; readonly url: string; readonly label: string };

/**
 * postgres:// or postgresql:// selects PostgreSQL; `sqlite:PATH` or a plain
 * file path the embedded store, its path made absolute so that a line naming
 * it says which file, whatever folder the command ran from.
 */
export function locateDatabase(databaseUrl: string | undefined): DatabaseLocation {
  const url = databaseUrl === undefined || databaseUrl === '' ? DEFAULT_DATABASE_URL : databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) return { engine: 'postgres', url, label: redactUrl(url) };
  const given = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  const path = given === ':memory:' ? given : resolve(given);
  return { engine: 'sqlite', path, label: `sqlite ${path}` };
}

/**
 * The URL without its password (`postgres://app:***@db:5432/ledger`), for
 * banners, command lines and error messages. An unparsable URL says only
 * that it is one: its text might hold the secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'postgres (unparsable DATABASE_URL)';
  }
  if (parsed.password !== '') parsed.password = '***';
  return `postgres ${parsed.toString()}`;
}

/** The host, port and database of a PostgreSQL URL, to say which one could not be reached. */
export function postgresTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const database = parsed.pathname.replace(/^\//, '') || '(default database)';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

/** The cause of a failure with every occurrence of the URL's password cut out. */
export function withoutPassword(url: string, text: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password === '' ? text : text.split(password).join('***');
}

/**
 * A PostgreSQL schema without Tirelire's tables, that the command was not
 * allowed to create (the CLI's commands other than serve and migrate, as for
 * a missing SQLite file); its message names the schema and the database.
 */
export class SchemaMissingError extends Error {
  constructor(
    readonly schema: string,
    url: string,
  ) {
    super(
      `no Tirelire ledger in schema ${schema} at ${postgresTarget(url)} (create it with \`tirelire migrate\`, or pass --create)`,
    );
    this.name = 'SchemaMissingError';
  }
}
