import { describe, expect, it } from 'vitest';
import { ReplicatedChain } from '../../../node/chain/index.ts';
import { policyObject } from '../../../node/policy/object.ts';
import { policyStatusOf } from '../../../node/policy/status.ts';
import { strictVerifier } from '../../../protocol/crypto/ed25519.ts';
import { LOCAL_POLICY_TYPE, type PolicyBaseline } from '../../../protocol/policy/index.ts';
import { federation, peer, rule, seed, T0 } from '../../protocol/policy/fixtures.ts';

/** A real replicated policy chain of member 0, nothing applied yet. */
function chainOf0(): ReplicatedChain<PolicyBaseline> {
  return new ReplicatedChain({
    object: policyObject('eu', peer(0), strictVerifier()),
    self: peer(0),
    seed: seed(0),
    log: { append: async () => [] },
    events: () => {},
    now: () => new Date(T0),
    persist: async () => {},
    onHead: () => {},
  });
}

describe('policyStatusOf', () => {
  describe('when the node is in no federation and holds no baseline', () => {
    it('says not federated, version 0, no members, and counts the local overlay', () => {
      const s = policyStatusOf({
        org: 'eu',
        peerId: peer(0),
        chain: chainOf0(),
        charter: undefined,
        local: { type: LOCAL_POLICY_TYPE, version: 2, updatedAt: T0, rules: [rule('true')] },
        expired: false,
      });
      expect(s.federated).toBe(false);
      expect(s.members).toEqual([]);
      expect(s.pending).toEqual([]);
      expect(s.forks).toEqual([]);
      expect(s.self).toEqual({
        org: 'eu',
        peerId: peer(0),
        version: 0,
        digest: null,
        expiresAt: null,
        expired: false,
        appliedAt: null,
        logIndex: null,
        localVersion: 2,
        localRules: 1,
      });
    });
  });

  describe('when the charter lists members and none has sent a receipt', () => {
    it('lists every member, marks this node, and gives no version for any', () => {
      const charter = federation().current;
      const s = policyStatusOf({
        org: 'eu',
        peerId: peer(0),
        chain: chainOf0(),
        charter,
        local: undefined,
        expired: false,
      });
      expect(s.federated).toBe(true);
      expect(s.members.map((m) => m.peerId)).toEqual(charter.members.map((m) => m.peerId));
      expect(s.members.filter((m) => m.self).map((m) => m.peerId)).toEqual([peer(0)]);
      expect(s.members.every((m) => m.version === null && m.receipt === null)).toBe(true);
      expect(s.self.localVersion).toBe(0);
    });
  });
});
