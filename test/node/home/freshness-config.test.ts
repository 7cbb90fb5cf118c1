import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../node/home/config.ts';
import {
  checkFreshnessConfig,
  DEFAULT_FRESHNESS,
  resolveFreshnessConfig,
} from '../../../node/home/freshness-config.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkFreshnessConfig', () => {
  describe('when config.json has no freshness object', () => {
    it('gives the defaults: a statement every 10 s, living 5 min, stale after 60 s unconfirmed', () => {
      expect(checkFreshnessConfig(undefined)).toEqual({});
      expect(resolveFreshnessConfig(undefined)).toEqual({
        intervalMs: 10_000,
        lifetimeMs: 300_000,
        staleAfterMs: 60_000,
      });
    });
  });
  describe('when some fields are set', () => {
    it('keeps the defaults for the rest', () => {
      expect(resolveFreshnessConfig(checkFreshnessConfig({ staleAfterMs: 0 }))).toEqual({
        ...DEFAULT_FRESHNESS,
        staleAfterMs: 0,
      });
    });
  });
  describe('when a field is wrong', () => {
    it.each([
      ['not an object', []],
      ['an unknown field', { windowMs: 1000 }],
      ['a fraction', { intervalMs: 1000.5 }],
      ['an interval under 100 ms', { intervalMs: 99 }],
      ['a lifetime over 1 h (the protocol maximum)', { lifetimeMs: 3_600_001 }],
      ['a lifetime not longer than the interval', { intervalMs: 2000, lifetimeMs: 2000 }],
      ['a string', { staleAfterMs: '60000' }],
    ])('refuses %s with ERR_INVALID_CONFIG', (_what, value) => {
      expect(() => checkFreshnessConfig(value)).toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});

describe('checkConfig with freshness', () => {
  const base = {
    version: 1,
    org: 'acme',
    jurisdiction: 'EU',
    origin: 'govfed/acme/0123abcd',
    api: '127.0.0.1:7370',
    listen: '/ip4/0.0.0.0/tcp/7371',
    checkpointIntervalMs: 1000,
    peerId: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo',
    verifierKey: 'govfed/acme/0123abcd+01234567+AQ==',
  };
  it('accepts a valid freshness object and refuses a bad one', () => {
    const freshness = { intervalMs: 500, lifetimeMs: 2000, staleAfterMs: 1000 };
    expect(checkConfig({ ...base, freshness }).freshness).toEqual(freshness);
    expect(() => checkConfig({ ...base, freshness: { intervalMs: 0 } })).toThrow(code('ERR_INVALID_CONFIG'));
  });
});
