/**
 * Which URLs a company may register as a webhook endpoint (an SSRF guard: our functions make the request, from
 * inside our network, so an endpoint must not point at it).
 *
 * - https only; plain http only to the loopback interface, and only where a deployment setting allows it (the local
 *   cloud, so that a receiver on 127.0.0.1 works in development and tests);
 * - no credentials in the URL, no fragment, at most 2 048 characters;
 * - IP literals in private, loopback, link-local (169.254.0.0/16: the instance metadata service), CGNAT, multicast,
 *   reserved or documentation ranges are refused, in every spelling the WHATWG parser normalizes (2130706433,
 *   0x7f.1, ::ffff:127.0.0.1); IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are refused;
 * - host names must have a dot and not end in .localhost, .local, .internal, .localdomain, .home.arpa.
 *
 * A host name can still resolve to a private address (or change what it resolves to between the check and the
 * request: DNS rebinding). The same `forbiddenAddress` check therefore runs again on the address the sender actually
 * connects to (see shared/adapters/webhooks/http-sender.ts), which covers both. What no check here covers: a public
 * address that forwards to us (an open proxy or redirector we would not follow anyway: redirects are not followed).
 */
import { BlockList, isIP } from 'node:net';

export interface UrlGuardOptions {
  /** http://127.0.0.1, http://localhost, http://[::1] are accepted (local cloud only). */
  allowLoopbackHttp: boolean;
}

export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

// One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules (::ffff:0:0/96 would
// then refuse every IPv4 address), so each address is only checked against the rules of its own family.
const loopback4 = new BlockList();
loopback4.addSubnet('127.0.0.0', 8, 'ipv4');
const loopback6 = new BlockList();
loopback6.addAddress('::1', 'ipv6');

const forbidden4 = new BlockList();
const forbidden6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['169.254.0.0', 16], // link-local, instance metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  forbidden4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::', 96], // IPv4-compatible (deprecated)
  ['::ffff:0:0', 96], // IPv4-mapped
  ['64:ff9b::', 96], // NAT64
  ['64:ff9b:1::', 48], // local NAT64
  ['100::', 64], // discard
  ['2001::', 32], // Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  forbidden6.addSubnet(net, prefix, 'ipv6');
}

/**
 * Why a request must not go to this IP address, or null when it may. Loopback is allowed only with
 * `allowLoopback` (the local cloud).
 */
export const forbiddenAddress = (address: string, opts: { allowLoopback: boolean }): string | null => {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  const [type, loopback, forbidden] =
    family === 4 ? (['ipv4', loopback4, forbidden4] as const) : (['ipv6', loopback6, forbidden6] as const);
  if (loopback.check(address, type)) return opts.allowLoopback ? null : `${address} is a loopback address`;
  if (forbidden.check(address, type)) return `${address} is a private, reserved or internal address`;
  return null;
};

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.localdomain', '.home.arpa'];

/** Checks an endpoint URL; returns it normalized (as the WHATWG parser writes it) when accepted. */
export const checkEndpointUrl = (raw: string, opts: UrlGuardOptions): UrlCheck => {
  const no = (reason: string): UrlCheck => ({ ok: false, reason });
  if (raw.length > 2048) return no('at most 2048 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return no('not a valid absolute URL');
  }
  if (url.username || url.password) return no('must not carry credentials');
  if (url.hash) return no('must not have a fragment');
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const isLoopbackName = LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:') {
    if (!(opts.allowLoopbackHttp && isLoopbackName)) {
      return no(
        opts.allowLoopbackHttp ? 'must use https (http only to 127.0.0.1 or localhost here)' : 'must use https',
      );
    }
  } else if (url.protocol !== 'https:') {
    return no('must use https');
  }
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(literal)) {
    const why = forbiddenAddress(literal, { allowLoopback: opts.allowLoopbackHttp });
    return why ? no(`must not point at ${why}`) : { ok: true, url: url.toString() };
  }
  if (host === 'localhost') {
    return opts.allowLoopbackHttp ? { ok: true, url: url.toString() } : no('must not point at localhost');
  }
  if (!host.includes('.')) return no('the host must be a fully qualified public name');
  if (INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) return no(`the host must not be an internal name (${host})`);
  return { ok: true, url: url.toString() };
};
