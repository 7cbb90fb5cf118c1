import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import { addMembers, federationId, nextCharter } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { mergeSignatures, signCharter } from '../../../protocol/federation/proposal.ts';
import { verifyGenesis, verifyNext } from '../../../protocol/federation/verify.ts';
import { makeGenesis, member, peer, seed, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('verifyGenesis', () => {
  describe('when one founder signed its genesis', () => {
    it('returns the charter and the federation id', () => {
      const g = makeGenesis([0]);
      const v = verifyGenesis(signedBy(g, [0]));
      expect(v.charter).toEqual(g);
      expect(v.federationId).toBe(federationId(g));
      expect(v.signedBy).toEqual([peer(0)]);
      expect(v.rule).toBe('genesis');
    });
  });

  describe('when three founders all signed', () => {
    it('verifies, and matches the pinned id', () => {
      const g = makeGenesis([0, 1, 2], { charter: 2 });
      const v = verifyGenesis(signedBy(g, [2, 1, 0]), federationId(g));
      expect(v.signedBy).toEqual([peer(0), peer(1), peer(2)].sort());
    });
  });

  describe('when a founder did not sign', () => {
    it('throws ERR_MISSING_MEMBER_SIGNATURE', () => {
      const g = makeGenesis([0, 1, 2]);
      expect(() => verifyGenesis(signedBy(g, [0, 1]))).toThrow(code('ERR_MISSING_MEMBER_SIGNATURE'));
    });
  });

  describe('when someone who is not a founder signed', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      const g = makeGenesis([0]);
      expect(() => verifyGenesis(signedBy(g, [0, 7]))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when the pinned federation id differs', () => {
    it('throws ERR_FEDERATION_MISMATCH', () => {
      const g = makeGenesis([0]);
      expect(() => verifyGenesis(signedBy(g, [0]), federationId(makeGenesis([1])))).toThrow(
        code('ERR_FEDERATION_MISMATCH'),
      );
    });
  });

  describe('when the envelope holds a later version', () => {
    it('throws ERR_MALFORMED_CHARTER', () => {
      const g = makeGenesis([0]);
      expect(() => verifyGenesis(signedBy(nextCharter(g, { createdAt: T0 }), [0]))).toThrow(
        code('ERR_MALFORMED_CHARTER'),
      );
    });
  });

  describe('when a signature is replaced by one over other bytes', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const g = makeGenesis([0]);
      const other = signCharter(makeGenesis([0], { policy: 2 }), seed(0));
      expect(() => verifyGenesis({ ...signedBy(g, [0]), signatures: other.signatures })).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
    });
  });
});

