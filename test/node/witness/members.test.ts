import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { MemberLogs } from '../../../node/witness/members.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { federation, logKey, logName, witnessKey } from '../../protocol/witness/fixtures.ts';

const chainOf = (founders: number[], witness?: number) => {
  const fed = federation(founders, witness === undefined ? {} : { witness });
  return CharterChain.fromEnvelopes(fed.id, fed.envelopes);
};

describe('MemberLogs', () => {
  describe('when a charter arrives', () => {
    it("maps every member's log origin to its owner and key, and every org to its witness key", () => {
      const m = new MemberLogs(logName(0), opensslVerify);
      expect(m.charter).toBeUndefined();
      m.update(chainOf([0, 1, 2], 2));
      expect([...m.entries()].map(([o]) => o).sort()).toEqual([logName(0), logName(1), logName(2)].sort());
      expect(m.get(logName(1))?.member.org).toBe('us');
      expect(m.witnessKey('apac')?.vkey).toBe(witnessKey(2));
      expect(
        m
          .witnessKeysBut('eu')
          .map((v) => v.vkey)
          .sort(),
      ).toEqual([witnessKey(1), witnessKey(2)].sort());
      expect(m.originOfKey(logKey(2))).toBe(logName(2));
      expect(m.k(m.get(logName(0))?.member as never)).toBe(2);
      expect(() => m.require(logName(5))).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_ORIGIN' }));
    });
  });

  describe("when the next charter repeats members' keys", () => {
    it('keeps their verifiers, parses only new keys, and forgets keys no longer listed', () => {
      const m = new MemberLogs(logName(0), opensslVerify);
      m.update(chainOf([0, 1, 2], 2));
      const first = m.get(logName(1))?.verifier;
      const witness = m.witnessKey('apac');
      m.update(chainOf([0, 1, 2, 3], 2));
      expect(m.get(logName(1))?.verifier).toBe(first);
      expect(m.witnessKey('apac')).toBe(witness);
      expect(m.get(logName(3))?.verifier.name).toBe(logName(3));
      m.update(chainOf([0, 1], 1));
      expect(m.get(logName(2))).toBeUndefined();
      expect(m.witnessKey('apac')).toBeUndefined();
      m.update(chainOf([0, 1, 2], 2));
      const again = m.get(logName(2))?.verifier;
      expect(again?.name).toBe(logName(2));
      expect(m.get(logName(1))?.verifier).toBe(first);
    });
  });

  describe('knownLogs', () => {
    it("is the other members' logs and the external ones, never this node's own", () => {
      const m = new MemberLogs(logName(0), opensslVerify);
      m.update(chainOf([0, 1]));
      const known = m.knownLogs([logKey(5)]);
      expect([...known.keys()].sort()).toEqual([logName(1), logName(5)].sort());
      expect(() => m.knownLogs(['nope'])).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_VERIFIER_KEY' }));
    });
  });
});
