import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  decodeWindowsRequest,
  decodeWindowsResponse,
  encodeWindowsRequest,
  encodeWindowsResponse,
  MAX_MONITOR_SYNC_FRAME,
  MAX_SYNC_WINDOWS,
} from '../../../protocol/monitoring/sync.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const SEED = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const env = (n: number, pad = 0) =>
  signAsPeer('application/vnd.govfed.monitor-window+json', canonicalBytes({ n, pad: 'x'.repeat(pad) }), SEED);
const frame = (v: unknown) => canonicalBytes(v);

describe('monitor sync frames', () => {
  it('round-trips a request and a response', () => {
    expect(() => decodeWindowsRequest(encodeWindowsRequest())).not.toThrow();
    const list = [env(1), env(2)];
    expect(decodeWindowsResponse(encodeWindowsResponse(list))).toEqual(list);
  });

  it('answers at most MAX_SYNC_WINDOWS envelopes, in the order given, within the frame bound', () => {
    const many = Array.from({ length: MAX_SYNC_WINDOWS + 5 }, (_, i) => env(i));
    const got = decodeWindowsResponse(encodeWindowsResponse(many));
    expect(got).toHaveLength(MAX_SYNC_WINDOWS);
    expect(got[0]).toEqual(many[0]);
    const big = Array.from({ length: 60 }, (_, i) => env(i, 20_000)); // ~27 kB each: more than a frame holds
    const bytes = encodeWindowsResponse(big);
    expect(bytes.length).toBeLessThanOrEqual(MAX_MONITOR_SYNC_FRAME);
    const fitted = decodeWindowsResponse(bytes);
    expect(fitted.length).toBeGreaterThan(0);
    expect(fitted.length).toBeLessThan(60);
  });

  it.each([
    ['another type', frame({ type: 'get-freshness' })],
    ['an extra field', frame({ type: 'get-windows', since: 3 })],
    ['not an object', frame(['get-windows'])],
  ])('refuses a request with %s', (_, bytes) => {
    expect(() => decodeWindowsRequest(bytes)).toThrow(code('ERR_MALFORMED_MONITOR_SYNC'));
  });

  it.each([
    ['another type', frame({ type: 'windowz', envelopes: [] })],
    ['an extra field', frame({ type: 'windows', envelopes: [], more: 1 })],
    ['no envelopes', frame({ type: 'windows' })],
    ['envelopes not a list', frame({ type: 'windows', envelopes: {} })],
    [
      'too many envelopes',
      frame({ type: 'windows', envelopes: Array.from({ length: MAX_SYNC_WINDOWS + 1 }, () => env(1)) }),
    ],
    ['a malformed envelope', frame({ type: 'windows', envelopes: [{ payloadType: 'x' }] })],
    ['an oversized frame', frame({ type: 'windows', envelopes: [], pad: 'x'.repeat(MAX_MONITOR_SYNC_FRAME) })],
  ])('refuses a response with %s', (_, bytes) => {
    expect(() => decodeWindowsResponse(bytes)).toThrow(code('ERR_MALFORMED_MONITOR_SYNC'));
  });

  it('refuses a frame that is not canonical JSON', () => {
    expect(() => decodeWindowsResponse(new TextEncoder().encode('{"type":"windows", "envelopes":[]}'))).toThrow(
      code('ERR_NOT_CANONICAL'),
    );
  });
});
