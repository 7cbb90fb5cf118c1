/**
 * The public face, used the way a node will: found, invite with co-signing, join, gossip, sync.
 * Each node's state is only its CharterChain; "the network" is passing bytes between them.
 */
import { describe, expect, it } from 'vitest';
import * as fed from '../../../protocol/federation/index.ts';
import { seed } from './fixtures.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const at = (s: number) => new Date(NOW + s * 1000).toISOString();

interface Node {
  org: string;
  seed: Uint8Array;
  peerId: string;
  chain?: fed.CharterChain;
}

function node(i: number, org: string): Node {
  return { org, seed: seed(i), peerId: fed.peerIdFromSeed(seed(i)) };
}

function gossip(from: Node, kind: string, env: fed.Envelope, seq: number): Uint8Array {
  const chain = from.chain!;
  return fed.encodeGossip(
    {
      type: kind,
      federationId: chain.federationId,
      charterVersion: chain.version,
      sender: from.peerId,
      seq,
      sentAt: at(seq),
      body: fed.envelopeBody(env),
    },
    from.seed,
  );
}

describe('protocol/federation (public face)', () => {
  describe('when eu founds, raises the admission threshold and admits us and apac', () => {
    it('leaves every node with the same charter, through gossip and sync', () => {
      const eu = node(0, 'eu');
      const us = node(1, 'us');
      const apac = node(2, 'apac');

      // eu founds alone.
      const g = fed.genesisCharter({
        name: 'Demo',
        createdAt: at(0),
        members: [{ org: 'eu', peerId: eu.peerId, jurisdiction: 'EU' }],
        thresholds: { admission: 1, policy: 2, charter: 1 },
      });
      eu.chain = new fed.CharterChain(fed.signCharter(g, eu.seed));
      const id = eu.chain.federationId;
      expect(fed.topicFor(id, 'charter')).toBe(`/govfed/${id}/charter/1`);

      // eu invites us; us joins with the invite file and completes the admission with its signature.
      const usMember = { org: 'us', peerId: us.peerId, jurisdiction: 'US' };
      const p1 = fed.signCharter(fed.addMembers(eu.chain.current, [usMember], at(1), at(3600)), eu.seed);
      const file = fed.encodeInvite(
        fed.createInvite({
          chain: eu.chain,
          proposal: p1,
          invitee: usMember,
          bootstrap: [`/ip4/127.0.0.1/tcp/4001/p2p/${eu.peerId}`],
        }),
      );
      const invite = fed.parseInvite(file);
      const joined = fed.verifyInvite(invite, { now: NOW, self: us.peerId, pinnedFederationId: id });
      us.chain = joined.chain;
      const v2 = fed.addSignature(invite.proposal, us.seed);
      expect(us.chain.accept(v2).status).toBe('accepted');
      // us delivers v2 to eu over sync (it is not a member in eu's eyes yet).
      const push = fed.decodeSyncMessage(fed.encodeSyncMessage({ type: 'charters', envelopes: [v2] }));
      if (push.type !== 'charters') throw new Error('expected charters');
      for (const env of push.envelopes) eu.chain.accept(env);
      expect(eu.chain.isMember(us.peerId)).toBe(true);

      // eu raises admission and charter thresholds to 2 and gossips the charter; us validates and accepts.
      const v3 = fed.signCharter(
        fed.nextCharter(eu.chain.current, { createdAt: at(2), thresholds: { admission: 2, charter: 2 } }),
        eu.seed,
      );
      eu.chain.accept(v3);
      const msg = fed.decodeAndVerifyGossip(gossip(eu, 'charter', v3, 3), {
        chain: us.chain,
        now: NOW,
        kind: 'charter',
      });
      expect(us.chain.accept(fed.envelopeFromBody(msg.message.body)).status).toBe('accepted');

      // Admitting apac now needs eu and us: eu proposes on gossip, us co-signs, apac signs last.
      const apacMember = { org: 'apac', peerId: apac.peerId, jurisdiction: 'SG' };
      const p2 = fed.signCharter(fed.addMembers(eu.chain.current, [apacMember], at(4), at(3600)), eu.seed);
      const seen = fed.decodeAndVerifyGossip(gossip(eu, 'proposal', p2, 4), {
        chain: us.chain,
        now: NOW,
        kind: 'proposal',
      });
      const coSigned = fed.addSignature(fed.envelopeFromBody(seen.message.body), us.seed);
      expect(us.chain.proposalStatus(coSigned)).toEqual(
        expect.objectContaining({
          rule: 'admission',
          required: 2,
          memberSignatures: 2,
          missingNewMembers: [apac.peerId],
        }),
      );
      const apacInvite = fed.createInvite({
        chain: eu.chain,
        proposal: fed.mergeSignatures(p2, coSigned),
        invitee: apacMember,
        bootstrap: [`/ip4/127.0.0.1/tcp/4002/p2p/${us.peerId}`],
      });
      const { chain: apacChain, status } = fed.verifyInvite(fed.parseInvite(fed.encodeInvite(apacInvite)), {
        now: NOW,
        self: apac.peerId,
      });
      expect(status.complete).toBe(false);
      apac.chain = apacChain;
      const v4 = fed.addSignature(apacInvite.proposal, apac.seed);
      expect(apac.chain.accept(v4).status).toBe('accepted');

      // us (which has v3) syncs from apac; eu receives v4 as gossip from us.
      const hello = fed.decodeSyncMessage(fed.encodeSyncMessage(fed.helloFor(apac.chain)));
      if (hello.type !== 'hello') throw new Error('expected hello');
      const req = fed.nextRequest(us.chain, hello);
      expect(req).toEqual({ type: 'get-charters', from: 4 });
      for (const env of fed.chartersResponse(apac.chain, req!).envelopes) us.chain.accept(env);
      const relayed = fed.decodeAndVerifyGossip(gossip(us, 'charter', v4, 5), { chain: eu.chain, now: NOW });
      eu.chain.accept(fed.envelopeFromBody(relayed.message.body));

      for (const n of [eu, us, apac]) {
        expect(n.chain!.version).toBe(4);
        expect(n.chain!.head.digest).toBe(eu.chain.head.digest);
      }
      // A non-member's gossip is rejected everywhere.
      const mallory = node(7, 'mallory');
      mallory.chain = eu.chain;
      const spam = gossip(mallory, 'charter', v4, 1);
      expect(() => fed.decodeAndVerifyGossip(spam, { chain: us.chain!, now: NOW })).toThrow(
        expect.objectContaining({ code: 'ERR_UNKNOWN_SIGNER', action: 'reject' }),
      );
    });
  });
});
