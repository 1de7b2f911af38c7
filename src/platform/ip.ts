/**
 * The one key every per-IP limit counts under (sign-in failures, sign-ups, the anonymous request
 * budget, WebSocket connections, "signed in from here before"). An IPv4 address counts as
 * itself; an IPv6 address by its /64, the smallest block a provider hands one customer (RFC
 * 6177), so a client cannot rotate through its 2^64 addresses to reset a limit. An IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d) counts as the IPv4 address.
 */
import { isIP } from 'node:net';

export function ipLimitKey(ip: string): string {
  const kind = isIP(ip.split('%')[0] ?? '');
  if (kind !== 6) return ip;
  const groups = ipv6Groups(ip);
  if (!groups) return ip;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, embedded IPv4 read). */
function ipv6Groups(address: string): number[] | null {
  let text = address.split('%')[0]!.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const first = head ? head.split(':') : [];
  const last = tail === undefined ? null : tail ? tail.split(':') : [];
  const groups = last === null ? first : [...first, ...Array<string>(8 - first.length - last.length).fill('0'), ...last];
  if (groups.length !== 8) return null;
  return groups.map((g) => parseInt(g, 16));
}