describe('verifyNext', () => {
  const g = makeGenesis([0, 1, 2], { admission: 1, charter: 2 });

  describe('when an admission has the admission threshold and the new member signed', () => {
    it('returns the new version with rule admission', () => {
      const next = addMembers(g, [member(3)], T0);
      const v = verifyNext(g, signedBy(next, [1, 3]));
      expect(v.rule).toBe('admission');
      expect(v.charter).toEqual(next);
    });
  });

  describe('when an admission is under the admission threshold', () => {
    it('throws ERR_THRESHOLD_NOT_MET', () => {
      const g2 = makeGenesis([0, 1, 2], { admission: 2, charter: 2 });
      const next = addMembers(g2, [member(3)], T0);
      expect(() => verifyNext(g2, signedBy(next, [1, 3]))).toThrow(code('ERR_THRESHOLD_NOT_MET'));
    });
  });

  describe('when the added member did not sign', () => {
    it('throws ERR_MISSING_MEMBER_SIGNATURE', () => {
      const next = addMembers(g, [member(3)], T0);
      expect(() => verifyNext(g, signedBy(next, [0, 1]))).toThrow(code('ERR_MISSING_MEMBER_SIGNATURE'));
    });
  });

  describe('when a change beyond admission has only the admission threshold', () => {
    it('throws ERR_THRESHOLD_NOT_MET', () => {
      const next = nextCharter(g, { createdAt: T0, members: [...g.members, member(3)], thresholds: { policy: 3 } });
      expect(() => verifyNext(g, signedBy(next, [0, 3]))).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(verifyNext(g, signedBy(next, [0, 1, 3])).rule).toBe('charter');
    });
  });

  describe('when a member rotates its key', () => {
    it('needs the charter threshold, the new key and the old key', () => {
      // members are sorted by org: index 0 is apac, peer 2
      const rotated = g.members.map((m, i) => (i === 0 ? { ...m, peerId: peer(6) } : m));
      const next = nextCharter(g, { createdAt: T0, members: rotated });
      expect(() => verifyNext(g, signedBy(next, [0, 1, 2]))).toThrow(code('ERR_MISSING_MEMBER_SIGNATURE'));
      // the other members and the new key, without the old one: no seat handed over without its consent
      expect(() => verifyNext(g, signedBy(next, [0, 1, 6]))).toThrow(/entry changes did not sign/);
      expect(verifyNext(g, signedBy(next, [0, 2, 6])).rule).toBe('charter');
    });
  });

  describe('when a removed member signs its own removal', () => {
    it('counts it: it was a member of the previous version', () => {
      const next = nextCharter(g, { createdAt: T0, members: g.members.slice(0, 2) });
      expect(verifyNext(g, signedBy(next, [2, 0])).charter.members).toHaveLength(2);
    });
  });

  describe('when a non-member signed', () => {
    it('throws ERR_UNKNOWN_SIGNER even if the threshold is met', () => {
      const next = addMembers(g, [member(3)], T0);
      expect(() => verifyNext(g, signedBy(next, [0, 1, 3, 7]))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });

  describe('when previous does not name the previous version', () => {
    it('throws ERR_CHARTER_PREVIOUS', () => {
      const next = { ...nextCharter(g, { createdAt: T0 }), previous: `sha256:${'ab'.repeat(32)}` };
      expect(() => verifyNext(g, signedBy(next, [0, 1]))).toThrow(code('ERR_CHARTER_PREVIOUS'));
    });
  });

  describe('when co-signatures arrive in separate copies', () => {
    it('verifies after merging', () => {
      const next = nextCharter(g, { createdAt: T0, thresholds: { policy: 3 } });
      expect(() => verifyNext(g, signedBy(next, [0]))).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(verifyNext(g, mergeSignatures(signedBy(next, [0]), signedBy(next, [2]))).signedBy).toHaveLength(2);
    });
  });
});

/** Flips bit `bit` of the base64 field's decoded bytes. */
function flip(b64: string, bit: number): string {
  const bytes = fromBase64(b64);
  const i = bit % (bytes.length * 8);
  bytes[i >> 3] = (bytes[i >> 3] as number) ^ (1 << (i & 7));
  return toBase64(bytes);
}

function rejects(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    return isGovfedError(err);
  }
}

describe('verifyGenesis and verifyNext', () => {
  const g = makeGenesis([0, 1, 2], { charter: 2 });
  const genesisEnv = signedBy(g, [0, 1, 2]);
  const next = addMembers(g, [member(3)], T0);
  const nextEnv = signedBy(next, [0, 1, 3]);

  describe('for any single-bit flip in the payload or in a signature', () => {
    it('rejects the envelope with a GovfedError', () => {
      expect(verifyGenesis(genesisEnv).charter).toEqual(g);
      expect(verifyNext(g, nextEnv).charter).toEqual(next);
      fc.assert(
        fc.property(
          fc.boolean(),
          fc.constantFrom('payload', 0, 1, 2),
          fc.nat({ max: 1 << 20 }),
          (genesis, where, bit) => {
            const env: Envelope = genesis ? genesisEnv : nextEnv;
            const mutated: Envelope =
              where === 'payload'
                ? { ...env, payload: flip(env.payload, bit) }
                : {
                    ...env,
                    signatures: env.signatures.map((s, i) => (i === where ? { ...s, sig: flip(s.sig, bit) } : s)),
                  };
            return genesis ? rejects(() => verifyGenesis(mutated)) : rejects(() => verifyNext(g, mutated));
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});
