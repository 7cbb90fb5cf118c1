import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../node/home/config.ts';
import { checkHttpLimits, DEFAULT_HTTP_LIMITS, resolveHttpLimits } from '../../../node/home/http-limits.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkHttpLimits', () => {
  describe('when config.json has no http object', () => {
    it('gives the defaults: 30 s request, 10 s headers, 30 s idle, 5 s keep-alive, 512 connections', () => {
      expect(checkHttpLimits(undefined)).toEqual({});
      expect(resolveHttpLimits(undefined)).toEqual({
        requestTimeoutMs: 30_000,
        headersTimeoutMs: 10_000,
        idleTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        maxConnections: 512,
      });
      expect(resolveHttpLimits({})).toEqual(DEFAULT_HTTP_LIMITS);
    });
  });

  describe('when some limits are set', () => {
    it('keeps the defaults for the rest, and a shorter request timeout shortens the headers timeout', () => {
      expect(resolveHttpLimits(checkHttpLimits({ maxConnections: 64 }))).toEqual({
        ...DEFAULT_HTTP_LIMITS,
        maxConnections: 64,
      });
      expect(resolveHttpLimits(checkHttpLimits({ requestTimeoutMs: 4_000 })).headersTimeoutMs).toBe(4_000);
    });
  });

  describe('when a limit is wrong', () => {
    it.each([
      ['an unknown key', { requestTimeout: 1000 }],
      ['a prototype key', JSON.parse('{"__proto__": 1}')],
      ['a string', { maxConnections: '10' }],
      ['a fraction', { idleTimeoutMs: 1000.5 }],
      ['zero connections', { maxConnections: 0 }],
      ['a timeout under 100 ms', { keepAliveTimeoutMs: 10 }],
      ['headers slower than the request', { requestTimeoutMs: 1000, headersTimeoutMs: 2000 }],
      ['not an object', [1]],
    ])('throws ERR_INVALID_CONFIG for %s', (_name, http) => {
      expect(() => checkHttpLimits(http)).toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});

describe('checkConfig with http', () => {
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
  it('accepts a valid http object and refuses a bad one', () => {
    expect(checkConfig({ ...base, http: { maxConnections: 100 } }).http).toEqual({ maxConnections: 100 });
    expect(() => checkConfig({ ...base, http: { maxConnections: -1 } })).toThrow(code('ERR_INVALID_CONFIG'));
  });
});
