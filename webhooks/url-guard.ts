// SSRF guard of webhook URLs (SPEC §13): https only, and every address the host resolves to
// must be public — not loopback, private, link-local (cloud metadata), CGNAT, unique-local,
// multicast or unspecified. METERLINE_WEBHOOKS_ALLOW_PRIVATE=true lifts both rules (development
// and tests). Checked when a webhook is created and again before every delivery, so a name
// that later resolves to an internal address (DNS rebinding) is not followed either.
import { lookup } from 'node:dns/promises';
import net from 'node:net';

const blocked = new net.BlockList();
for (const [addr, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(addr, bits, 'ipv4');
for (const [addr, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) blocked.addSubnet(addr, bits, 'ipv6');

/** True when `ip` is not a public address (IPv4-mapped IPv6 checked as IPv4). */
export function isPrivateAddress(ip: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
}

export type Resolver = (host: string) => Promise<string[]>;
const dnsResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Why `raw` may not be a webhook URL, or undefined when it may. `unresolvable: 'accept'` (at
 * creation) lets a host that does not resolve *now* pass: nothing is sent to it until an
 * attempt, and every attempt checks again with 'refuse' (the default), so the guard holds while
 * a DNS outage or an endpoint whose name is not published yet does not block registering it.
 */
export async function urlProblem(
  raw: string,
  allowPrivate: boolean,
  resolve: Resolver = dnsResolver,
  unresolvable: 'refuse' | 'accept' = 'refuse',
): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid absolute URL';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return allowPrivate ? 'must be http or https' : 'must be https (METERLINE_WEBHOOKS_ALLOW_PRIVATE=true also allows http, for development)';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  // Names reserved by RFC 6761, decided without DNS (and so also when DNS is away at creation).
  if (host === 'localhost' || host.endsWith('.localhost')) return `host ${host} is a loopback name (METERLINE_WEBHOOKS_ALLOW_PRIVATE=true allows it, for development)`;
  if (host === 'invalid' || host.endsWith('.invalid')) return `host ${host} does not resolve (.invalid is reserved)`;
  let addresses: string[];
  try {
    addresses = net.isIP(host) ? [host] : await resolve(host);
  } catch {
    return unresolvable === 'accept' ? undefined : `host ${host} does not resolve`;
  }
  const internal = addresses.find(isPrivateAddress);
  if (internal !== undefined) {
    return `host ${host} resolves to ${internal}, a loopback or private address (METERLINE_WEBHOOKS_ALLOW_PRIVATE=true allows it, for development)`;
  }
  return undefined;
}
