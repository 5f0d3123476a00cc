import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isLosslessNumber, parse as parseLosslessJson } from 'lossless-json';

/**
 * XML answers read back with a real XML parser (fast-xml-parser), and JSON
 * answers read the same way, so the two can be compared value by value, in
 * order. What XML can tell apart is all that is compared:
 * - a string: `{ text }` (CDATA, possibly in several sections and character references);
 * - a number or boolean: its text exactly as written (`'2869.2'`, `'true'`);
 * - `null`, `[]` and `{}`: `'empty'` (all three are an empty `<entry>` in XML);
 * - a non-empty object or array: the list of its values.
 */
export type ReadValue = { readonly text: string } | string | readonly ReadValue[];

interface Node {
  readonly [name: string]: Node[] | string | undefined;
}

const parser = new XMLParser({
  preserveOrder: true,
  cdataPropName: '#cdata',
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
  htmlEntities: true,
});

/** The values of `<result>`, after checking the document is well-formed XML with the family's declaration. */
export function readXml(xml: string): ReadValue[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid)}`);
  if (!xml.startsWith("<?xml version='1.0' encoding='UTF-8'?>")) throw new Error('no XML declaration');
  const roots = (parser.parse(xml) as Node[]).filter((node) => !('#text' in node));
  if (roots.length !== 1 || !('result' in roots[0]!)) throw new Error('not one <result>');
  return entries(roots[0]!['result'] as Node[]);
}

function entries(children: Node[]): ReadValue[] {
  return children.map((child) => {
    const inner = child['entry'];
    if (!Array.isArray(inner)) throw new Error(`not an <entry>: ${JSON.stringify(child)}`);
    return entryValue(inner);
  });
}

function entryValue(children: Node[]): ReadValue {
  if (children.length === 0) return 'empty';
  if (children.some((child) => 'entry' in child)) return entries(children);
  if (!children.some((child) => '#cdata' in child)) {
    if (children.length !== 1) throw new Error(`a literal in pieces: ${JSON.stringify(children)}`);
    return children[0]!['#text'] as string;
  }
  return { text: children.map(textOf).join('') };
}

function textOf(child: Node): string {
  if ('#text' in child) return child['#text'] as string;
  return (child['#cdata'] as Node[]).map((text) => text['#text'] as string).join('');
}

/** A JSON answer's values read the same way (lossless-json: numbers keep their text). */
export function readJson(json: string): ReadValue[] {
  return readRoot(parseLosslessJson(json));
}

/** What `<result>` holds: the root object's or array's values, or a bare value as one entry. */
export function readRoot(value: unknown): ReadValue[] {
  if (typeof value !== 'object' || value === null || isLosslessNumber(value)) return [readValue(value)];
  return (Array.isArray(value) ? (value as unknown[]) : Object.values(value)).map(readValue);
}

export function readValue(value: unknown): ReadValue {
  if (value === null) return 'empty';
  if (typeof value === 'string') return { text: value };
  if (typeof value === 'boolean') return String(value);
  if (isLosslessNumber(value)) return value.toString();
  if (typeof value === 'object') {
    const items = (Array.isArray(value) ? value : Object.values(value)) as unknown[];
    return items.length === 0 ? 'empty' : items.map(readValue);
  }
  throw new Error(`not a JSON value: ${String(value)}`);
}
