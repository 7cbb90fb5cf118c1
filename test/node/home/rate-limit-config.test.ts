import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../node/home/config.ts';
import { checkHttpLimits, resolveHttpLimits } from '../../../node/home/http-limits.ts';
import {
  checkRateLimits,
  DEFAULT_RATE_LIMITS,
  MAX_RATE_LIMIT,
  resolveRateLimits,
} from '../../../node/home/rate-limit-config.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkRateLimits', () => {
  describe('when http.rateLimit is absent or partial', () => {
    it('fills the defaults: 1200 per address, 12000 per token, ingest not limited', () => {
      expect(checkRateLimits(undefined)).toEqual({});
      expect(resolveRateLimits(undefined)).toEqual({ perIp: 1200, perToken: 12_000, ingestPerToken: 0 });
      expect(resolveRateLimits(checkRateLimits({ perIp: 0 }))).toEqual({ ...DEFAULT_RATE_LIMITS, perIp: 0 });
    });
  });

  describe('when a value is wrong', () => {
    it.each([
      [null],
      [[]],
      [5],
      [{ perIp: -1 }],
      [{ perIp: 1.5 }],
      [{ perIp: '10' }],
      [{ perToken: MAX_RATE_LIMIT + 1 }],
      [{ perMinute: 10 }],
      [JSON.parse('{"__proto__": {"perIp": 1}}')],
    ])('throws ERR_INVALID_CONFIG for %j', (v) => {
      expect(() => checkRateLimits(v)).toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});

describe('checkHttpLimits with rateLimit and trustProxy', () => {
  it('accepts them beside the numeric limits and leaves them out of the server limits', () => {
    const http = checkHttpLimits({ maxConnections: 10, rateLimit: { perIp: 5 }, trustProxy: ['loopback'] });
    expect(http.rateLimit).toEqual({ perIp: 5 });
    expect(resolveHttpLimits(http)).not.toHaveProperty('rateLimit');
    expect(resolveHttpLimits(http)).not.toHaveProperty('trustProxy');
    expect(resolveHttpLimits(http).maxConnections).toBe(10);
  });

  it('refuses a bad rateLimit or trustProxy in config.json (the daemon does not start)', () => {
    const base = {
      version: 1,
      org: 'acme',
      jurisdiction: 'EU',
      origin: 'govfed/acme/00000000',
      api: '127.0.0.1:7370',
      listen: '/ip4/0.0.0.0/tcp/7371',
      checkpointIntervalMs: 1000,
      peerId: '12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5',
      verifierKey: 'govfed/acme/00000000+00000000+AQ==',
    };
    expect(checkConfig({ ...base, http: { rateLimit: { perIp: 0, perToken: 600 } } }).http?.rateLimit?.perToken).toBe(
      600,
    );
    expect(() => checkConfig({ ...base, http: { rateLimit: { perIp: -5 } } })).toThrow(code('ERR_INVALID_CONFIG'));
    expect(() => checkConfig({ ...base, http: { trustProxy: ['nginx'] } })).toThrow(code('ERR_INVALID_CONFIG'));
  });
});
