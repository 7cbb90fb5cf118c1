/**
 * The charter as a federation module (node/federation/charter-module.ts, on the generic replicated
 * chain): the judge of the `charter` and `proposal` gossip bodies behind the one validation path (network.ts checks the gossip envelope
 * first; multi-process runs: test/integration/federation.test.ts, adversarial/charter.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { CharterModule } from '../../../node/federation/charter-module.ts';
import { MAX_PENDING_PER_SIGNER_VERSION } from '../../../node/federation/pending.ts';
import { isGovfedError } from '../../../protocol/errors.ts';
import { CharterChain } from '../../../protocol/federation/chain.ts';
import { addMembers, type Charter, nextCharter } from '../../../protocol/federation/charter.ts';
import type { Envelope } from '../../../protocol/federation/envelope.ts';
import { envelopeBody, type GossipMessage } from '../../../protocol/federation/index.ts';
import { peerIdFromSeed } from '../../../protocol/federation/peer-id.ts';
import { signCharter } from '../../../protocol/federation/proposal.ts';
import { makeGenesis, peer, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';
import { charterRig } from './rig.ts';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const LATER = new Date(NOW + 3600_000).toISOString();

/** This node is member 0 of members 0, 1, 2. */
function setup() {
  const g = makeGenesis([0, 1, 2], { admission: 2, charter: 2 });
  const chain = new CharterChain(signedBy(g, [0, 1, 2]));
  const { core, module, pulls, events } = charterRig(chain, { self: 0, now: NOW });
  const gossip = (kind: 'charter' | 'proposal', env: Envelope, sender: string, from = sender) =>
    module.gossip[kind]?.({ type: kind, sender, body: envelopeBody(env) } as unknown as GossipMessage, from);
  return { g, chain, core, pulls, events, gossip };
}

const next = (g: Charter, change: Omit<Parameters<typeof nextCharter>[1], 'createdAt'>) =>
  nextCharter(g, { ...change, createdAt: T0 });
const codeOf = (v: unknown) => {
  const err = (v as { error?: unknown } | undefined)?.error;
  return isGovfedError(err) ? err.code : undefined;
};
function outsider(i: number) {
  const s = Uint8Array.from({ length: 32 }, (_, j) => (i * 13 + j * 3 + 200) & 0xff);
  return { org: `x-${i}`, peerId: peerIdFromSeed(s), jurisdiction: 'EU' };
}

describe('CharterModule', () => {
  it('is a federation module that judges newer senders itself', () => {
    const m = new CharterModule(setup().core);
    expect(m.name).toBe('charter');
    expect(Object.keys(m.gossip)).toEqual(['charter', 'proposal', 'withdrawal']);
    expect(m.judgesNewer).toBe(true);
  });

  describe('when a complete next charter is gossiped', () => {
    it('accepts it (the chain moves in the same turn), then ignores it as a duplicate', () => {
      const { g, chain, gossip } = setup();
      const v2 = signedBy(next(g, { expiresAt: LATER, thresholds: { policy: 2 } }), [1, 2]);
      expect(gossip('charter', v2, peer(1))).toEqual({ result: 'accept' });
      expect(chain.version).toBe(2);
      expect(gossip('charter', v2, peer(2))?.result).toBe('ignore');
    });
  });

  describe('when a charter past the next version is gossiped', () => {
    it('ignores it (a gap is not malice) and pulls from the peer that forwarded it', () => {
      const { g, chain, pulls, gossip } = setup();
      const v2 = next(g, { thresholds: { policy: 2 } });
      const v3 = signedBy(next(v2, { expiresAt: LATER, thresholds: { policy: 3 } }), [1, 2]);
      const v = gossip('charter', v3, peer(1), peer(2));
      expect(v?.result).toBe('ignore');
      expect(codeOf(v)).toBe('ERR_CHARTER_GAP');
      expect(pulls).toEqual([peer(2)]);
      expect(chain.version).toBe(1);
    });
  });

  describe('when a charter signed by one member under a threshold of 2 is gossiped as complete', () => {
    it('rejects it', () => {
      const { g, gossip } = setup();
      const v2 = signCharter(next(g, { expiresAt: LATER, thresholds: { policy: 2 } }), seed(1));
      expect(gossip('charter', v2, peer(1))?.result).toBe('reject');
    });
  });

  describe('when a member floods proposals past the per-signer limit', () => {
    it('rejects the signer that publishes it, but only ignores a member that forwards it', () => {
      const { g, gossip } = setup();
      const admit = (i: number) => signCharter(addMembers(g, [outsider(i)], T0, LATER), seed(1));
      for (let i = 0; i < MAX_PENDING_PER_SIGNER_VERSION; i++) {
        expect(gossip('proposal', admit(i), peer(1))).toEqual({ result: 'accept' });
      }
      const fromSigner = gossip('proposal', admit(50), peer(1));
      expect([fromSigner?.result, codeOf(fromSigner)]).toEqual(['reject', 'ERR_PROPOSAL_LIMIT']);
      const forwarded = gossip('proposal', admit(51), peer(1), peer(2));
      expect([forwarded?.result, codeOf(forwarded)]).toEqual(['ignore', 'ERR_PROPOSAL_LIMIT']);
    });
  });
});
