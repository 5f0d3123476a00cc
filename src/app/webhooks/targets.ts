import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may point (contract section 7, "Safety"): an http(s) URL
 * whose host is, and resolves to, public unicast addresses only. Loopback,
 * private, link-local, unspecified, multicast, carrier-grade NAT and the
 * other special ranges are refused in every spelling: the WHATWG URL parser
 * first turns `127.1`, `2130706433`, `0x7f.1` or `0177.0.0.1` into
 * `127.0.0.1`, then ipaddr.js (the classifier Fastify's proxy-addr uses)
 * names the range, unwrapping `::ffff:127.0.0.1`. The check is made at
 * registration and again at every connection (`guardedLookup`), so a name
 * that resolves elsewhere later (DNS rebinding) cannot slip through.
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export type TargetCheck =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly reason: string };

/** Thrown through a connection's lookup when the name resolves to a refused address. */
export class RefusedAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_ADDRESS_REFUSED';
  constructor(address: string, range: string) {
    super(`address refused: ${address} is ${range}`);
    this.name = 'RefusedAddressError';
  }
}

/** The range ipaddr.js gives an address, IPv4-mapped IPv6 unwrapped; `unicast` is the only one allowed. */
export function addressRange(address: string): string {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range();
  }
  return parsed.range();
}

export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/** The host as `net` would dial it: brackets of an IPv6 literal removed. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Names that always mean this machine (RFC 6761), whatever a resolver says. */
function isLocalName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The URL's form: http(s), a host, no whitespace, at most MAX_WEBHOOK_URL_LENGTH characters. */
export function parseWebhookUrl(text: string): URL | null {
  if (text.length > MAX_WEBHOOK_URL_LENGTH || /\s/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.hostname === '' ? null : url;
}

export type Resolve = (host: string) => Promise<readonly string[]>;

/** Every address the system resolver gives the name (none when it cannot be resolved now). */
export const resolveAll: Resolve = (host) =>
  new Promise((resolve) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => {
      resolve(error === null ? addresses.map((entry) => entry.address) : []);
    });
  });

/**
 * Registration's check. A name that does not resolve now is accepted: it may
 * exist tomorrow, and every connection is checked anyway; a name that
 * resolves to any refused address is refused.
 */
export async function checkWebhookTarget(
  text: string,
  allowPrivate: boolean,
  resolve: Resolve = resolveAll,
): Promise<TargetCheck> {
  const url = parseWebhookUrl(text);
  if (url === null) return { ok: false, reason: 'not an http(s) URL' };
  if (allowPrivate) return { ok: true, url };
  const host = hostOf(url);
  if (isIP(host) !== 0) {
    const range = addressRange(host);
    return range === 'unicast' ? { ok: true, url } : { ok: false, reason: `${host} is ${range}` };
  }
  if (isLocalName(host)) return { ok: false, reason: `${host} is loopback` };
  for (const address of await resolve(host)) {
    const range = addressRange(address);
    if (range !== 'unicast') return { ok: false, reason: `${host} resolves to ${address} (${range})` };
  }
  return { ok: true, url };
}

/**
 * Connection time: the refusal for an IP literal (which `net` dials without
 * any lookup), or null when the host is a name, left to `guardedLookup`.
 */
export function refusedLiteral(url: URL): RefusedAddressError | null {
  const host = hostOf(url);
  if (isIP(host) === 0) {
    return isLocalName(host) ? new RefusedAddressError(host, 'loopback') : null;
  }
  const range = addressRange(host);
  return range === 'unicast' ? null : new RefusedAddressError(host, range);
}

/**
 * A `lookup` for node:http(s) that resolves as usual and fails the
 * connection when any address the name resolves to is refused: the address
 * dialled is one that was checked, whatever the DNS said at registration.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error !== null) {
      callback(error, '', 0);
      return;
    }
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused !== undefined) {
      callback(new RefusedAddressError(refused.address, addressRange(refused.address)), '', 0);
      return;
    }
    if (options.all === true) {
      callback(null, addresses);
      return;
    }
    const first = addresses[0];
    if (first === undefined) callback(new Error(`${hostname} has no address`), '', 0);
    else callback(null, first.address, first.family);
  });
};
