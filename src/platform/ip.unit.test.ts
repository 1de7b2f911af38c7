import { describe, expect, it } from 'vitest';
import { ipLimitKey } from './ip.js';

describe('ipLimitKey', () => {
  it('counts an IPv6 client by its /64, an IPv4 one (mapped or not) by its address', () => {
    expect(ipLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipLimitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(ipLimitKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(ipLimitKey('2001:0DB8:0001:0002:ffff::')).toBe('2001:db8:1:2::/64');
    expect(ipLimitKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipLimitKey('2001:db8:1:3::1')).not.toBe(ipLimitKey('2001:db8:1:2::1'));
    expect(ipLimitKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(ipLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(ipLimitKey('::1')).toBe('0:0:0:0::/64');
  });
});
