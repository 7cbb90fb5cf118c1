import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecisionLeaf } from '../../../protocol/audit/leaf.ts';
import { signAsPeer } from '../../../protocol/federation/envelope.ts';
import {
  addTallies,
  COUNTS_PAYLOAD_TYPE,
  checkCounts,
  countLeaf,
  countsPayload,
  emptyTally,
  MAX_COUNTED_KEYS,
  OTHER_KEY,
  verifyCounts,
} from '../../../protocol/report/counts.ts';
import { peer, seed } from '../federation/fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const FED = 'a'.repeat(64);
const statement = {
  federation: FED,
  org: 'eu',
  model: { org: 'eu', name: 'fraud', version: '1.0.0' },
  digest: `sha256:${'cd'.repeat(32)}`,
  through: 10,
  decisions: 3,
  denied: 1,
  flags: { shadow_ai: 1 },
  deny: { 'contract.purpose': 1 },
  time: '2025-06-15T11:00:00Z',
};
const leaf = (o: Partial<DecisionLeaf>): DecisionLeaf => ({
  v: 1,
  type: 'decision',
  model: 'eu/fraud@1.0.0',
  time: '2025-06-15T11:00:00Z',
  decisionId: 'd1',
  recordDigest: `sha256:${'00'.repeat(32)}`,
  outcome: 'ok',
  ...o,
});
const ctx = {
  federation: FED,
  peerIdOf: (org: string) => (org === 'eu' ? peer(0) : org === 'us' ? peer(1) : undefined),
};

describe('countLeaf', () => {
  it('counts decisions, denials by rule and flags by kind', () => {
    const t = emptyTally();
    countLeaf(t, leaf({}));
    countLeaf(t, leaf({ verdict: 'denied', deny: ['contract.purpose', 'local:night'], flags: ['shadow_ai'] }));
    countLeaf(t, leaf({ verdict: 'allowed', flags: ['shadow_ai'] }));
    expect(t).toEqual({
      decisions: 3,
      denied: 1,
      flags: { shadow_ai: 2 },
      deny: { 'contract.purpose': 1, 'local:night': 1 },
    });
  });

  it('counts past MAX_COUNTED_KEYS distinct rules under OTHER_KEY', () => {
    const t = emptyTally();
    for (let i = 0; i <= MAX_COUNTED_KEYS; i++) countLeaf(t, leaf({ verdict: 'denied', deny: [`r${i}`] }));
    expect(Object.keys(t.deny)).toHaveLength(MAX_COUNTED_KEYS + 1);
    expect(t.deny[OTHER_KEY]).toBe(1);
  });
});

describe('addTallies', () => {
  it('is the sum of its parts, in any order', () => {
    const tally = fc.record({
      decisions: fc.nat(1000),
      denied: fc.nat(1000),
      flags: fc.dictionary(fc.constantFrom('shadow_ai', 'x'), fc.nat(50)),
      deny: fc.dictionary(fc.constantFrom('a', 'b'), fc.nat(50)),
    });
    fc.assert(
      fc.property(fc.array(tally, { maxLength: 8 }), (ts) => {
        const sum = addTallies(ts);
        const rev = addTallies([...ts].reverse());
        expect(sum.decisions).toBe(ts.reduce((n, t) => n + t.decisions, 0));
        expect(sum).toEqual(rev);
      }),
    );
  });
});

describe('checkCounts', () => {
  describe('when the numbers do not add up', () => {
    it('refuses more denials than decisions, a rule counted more than the denials, an unknown field', () => {
      expect(() => checkCounts({ type: 'govfed.model-counts/v1', ...statement, denied: 4 })).toThrow(
        code('ERR_MALFORMED_COUNTS'),
      );
      expect(() =>
        checkCounts({ type: 'govfed.model-counts/v1', ...statement, deny: { 'contract.purpose': 2 } }),
      ).toThrow(code('ERR_MALFORMED_COUNTS'));
      expect(() => checkCounts({ type: 'govfed.model-counts/v1', ...statement, extra: 1 })).toThrow(
        code('ERR_MALFORMED_COUNTS'),
      );
      expect(() => checkCounts({ type: 'govfed.model-counts/v1', ...statement, decisions: 11 })).toThrow(
        code('ERR_MALFORMED_COUNTS'),
      );
    });
  });
});

describe('verifyCounts', () => {
  const env = signAsPeer(COUNTS_PAYLOAD_TYPE, countsPayload(statement), seed(0));

  it('returns the statement signed by the org’s peer key', () => {
    expect(verifyCounts(env, ctx)).toMatchObject({ org: 'eu', decisions: 3 });
  });

  describe('when signed by another member', () => {
    it('fails (ERR_UNKNOWN_SIGNER)', () => {
      const other = signAsPeer(COUNTS_PAYLOAD_TYPE, countsPayload(statement), seed(1));
      expect(() => verifyCounts(other, ctx)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when made for another federation', () => {
    it('fails (ERR_COUNTS_MISMATCH)', () => {
      expect(() => verifyCounts(env, { ...ctx, federation: 'b'.repeat(64) })).toThrow(code('ERR_COUNTS_MISMATCH'));
    });
  });

  describe('when a signed byte changed', () => {
    it('fails (ERR_BAD_SIGNATURE)', () => {
      const payload = Buffer.from(env.payload, 'base64').toString('utf8').replace('"decisions":3', '"decisions":4');
      const forged = { ...env, payload: Buffer.from(payload).toString('base64') };
      expect(() => verifyCounts(forged, ctx)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
});
