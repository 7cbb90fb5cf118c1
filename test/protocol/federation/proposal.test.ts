import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../../protocol/dsse/index.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  addMembers,
  CHARTER_PAYLOAD_TYPE,
  encodeCharter,
  nextCharter,
  removeMembers,
} from '../../../protocol/federation/charter.ts';
import {
  addSignature,
  changedMembers,
  changeRule,
  charterOf,
  checkNotExpired,
  mergeSignatures,
  proposalStatus,
  removedMembers,
  signCharter,
} from '../../../protocol/federation/proposal.ts';
import { makeGenesis, member, peer, seed, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('signCharter', () => {
  describe('when a member signs', () => {
    it('makes a DSSE envelope over the canonical bytes with keyid = peer id', () => {
      const g = makeGenesis([0]);
      const env = signCharter(g, seed(0));
      expect(env.payloadType).toBe(CHARTER_PAYLOAD_TYPE);
      expect(env.payload).toBe(toBase64(encodeCharter(g)));
      expect(env.signatures).toHaveLength(1);
      expect(env.signatures[0]?.keyid).toBe(peer(0));
    });
    it('is deterministic', () => {
      const g = makeGenesis([0]);
      expect(signCharter(g, seed(0))).toEqual(signCharter(g, seed(0)));
    });
    it('matches the documented example signature', () => {
      const g = makeGenesis([0], { policy: 2 });
      const ex = { ...g, name: 'Example federation' };
      expect(signCharter(ex, seed(0)).signatures[0]?.sig).toBe(
        'm0haEFjN3mv1y2ioapCnM7LuHXV/Nq+p3Kty5ttLgjpQyhITO7mzJD9gm4IyQTB7t7reckNTLiHhRpxZ+tAyBg==',
      );
    });
  });
});

describe('addSignature', () => {
  describe('when two more peers sign', () => {
    it('keeps one signature per peer, sorted by peer id', () => {
      const env = signedBy(makeGenesis([0, 1, 2]), [2, 0, 1, 0]);
      const ids = env.signatures.map((s) => s.keyid);
      expect(ids).toEqual([peer(0), peer(1), peer(2)].sort());
    });
  });
  describe('when the envelope does not carry a charter', () => {
    it('throws ERR_PAYLOAD_TYPE_MISMATCH and signs nothing', () => {
      const env = { ...signCharter(makeGenesis([0]), seed(0)), payloadType: 'text/plain' };
      expect(() => addSignature(env, seed(1))).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });
    it('throws ERR_MALFORMED_CHARTER for a non-charter JSON payload', () => {
      const env = { ...signCharter(makeGenesis([0]), seed(0)), payload: toBase64(utf8('{"a":1}')) };
      expect(() => addSignature(env, seed(1))).toThrow(code('ERR_MALFORMED_CHARTER'));
    });
  });
});

describe('mergeSignatures', () => {
  const g = makeGenesis([0, 1, 2]);
  describe('when two copies carry different signatures', () => {
    it('returns the union in keyid order, whichever copy comes first', () => {
      const a = signedBy(g, [0]);
      const b = signedBy(g, [2, 1]);
      const ab = mergeSignatures(a, b);
      expect(ab).toEqual(mergeSignatures(b, a));
      expect(ab.signatures.map((s) => s.keyid)).toEqual([peer(0), peer(1), peer(2)].sort());
    });
  });
  describe('when a copy carries an invalid signature', () => {
    it('drops it', () => {
      const a = signedBy(g, [0]);
      const forged = signCharter(makeGenesis([0, 1, 3]), seed(1)); // signature over another payload
      const b = { ...a, signatures: [{ keyid: peer(1), sig: forged.signatures[0]!.sig }] };
      const merged = mergeSignatures(a, b);
      expect(merged.signatures.map((s) => s.keyid)).toEqual([peer(0)]);
    });
  });
  describe('when the payloads differ', () => {
    it('throws ERR_PAYLOAD_MISMATCH', () => {
      expect(() => mergeSignatures(signedBy(g, [0]), signedBy(makeGenesis([0, 1]), [1]))).toThrow(
        code('ERR_PAYLOAD_MISMATCH'),
      );
    });
  });
  describe('when no signature is valid', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const a = signedBy(g, [0]);
      const bad = { ...a, signatures: [{ keyid: peer(0), sig: toBase64(new Uint8Array(64)) }] };
      expect(() => mergeSignatures(bad, bad)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
});

describe('changeRule', () => {
  const g = makeGenesis([0, 1], { admission: 1, charter: 2 });
  describe('when the change only adds members', () => {
    it('is admission', () => {
      expect(changeRule(g, addMembers(g, [member(2)], T0))).toBe('admission');
    });
  });
  describe('when the change adds a member and also changes a threshold', () => {
    it('is charter', () => {
      const next = nextCharter(g, { createdAt: T0, members: [...g.members, member(2)], thresholds: { policy: 2 } });
      expect(changeRule(g, next)).toBe('charter');
    });
  });
  describe('when the change only removes a member (thresholds clamped as removeMembers does)', () => {
    it('is removal', () => {
      const g3 = makeGenesis([0, 1, 2], { admission: 2, charter: 3 });
      const next = removeMembers(g3, [peer(2)], T0);
      expect(next.thresholds).toMatchObject({ admission: 2, charter: 2 });
      expect(changeRule(g3, next)).toBe('removal');
      expect(removedMembers(g3, next)).toEqual([peer(2)]);
    });
  });
  describe('when a removal also lowers a threshold further, renames, or rewrites a kept member', () => {
    it('is charter', () => {
      const g3 = makeGenesis([0, 1, 2], { admission: 2, charter: 3 });
      const kept = g3.members.slice(0, 2);
      const lower = nextCharter(g3, { createdAt: T0, members: kept, thresholds: { admission: 1, charter: 2 } });
      expect(changeRule(g3, lower)).toBe('charter');
      const renamed = nextCharter(g3, { createdAt: T0, name: 'Renamed', members: kept, thresholds: { charter: 2 } });
      expect(changeRule(g3, renamed)).toBe('charter');
      const moved = kept.map((m, i) => (i === 0 ? { ...m, jurisdiction: 'US' } : m));
      expect(changeRule(g3, nextCharter(g3, { createdAt: T0, members: moved, thresholds: { charter: 2 } }))).toBe(
        'charter',
      );
    });
  });
  describe('when the change renames, or changes a jurisdiction', () => {
    it('is charter', () => {
      expect(changeRule(g, nextCharter(g, { createdAt: T0, name: 'Renamed' }))).toBe('charter');
      const moved = g.members.map((m, i) => (i === 0 ? { ...m, jurisdiction: 'US' } : m));
      expect(changeRule(g, nextCharter(g, { createdAt: T0, members: [...moved, member(2)] }))).toBe('charter');
    });
  });
  describe("when the change adds a member and also rewrites another member's log key", () => {
    it('is charter (whole member objects are compared, not a list of fields)', () => {
      const keyed = makeGenesis([0, 1], { admission: 1, charter: 2 });
      const withKeys = nextCharter(keyed, {
        createdAt: T0,
        members: keyed.members.map((m) => ({ ...m, logKey: `${m.org}+01+AQ==` })),
      });
      const swapped = withKeys.members.map((m, i) => (i === 1 ? { ...m, logKey: 'attacker+02+BB==' } : m));
      const next = nextCharter(withKeys, { createdAt: T0, members: [...swapped, member(2)] });
      expect(changeRule(withKeys, next)).toBe('charter');
      expect(changedMembers(withKeys, next)).toEqual([withKeys.members[1]!.peerId]);
    });
  });
  describe('when the change adds a member and adds a log key to a member that had none', () => {
    it('is charter', () => {
      const keyed = g.members.map((m, i) => (i === 0 ? { ...m, logKey: 'eu+01+AQ==' } : m));
      expect(changeRule(g, nextCharter(g, { createdAt: T0, members: [...keyed, member(2)] }))).toBe('charter');
    });
  });
  describe('when the change adds a member and changes the witness threshold', () => {
    it('is charter (every charter field but the volatile ones is compared)', () => {
      const next = nextCharter(g, { createdAt: T0, members: [...g.members, member(2)], thresholds: { witness: 1 } });
      expect(changeRule(g, next)).toBe('charter');
    });
  });
  describe('when the change only adds members and carries a deadline', () => {
    it('is admission (expiresAt never decides the rule)', () => {
      expect(changeRule(g, addMembers(g, [member(2)], T0, '2025-01-02T00:00:00Z'))).toBe('admission');
    });
  });
  describe('when nothing but the version changes', () => {
    it('is charter', () => {
      expect(changeRule(g, nextCharter(g, { createdAt: T0 }))).toBe('charter');
    });
  });
  describe('when there is no previous version', () => {
    it('is genesis', () => {
      expect(changeRule(null, g)).toBe('genesis');
    });
  });
});

describe('proposalStatus', () => {
  const g = makeGenesis([0, 1], { admission: 2, charter: 2 });
  const next = addMembers(g, [member(2), member(3)], T0);
  describe('when only the proposer has signed an admission', () => {
    it('lists what is missing', () => {
      const s = proposalStatus(g, signedBy(next, [0]));
      expect(s.rule).toBe('admission');
      expect(s.required).toBe(2);
      expect(s.memberSignatures).toBe(1);
      expect(s.signedBy).toEqual([peer(0)]);
      expect(s.added).toEqual([peer(2), peer(3)].sort());
      expect(s.missingNewMembers).toEqual([peer(2), peer(3)].sort());
      expect(s.complete).toBe(false);
    });
  });
  describe('when the new members sign but too few existing members did', () => {
    it('is not complete: added peers do not count towards the threshold', () => {
      const s = proposalStatus(g, signedBy(next, [0, 2, 3]));
      expect(s.missingNewMembers).toEqual([]);
      expect(s.memberSignatures).toBe(1);
      expect(s.complete).toBe(false);
    });
  });
  describe('when co-signed and signed by the new members', () => {
    it('is complete', () => {
      const merged = mergeSignatures(signedBy(next, [0, 2]), signedBy(next, [1, 3]));
      expect(proposalStatus(g, merged).complete).toBe(true);
    });
  });
  describe('when a non-member signed', () => {
    it('throws ERR_UNKNOWN_SIGNER', () => {
      expect(() => proposalStatus(g, signedBy(next, [0, 5]))).toThrow(code('ERR_UNKNOWN_SIGNER'));
    });
  });
  describe('when a signature is missing its keyid', () => {
    it('throws ERR_MALFORMED_ENVELOPE', () => {
      const env = signedBy(next, [0]);
      expect(() => proposalStatus(g, { ...env, signatures: [{ sig: env.signatures[0]!.sig }] })).toThrow(
        code('ERR_MALFORMED_ENVELOPE'),
      );
    });
  });
  describe('when the same peer signed twice', () => {
    it('throws ERR_MALFORMED_ENVELOPE', () => {
      const env = signedBy(next, [0]);
      expect(() => proposalStatus(g, { ...env, signatures: [env.signatures[0]!, env.signatures[0]!] })).toThrow(
        code('ERR_MALFORMED_ENVELOPE'),
      );
    });
  });
  describe('when it does not follow the previous version', () => {
    it('throws ERR_CHARTER_PREVIOUS, ERR_CHARTER_GAP or ERR_CHARTER_STALE', () => {
      const wrongPrev = { ...next, previous: `sha256:${'0'.repeat(64)}` };
      expect(() => proposalStatus(g, signedBy(wrongPrev, [0]))).toThrow(code('ERR_CHARTER_PREVIOUS'));
      const v3 = nextCharter(next, { createdAt: T0 });
      expect(() => proposalStatus(g, signedBy(v3, [0]))).toThrow(code('ERR_CHARTER_GAP'));
      expect(() => proposalStatus(next, signedBy(g, [0]))).toThrow(code('ERR_CHARTER_STALE'));
    });
  });
  describe('for a genesis (no previous version)', () => {
    it('requires every founder', () => {
      const s = proposalStatus(null, signedBy(g, [1]));
      expect(s.rule).toBe('genesis');
      expect(s.required).toBe(2);
      expect(s.missingNewMembers).toEqual([peer(0)]);
      expect(s.complete).toBe(false);
    });
  });
});

describe('charterOf', () => {
  describe('when the payload is not canonical', () => {
    it('throws ERR_NOT_CANONICAL', () => {
      const env = signedBy(makeGenesis([0]), [0]);
      const pretty = utf8(JSON.stringify(charterOf(env), null, 2));
      expect(() => charterOf({ ...env, payload: toBase64(pretty) })).toThrow(code('ERR_NOT_CANONICAL'));
    });
  });
  describe('when the envelope is well formed', () => {
    it('returns the charter without checking signatures', () => {
      const env = signedBy(makeGenesis([0]), [0]);
      expect(decodeEnvelope(env).signatures).toHaveLength(1);
      expect(charterOf(env)).toEqual(makeGenesis([0]));
    });
  });
});

describe('checkNotExpired', () => {
  const g = makeGenesis([0]);
  const next = addMembers(g, [member(1)], T0, '2025-01-02T00:00:00Z');
  describe('before the deadline', () => {
    it('passes', () => {
      expect(() => checkNotExpired(next, Date.parse('2025-01-01T23:59:59Z'))).not.toThrow();
    });
  });
  describe('at or after the deadline', () => {
    it('throws ERR_PROPOSAL_EXPIRED', () => {
      expect(() => checkNotExpired(next, Date.parse('2025-01-02T00:00:00Z'))).toThrow(code('ERR_PROPOSAL_EXPIRED'));
    });
  });
  describe('within the tolerated skew after the deadline', () => {
    it('passes', () => {
      expect(() => checkNotExpired(next, Date.parse('2025-01-02T00:00:10Z'), 30_000)).not.toThrow();
    });
  });
  describe('when the charter carries no deadline', () => {
    it('passes', () => {
      expect(() => checkNotExpired(addMembers(g, [member(1)], T0), Number.MAX_SAFE_INTEGER)).not.toThrow();
    });
  });
});
