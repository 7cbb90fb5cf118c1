import { describe, expect, it } from 'vitest';
import { MAX_JOIN_WINDOW_MS, MemberGate } from '../../../node/p2p/gate.ts';

const MEMBER = '12D3KooWmember';
const INVITEE = '12D3KooWinvitee';

function gate(now: { t: number }) {
  return new MemberGate({ isMember: (p) => p === MEMBER, now: () => now.t });
}

describe('MemberGate', () => {
  describe('when a peer is a member', () => {
    it('allows it', () => {
      expect(gate({ t: 0 }).allows(MEMBER)).toBe(true);
    });
  });

  describe('when a peer is neither a member nor invited', () => {
    it('refuses it, and the connection gater denies it and reports it', async () => {
      const refused: string[] = [];
      const g = gate({ t: 0 }).connectionGater((p) => refused.push(p));
      expect(await g.denyInboundEncryptedConnection({ toString: () => INVITEE })).toBe(true);
      expect(await g.denyOutboundEncryptedConnection({ toString: () => MEMBER })).toBe(false);
      expect(refused).toEqual([INVITEE]);
    });
  });

  describe('when a join window is open', () => {
    it('allows the invitee until the window ends, then refuses it', () => {
      const now = { t: 1000 };
      const g = gate(now);
      g.openWindow(INVITEE, 5000);
      expect(g.allows(INVITEE)).toBe(true);
      expect(g.inWindow(INVITEE)).toBe(true);
      now.t = 5000;
      expect(g.allows(INVITEE)).toBe(false);
    });

    it('caps the window at MAX_JOIN_WINDOW_MS', () => {
      const now = { t: 0 };
      const g = gate(now);
      g.openWindow(INVITEE, Number.MAX_SAFE_INTEGER);
      now.t = MAX_JOIN_WINDOW_MS - 1;
      expect(g.allows(INVITEE)).toBe(true);
      now.t = MAX_JOIN_WINDOW_MS;
      expect(g.allows(INVITEE)).toBe(false);
    });

    it('closes on closeWindow', () => {
      const g = gate({ t: 0 });
      g.openWindow(INVITEE, 10_000);
      g.closeWindow(INVITEE);
      expect(g.allows(INVITEE)).toBe(false);
    });
  });

  describe('when a peer was removed and may still learn it', () => {
    it('admits its connection, but neither allows it nor counts it a member', async () => {
      const REMOVED = '12D3KooWremoved';
      const g = new MemberGate({ isMember: (p) => p === MEMBER, departed: (p) => p === REMOVED });
      expect(g.admits(REMOVED)).toBe(true);
      expect(g.allows(REMOVED)).toBe(false);
      expect(g.isMember(REMOVED)).toBe(false);
      expect(await g.connectionGater().denyInboundEncryptedConnection({ toString: () => REMOVED })).toBe(false);
      expect(g.admits(INVITEE)).toBe(false);
    });
  });
});
