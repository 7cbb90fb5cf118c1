import { describe, expect, it } from 'vitest';
import { checkTrustProxy, isTrustedProxySpec, MAX_TRUSTED_PROXIES } from '../../../node/home/trust-proxy.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('isTrustedProxySpec', () => {
  describe('when the entry is an address, a range or a name', () => {
    it.each([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      '2001:db8::/128',
      '0.0.0.0/0',
      'loopback',
      'linklocal',
      'uniquelocal',
    ])('accepts %s', (s) => {
      expect(isTrustedProxySpec(s)).toBe(true);
    });
  });
  describe('when it is anything else', () => {
    it.each([
      '',
      'nginx',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/08',
      '10.0.0.1/',
      '256.0.0.1',
      '10.0.0.0/8/8',
      'LOOPBACK',
      7,
    ])('refuses %j', (s) => {
      expect(isTrustedProxySpec(s)).toBe(false);
    });
  });
});

describe('checkTrustProxy', () => {
  describe('when absent', () => {
    it('trusts no proxy', () => {
      expect(checkTrustProxy(undefined)).toBeUndefined();
    });
  });
  describe('when it is not a list of valid entries', () => {
    it.each([['loopback'], [{}], [['loopback', 'x']], [Array.from({ length: MAX_TRUSTED_PROXIES + 1 }, () => '::1')]])(
      'throws ERR_INVALID_CONFIG for %j',
      (v) => {
        expect(() => checkTrustProxy(v)).toThrow(code('ERR_INVALID_CONFIG'));
      },
    );
  });
});
