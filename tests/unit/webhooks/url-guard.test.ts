import { describe, expect, it } from 'vitest';
import { checkEndpointUrl, forbiddenAddress } from '../../../shared/domain/webhooks/url-guard.ts';

const aws = { allowLoopbackHttp: false };
const local = { allowLoopbackHttp: true };

describe('webhook endpoint URL guard (SSRF)', () => {
  it('accepts public https URLs and returns them normalized', () => {
    expect(checkEndpointUrl('https://hooks.example.com/quittance?x=1', aws)).toEqual({
      ok: true,
      url: 'https://hooks.example.com/quittance?x=1',
    });
    expect(checkEndpointUrl('HTTPS://Hooks.Example.COM:8443/a', aws)).toEqual({
      ok: true,
      url: 'https://hooks.example.com:8443/a',
    });
    expect(checkEndpointUrl('https://8.8.8.8/hook', aws).ok).toBe(true);
    expect(checkEndpointUrl('https://[2606:4700:4700::1111]/hook', aws).ok).toBe(true);
  });

  it.each([
    ['http://hooks.example.com/', 'must use https'],
    ['ftp://hooks.example.com/', 'must use https'],
    ['https://user:pw@hooks.example.com/', 'credentials'],
    ['https://hooks.example.com/#frag', 'fragment'],
    ['not a url', 'valid absolute URL'],
    ['https://localhost/hook', 'localhost'],
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://2130706433/hook', 'loopback'], // 127.0.0.1 as one number
    ['https://0x7f.1/hook', 'loopback'],
    ['https://[::1]/hook', 'loopback'],
    ['https://10.1.2.3/hook', 'private'],
    ['https://172.16.0.1/hook', 'private'],
    ['https://172.31.255.255/hook', 'private'],
    ['https://192.168.1.1/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'], // instance metadata
    ['https://100.64.0.1/hook', 'private'],
    ['https://0.0.0.0/hook', 'private'],
    ['https://224.0.0.1/hook', 'private'],
    ['https://[fd00::1]/hook', 'private'],
    ['https://[fe80::1]/hook', 'private'],
    ['https://[::ffff:127.0.0.1]/hook', 'private'], // IPv4-mapped loopback
    ['https://[::ffff:169.254.169.254]/hook', 'private'],
    ['https://[64:ff9b::a00:1]/hook', 'private'], // NAT64 of 10.0.0.1
    ['https://intranet/hook', 'fully qualified'],
    ['https://metadata.google.internal/', 'internal name'],
    ['https://printer.local/', 'internal name'],
    ['https://app.localhost/', 'internal name'],
    [`https://example.com/${'a'.repeat(2048)}`, '2048'],
  ])('refuses %s in AWS', (url, reason) => {
    const check = checkEndpointUrl(url, aws);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it('allows plain http only to the loopback interface, and only when the setting says so (local cloud)', () => {
    for (const url of ['http://127.0.0.1:4000/hook', 'http://localhost:4000/hook', 'http://[::1]:4000/hook']) {
      expect(checkEndpointUrl(url, local).ok, url).toBe(true);
      expect(checkEndpointUrl(url, aws).ok, url).toBe(false);
    }
    expect(checkEndpointUrl('http://hooks.example.com/', local).ok).toBe(false);
    expect(checkEndpointUrl('http://10.0.0.1/', local).ok).toBe(false);
    expect(checkEndpointUrl('https://169.254.169.254/', local).ok).toBe(false);
  });

  it('checks resolved addresses with the same rules (used at connection time against DNS rebinding)', () => {
    expect(forbiddenAddress('93.184.216.34', { allowLoopback: false })).toBeNull();
    expect(forbiddenAddress('10.0.0.1', { allowLoopback: true })).toMatch(/private/);
    expect(forbiddenAddress('127.0.0.1', { allowLoopback: false })).toMatch(/loopback/);
    expect(forbiddenAddress('127.0.0.1', { allowLoopback: true })).toBeNull();
    expect(forbiddenAddress('::ffff:10.0.0.1', { allowLoopback: true })).toMatch(/private/);
    expect(forbiddenAddress('2001:4860:4860::8888', { allowLoopback: false })).toBeNull();
  });
});
