import { describe, expect, it } from 'vitest';
import { federationId } from '../../../protocol/federation/charter.ts';
import { baselineDigest } from '../../../protocol/policy/baseline.ts';
import {
  addBundleSignature,
  bundleStatus,
  mergeBundleSignatures,
  signBaseline,
} from '../../../protocol/policy/signing.ts';
import { makeGenesis } from '../federation/fixtures.ts';
import { bundle, federation, peer, rule, seed, signed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('bundleStatus', () => {
  const chain = federation();
  const b = bundle(1, null);

  describe('when one member of a threshold-2 federation signed', () => {
    it('is incomplete', () => {
      expect(bundleStatus(signed(b, [0]), chain)).toEqual({
        bundle: b,
        digest: baselineDigest(b),
        signedBy: [peer(0)],
        required: 2,
        complete: false,
      });
    });
  });

  describe('when two members signed (in any order, merged)', () => {
    it('is complete', () => {
      const env = mergeBundleSignatures(signed(b, [1]), signed(b, [3]));
      const s = bundleStatus(env, chain.current, chain.federationId);
      expect(s.complete).toBe(true);
      expect(s.signedBy).toEqual([peer(1), peer(3)].sort());
    });
  });

  describe('when a non-member signed', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => bundleStatus(signed(b, [0, 6]), chain)).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when a signature is broken', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const env = signed(b, [0]);
      const other = signBaseline(bundle(1, null, { expiresAt: '2027-01-01T00:00:00Z' }), seed(1));
      const forged = { ...env, signatures: [...env.signatures, { keyid: peer(1), sig: other.signatures[0]!.sig }] };
      expect(() => bundleStatus(forged, chain)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the bundle names another federation', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const otherFed = federationId(makeGenesis([7]));
      expect(() => bundleStatus(signed(bundle(1, null, { federationId: otherFed }), [0, 1]), chain)).toThrow(
        code('ERR_FEDERATION_MISMATCH'),
      );
    });
  });
});

describe('signBaseline / addBundleSignature', () => {
  describe('when the bundle has a rule that does not compile', () => {
    it('refuses to sign with ERR_INVALID_RULE', () => {
      expect(() => signBaseline(bundle(1, null, { rules: [rule('1 + 1')] }), seed(0))).toThrow(
        code('ERR_INVALID_RULE'),
      );
    });
  });

  describe('when a member adds a signature twice', () => {
    it('keeps one per peer', () => {
      const env = addBundleSignature(addBundleSignature(signed(bundle(1, null), [0]), seed(1)), seed(1));
      expect(env.signatures.map((s) => s.keyid)).toEqual([peer(0), peer(1)].sort());
    });
  });

  describe('when merging copies of different bundles', () => {
    it('throws ERR_PAYLOAD_MISMATCH', () => {
      const a = signed(bundle(1, null), [0]);
      const b = signed(bundle(1, null, { expiresAt: '2027-01-01T00:00:00Z' }), [1]);
      expect(() => mergeBundleSignatures(a, b)).toThrow(code('ERR_PAYLOAD_MISMATCH'));
    });
  });
});
