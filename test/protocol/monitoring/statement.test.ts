import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import {
  verifyWindow,
  WINDOW_PAYLOAD_TYPE,
  WINDOW_TYPE,
  windowPayload,
} from '../../../protocol/monitoring/statement.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';
import { BASELINE, CONTRACT, DIGEST, EU_SEED, FED, US_SEED, WINDOW } from '../../helpers/monitor-window.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const MONITOR: RequiredMonitor = {
  metric: 'psi',
  field: 'output.score',
  threshold: 0.25,
  window: { decisions: 100 },
  onBreach: 'suspend',
};
const ctx = {
  federation: FED,
  peerIdOf: (org: string) => ({ us: peerIdFromSeed(US_SEED), eu: peerIdFromSeed(EU_SEED) })[org],
  monitorOf: (_m: unknown, contract: string, index: number) =>
    contract === CONTRACT && index === 0 ? { monitor: MONITOR, digest: DIGEST, baseline: BASELINE } : undefined,
};

const signed = (body: unknown, seed = US_SEED) => signAsPeer(WINDOW_PAYLOAD_TYPE, canonicalBytes(body), seed);

describe('verifyWindow', () => {
  describe("when the statement is signed by its org's node and its numbers add up", () => {
    it('returns the statement', () => {
      const env = signAsPeer(WINDOW_PAYLOAD_TYPE, windowPayload(WINDOW, MONITOR), US_SEED);
      expect(verifyWindow(env, ctx)).toEqual({ type: WINDOW_TYPE, ...WINDOW });
    });
  });

  describe('when it is not', () => {
    it.each([
      ['signed by another member', () => signed({ type: WINDOW_TYPE, ...WINDOW }, EU_SEED), 'ERR_UNKNOWN_SIGNER'],
      ['from a non-member', () => signed({ type: WINDOW_TYPE, ...WINDOW, org: 'xx' }), 'ERR_UNKNOWN_SIGNER'],
      [
        'a changed count (bins no longer add up)',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, counts: { bins: [91, 10], missing: 0 } }),
        'ERR_MALFORMED_MONITOR_WINDOW',
      ],
      [
        'a value its counts do not give',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, value: 0.1, breach: false }),
        'ERR_MONITOR_WINDOW_MISMATCH',
      ],
      [
        'a breach its value does not give',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, breach: false }),
        'ERR_MONITOR_WINDOW_MISMATCH',
      ],
      [
        'another threshold than the contract',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, threshold: 1 }),
        'ERR_MONITOR_WINDOW_MISMATCH',
      ],
      [
        'a monitor the contract does not have (or not held here yet)',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, monitor: 1 }),
        'ERR_MONITOR_NOT_HELD',
      ],
      [
        'another federation',
        () => signed({ type: WINDOW_TYPE, ...WINDOW, federation: 'ef'.repeat(32) }),
        'ERR_MONITOR_WINDOW_MISMATCH',
      ],
      ['an unknown field', () => signed({ type: WINDOW_TYPE, ...WINDOW, raw: [0.3] }), 'ERR_MALFORMED_MONITOR_WINDOW'],
    ])('refuses %s', (_what, make, c) => {
      expect(() => verifyWindow(make(), ctx)).toThrow(code(c));
    });

    it('refuses a signature over other bytes (ERR_BAD_SIGNATURE)', () => {
      const env = signAsPeer(WINDOW_PAYLOAD_TYPE, windowPayload(WINDOW, MONITOR), US_SEED);
      const other = signAsPeer(WINDOW_PAYLOAD_TYPE, windowPayload({ ...WINDOW, seq: 2 }, MONITOR), US_SEED);
      const forged = { ...env, payload: other.payload };
      expect(() => verifyWindow(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
});
