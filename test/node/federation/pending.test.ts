import { describe, expect, it } from 'vitest';
import {
  checkDeadline,
  MAX_PENDING_CHARTER_PROPOSALS,
  MAX_PENDING_PER_SIGNER_VERSION,
} from '../../../node/federation/pending.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import {
  addMembers,
  type Charter,
  charterDigest,
  type Member,
  nextCharter,
} from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import { addSignature, charterOf, signCharter } from '../../../protocol/federation/proposal.ts';
import { makeGenesis, peer, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';
import { charterRig } from './rig.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const NOW = Date.parse('2025-01-01T12:00:00Z');
const HOUR = 3600_000;

/** Newcomer i: a peer key no fixture uses. */
function newcomer(i: number): Member {
  const s = Uint8Array.from({ length: 32 }, (_, j) => (i * 13 + j * 3 + 200) & 0xff);
  return { org: `new-${i}`, peerId: peerIdFromSeed(s), jurisdiction: 'EU' };
}

/** Members 0, 1, 2 (thresholds as given); this node is member 0 (or `self`). */
function setup(thresholds: { admission: number; charter: number }, members = [0, 1, 2], self = 0) {
  const g = makeGenesis(members, thresholds);
  const chain = new CharterChain(signedBy(g, members));
  const { gate, rc } = charterRig(chain, { self, now: NOW });
  // A proposal made or signed here (`local`) or received from a peer (gossip, sync).
  const offer = (env: Envelope, local: boolean) => rc.offer(env, local ? 'local' : 'gossip', peer(1));
  const held = (env: Envelope) => rc.pending.get(charterDigest(charterOf(env)));
  return { g, chain, gate, rc, pending: rc.pending, offer, held };
}

function admit(g: Charter, i: number, signer: number, expiresInMs = HOUR): Envelope {
  return signCharter(addMembers(g, [newcomer(i)], T0, new Date(NOW + expiresInMs).toISOString()), seed(signer));
}

describe('pending charter proposals (the charter module on the generic chain)', () => {
  describe('when one member sends more proposals for the same version than allowed', () => {
    it('keeps MAX_PENDING_PER_SIGNER_VERSION and refuses the rest with ERR_PROPOSAL_LIMIT before storing', async () => {
      const { g, pending, offer } = setup({ admission: 2, charter: 2 });
      for (let i = 0; i < MAX_PENDING_PER_SIGNER_VERSION; i++) await offer(admit(g, i, 1), false);
      await expect(offer(admit(g, 50, 1), false)).rejects.toThrow(code('ERR_PROPOSAL_LIMIT'));
      expect(pending.size).toBe(MAX_PENDING_PER_SIGNER_VERSION);
    });
  });
  describe('when a pending proposal comes again with more signatures', () => {
    it('merges it without counting it as new', async () => {
      const { g, pending, offer, held } = setup({ admission: 2, charter: 2 });
      const p0 = admit(g, 0, 1);
      await offer(p0, false);
      await offer(admit(g, 1, 1), false);
      const r = await offer(addSignature(p0, seed(2)), false);
      expect(pending.size).toBe(2);
      expect(held(p0)?.envelope.signatures).toHaveLength(2);
      expect(r.status.signedBy).toHaveLength(2);
    });
  });
  describe('when MAX_PENDING_CHARTER_PROPOSALS are pending already', () => {
    it('refuses a new one from a peer with ERR_PROPOSAL_LIMIT', async () => {
      const { g, pending, offer } = setup({ admission: 1, charter: 1 }, [0], 7);
      const many = Array.from({ length: MAX_PENDING_CHARTER_PROPOSALS + 1 }, (_, i) => admit(g, i, 0));
      // fill the store with proposals made here (not limited), then one from a peer
      for (const p of many.slice(0, MAX_PENDING_CHARTER_PROPOSALS)) await offer(p, true);
      expect(pending.size).toBe(MAX_PENDING_CHARTER_PROPOSALS);
      await expect(offer(many[MAX_PENDING_CHARTER_PROPOSALS] as Envelope, false)).rejects.toThrow(
        code('ERR_PROPOSAL_LIMIT'),
      );
    });
  });
  describe('when a proposal is past its signed deadline', () => {
    it('refuses it with ERR_PROPOSAL_EXPIRED', async () => {
      const { g, pending, offer } = setup({ admission: 1, charter: 2 });
      await expect(offer(admit(g, 0, 1, -60_000), false)).rejects.toThrow(code('ERR_PROPOSAL_EXPIRED'));
      expect(pending.size).toBe(0);
    });
  });
  describe('when a proposal carries no member signature (only the newcomer signed)', () => {
    it('refuses it with ERR_MISSING_MEMBER_SIGNATURE', async () => {
      const { g, offer } = setup({ admission: 1, charter: 2 });
      const c = addMembers(g, [newcomer(0)], T0, new Date(NOW + HOUR).toISOString());
      const s = Uint8Array.from({ length: 32 }, (_, j) => (0 * 13 + j * 3 + 200) & 0xff);
      await expect(offer(signCharter(c, s), false)).rejects.toThrow(code('ERR_MISSING_MEMBER_SIGNATURE'));
    });
  });
  describe('join windows', () => {
    it('opens none for a one-signature proposal that needs two', async () => {
      const { g, gate, offer } = setup({ admission: 2, charter: 2 });
      await offer(admit(g, 0, 1), false);
      expect(gate.allows(newcomer(0).peerId)).toBe(false);
    });
    it('opens one when this node signed the proposal, until its signed deadline', async () => {
      const { g, gate, offer, held } = setup({ admission: 2, charter: 2 });
      const p = admit(g, 0, 1);
      await offer(p, false);
      await offer(addSignature(p, seed(0)), true);
      expect(gate.allows(newcomer(0).peerId)).toBe(true);
      expect(held(p)?.expiresAt).toBe(new Date(NOW + HOUR).toISOString());
    });
    it('opens one when the proposal meets its member threshold', async () => {
      const { g, gate, offer } = setup({ admission: 1, charter: 2 });
      await offer(admit(g, 0, 1), false);
      expect(gate.allows(newcomer(0).peerId)).toBe(true);
    });
    it('does not extend the lifetime when the proposal is sent again', async () => {
      const { g, offer, held } = setup({ admission: 1, charter: 2 });
      const p = admit(g, 0, 1);
      const first = await offer(p, false);
      const again = await offer(p, false);
      expect(again.expiresAt).toBe(first.expiresAt);
      expect(held(p)?.envelope.signatures).toHaveLength(1);
    });
  });
  describe('when proposals are made here', () => {
    it('does not count them against the limits', async () => {
      const { g, pending, offer } = setup({ admission: 2, charter: 2 });
      for (let i = 0; i < MAX_PENDING_PER_SIGNER_VERSION + 2; i++) await offer(admit(g, i, 0), true);
      expect(pending.size).toBe(MAX_PENDING_PER_SIGNER_VERSION + 2);
    });
  });
});

describe('checkDeadline', () => {
  // members 0 and 1, admission 1: 0 invited newcomer 0 with a deadline an hour before NOW.
  const g = makeGenesis([0, 1], { admission: 1, charter: 1 });
  const chain = new CharterChain(signedBy(g, [0, 1]));
  const s = Uint8Array.from({ length: 32 }, (_, j) => (j * 3 + 200) & 0xff);
  const v2 = addMembers(g, [newcomer(0)], T0, new Date(NOW - HOUR).toISOString());
  const late = addSignature(signCharter(v2, seed(0)), s); // completed by the invitee after the deadline
  describe('when a version arrives after its signed deadline', () => {
    it('throws ERR_PROPOSAL_EXPIRED', () => {
      expect(() => checkDeadline(chain, late, NOW)).toThrow(code('ERR_PROPOSAL_EXPIRED'));
    });
  });
  describe('when it arrives before its deadline (within the skew)', () => {
    it('passes', () => {
      expect(() => checkDeadline(chain, late, NOW - HOUR + 5_000)).not.toThrow();
    });
  });
  describe('when the next version, signed by members of the current one, follows it in the batch', () => {
    it('passes: members took it in time and moved on', () => {
      const v3 = nextCharter(v2, { createdAt: T0, thresholds: { policy: 2 } });
      expect(() => checkDeadline(chain, late, NOW, signedBy(v3, [1]))).not.toThrow();
    });
  });
  describe('when the late invitee signs the next version itself', () => {
    it('throws ERR_PROPOSAL_EXPIRED: it cannot vouch for its own admission', () => {
      const v3 = nextCharter(v2, { createdAt: T0, thresholds: { policy: 2 } });
      expect(() => checkDeadline(chain, late, NOW, signCharter(v3, s))).toThrow(code('ERR_PROPOSAL_EXPIRED'));
    });
  });
  describe('when the version is not the next one', () => {
    it('leaves it to the chain', () => {
      expect(() => checkDeadline(new CharterChain(signedBy(g, [0, 1])), signedBy(g, [0, 1]), NOW)).not.toThrow();
    });
  });
});
