/**
 * protocol/federation/proposal.ts on changes of membership: removals (and leaving), a peer key rotation
 * that keeps an org's seat, and a member's log key swapped under a lower threshold on a real chain.
 * proposal.test.ts covers signing, merging, the change rules and expiry.
 */
import { describe, expect, it } from 'vitest';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { nextCharter, removeMembers } from '../../../protocol/federation/charter.ts';
import { changedMembers, proposalStatus } from '../../../protocol/federation/proposal.ts';
import { makeGenesis, member, peer, signedBy, T0 } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe("proposalStatus on a real charter chain: a member's log key swapped under the admission threshold", () => {
  // eu, us, apac with log keys; admission 1, charter 3. eu (compromised) admits a throwaway peer and
  // rewrites us's log key in the same change.
  const g = makeGenesis([0, 1, 2], { admission: 1, charter: 3 });
  const chain = new CharterChain(signedBy(g, [0, 1, 2]));
  const v2 = nextCharter(g, { createdAt: T0, members: g.members.map((m) => ({ ...m, logKey: `${m.org}+01+AQ==` })) });
  chain.accept(signedBy(v2, [0, 1, 2]));
  const victim = v2.members.find((m) => m.org === 'us')!;
  const attack = nextCharter(v2, {
    createdAt: T0,
    members: [...v2.members.map((m) => (m.org === 'us' ? { ...m, logKey: 'us+66+Zm9yZ2Vk' } : m)), member(7)],
  });
  const env = signedBy(attack, [0, 7]);
  describe('when signed by one member and the throwaway peer', () => {
    it('is classed charter, needs 3 and the victim: the chain refuses it (ERR_THRESHOLD_NOT_MET)', () => {
      const s = chain.proposalStatus(env);
      expect(s.rule).toBe('charter');
      expect(s.required).toBe(3);
      expect(s.changed).toEqual([victim.peerId]);
      expect(s.missingChangedMembers).toEqual([victim.peerId]);
      expect(s.complete).toBe(false);
      expect(() => chain.accept(env)).toThrow(code('ERR_THRESHOLD_NOT_MET'));
      expect(chain.version).toBe(2);
    });
  });
  describe('when the threshold is met without the victim', () => {
    it("throws ERR_MISSING_MEMBER_SIGNATURE: nobody's keys change without their signature", () => {
      const g2 = makeGenesis([0, 1, 2], { admission: 1, charter: 2 });
      const c2 = new CharterChain(signedBy(g2, [0, 1, 2]));
      const rekey = nextCharter(g2, {
        createdAt: T0,
        members: g2.members.map((m) => (m.org === 'us' ? { ...m, logKey: 'us+66+Zm9yZ2Vk' } : m)),
      });
      const s = c2.proposalStatus(signedBy(rekey, [0, 2]));
      expect(s.memberSignatures).toBe(2);
      expect(s.missingChangedMembers).toEqual([peer(1)]);
      expect(() => c2.accept(signedBy(rekey, [0, 2]))).toThrow(code('ERR_MISSING_MEMBER_SIGNATURE'));
      expect(c2.accept(signedBy(rekey, [0, 1])).status).toBe('accepted');
    });
  });
});

describe('proposalStatus of a removal', () => {
  const g3 = makeGenesis([0, 1, 2], { admission: 2, charter: 3 });
  const next = removeMembers(g3, [peer(2)], T0);
  describe('when other members remove it', () => {
    it('needs the admission threshold of signatures', () => {
      const one = proposalStatus(g3, signedBy(next, [0]));
      expect(one).toMatchObject({ rule: 'removal', required: 2, removed: [peer(2)], complete: false });
      expect(proposalStatus(g3, signedBy(next, [0, 1])).complete).toBe(true);
    });
  });
  describe('when the removed member signs it alone (leaving)', () => {
    it('is complete with its one signature: nobody is held against its will', () => {
      expect(proposalStatus(g3, signedBy(next, [2]))).toMatchObject({
        required: 1,
        memberSignatures: 1,
        complete: true,
      });
    });
  });
  describe('when a member signs the removal of another alone', () => {
    it('is not complete', () => {
      const other = removeMembers(g3, [peer(1)], T0);
      expect(proposalStatus(g3, signedBy(other, [2])).complete).toBe(false);
    });
  });
  describe('when a removal of two is signed by only one of them', () => {
    it('needs the admission threshold', () => {
      const two = removeMembers(g3, [peer(1), peer(2)], T0);
      expect(two.thresholds).toMatchObject({ admission: 1, charter: 1 });
      expect(proposalStatus(g3, signedBy(two, [2]))).toMatchObject({ required: 2, complete: false });
      expect(proposalStatus(g3, signedBy(two, [1, 2])).complete).toBe(true);
    });
  });
});

describe('removeMembers', () => {
  const g2 = makeGenesis([0, 1]);
  it('refuses to remove a peer that is not a member, nothing, or everyone', () => {
    expect(() => removeMembers(g2, [peer(5)], T0)).toThrow(code('ERR_MALFORMED_CHARTER'));
    expect(() => removeMembers(g2, [], T0)).toThrow(code('ERR_MALFORMED_CHARTER'));
    expect(() => removeMembers(g2, [peer(0), peer(1)], T0)).toThrow(code('ERR_MALFORMED_CHARTER'));
  });
});

describe('a peer key rotation (an org keeps its seat under a new peer id)', () => {
  // eu (peer 0) and us (peer 1), charter threshold 1; us moves to the key of peer 6.
  const g2 = makeGenesis([0, 1], { charter: 1, admission: 1 });
  const rotated = nextCharter(g2, {
    createdAt: T0,
    members: g2.members.map((m) => (m.peerId === peer(1) ? { ...m, peerId: peer(6) } : m)),
  });
  describe('when another member and the new key sign it, but not the old key', () => {
    it('is not complete: the old key must consent (no seat handed over by a charter-threshold change)', () => {
      const s = proposalStatus(g2, signedBy(rotated, [0, 6]));
      expect(changedMembers(g2, rotated)).toEqual([peer(1)]);
      expect(s.missingChangedMembers).toEqual([peer(1)]);
      expect(s.complete).toBe(false);
    });
  });
  describe('when the old key and the new key sign it', () => {
    it('is complete (rule charter; the old key counts towards the threshold, the new one proves its key)', () => {
      const s = proposalStatus(g2, signedBy(rotated, [1, 6]));
      expect(s.rule).toBe('charter');
      expect(s.added).toEqual([peer(6)]);
      expect(s.removed).toEqual([peer(1)]);
      expect(s.complete).toBe(true);
    });
  });
  describe('when only the old key signs it', () => {
    it('is not complete: the new key has not proven itself', () => {
      expect(proposalStatus(g2, signedBy(rotated, [1])).missingNewMembers).toEqual([peer(6)]);
    });
  });
});
