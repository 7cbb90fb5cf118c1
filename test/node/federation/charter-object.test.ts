/**
 * The charter as a replicated object on the generic chain (node/federation/charter-object.ts), three
 * members in one process, each with its own CharterChain, MemberGate and ReplicatedChain: propose,
 * co-sign to the threshold, apply, admission and deadlines, join windows, catch-up by sync, and the
 * /govfed/sync codec byte for byte. The real network is test/integration/federation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ChainSync, objectGossipVerdict, ReplicatedChain } from '../../../node/chain/index.ts';
import { CharterObjectChain, charterObject, charterWindowHooks } from '../../../node/federation/charter-object.ts';
import type { FederationContext } from '../../../node/federation/module.ts';
import { MemberGate } from '../../../node/p2p/gate.ts';
import {
  addMembers,
  addSignature,
  type Charter,
  CharterChain,
  charterDigest,
  decodeSyncMessage,
  type Envelope,
  encodeSyncMessage,
  type GossipMessage,
  helloFor,
  type Member,
  nextCharter,
  peerIdFromSeed,
  signCharter,
} from '../../../protocol/federation/index.ts';
import { codeOf, settle } from '../../helpers/async.ts';
import { makeGenesis, peer, seed, signedBy, T0 } from '../../protocol/federation/fixtures.ts';

const HOUR = 3600_000;

interface Node {
  i: number;
  chain: CharterChain;
  gate: MemberGate;
  rc: ReplicatedChain<Charter>;
  sync: ChainSync<Charter>;
  leaves: string[];
}

class Net {
  clock = Date.parse('2025-01-01T12:00:00Z');
  readonly nodes: Node[] = [];
  readonly online = new Set<number>();
  readonly published: string[] = [];
  readonly requests: string[] = [];

  context(n: Node): FederationContext {
    return {
      peerId: peer(n.i),
      events: () => {},
      chain: () => n.chain,
      publish: async (kind, body) => {
        this.published.push(kind);
        const msg = { type: kind, sender: peer(n.i), body } as unknown as GossipMessage;
        for (const o of this.nodes) {
          if (o !== n && this.online.has(o.i)) objectGossipVerdict(o.rc, msg, peer(n.i), () => {});
        }
      },
      request: async (to, _protocol, bytes) => {
        const target = this.nodes.find((o) => peer(o.i) === to);
        if (target === undefined || !this.online.has(target.i)) throw new Error(`${to} is offline`);
        this.requests.push(decodeSyncMessage(bytes).type);
        return await target.sync.serve(bytes, peer(n.i));
      },
      connectedMembers: () => [],
      signAsPeer: () => {
        throw new Error('not used');
      },
      reject: () => {},
    };
  }
}

function federation(thresholds: { admission: number; charter: number }): [Net, Node, Node, Node, Charter] {
  const net = new Net();
  const g = makeGenesis([0, 1, 2], thresholds);
  for (const i of [0, 1, 2]) {
    const chain = new CharterChain(signedBy(g, [0, 1, 2]));
    const gate = new MemberGate({ isMember: (p) => chain.isMember(p), now: () => net.clock });
    const n = { i, chain, gate, leaves: [] } as unknown as Node;
    let index = 0;
    n.rc = new ReplicatedChain({
      ...charterWindowHooks({ gate, self: peer(i), chain: () => n.chain, pending: () => n.rc.pending.values() }),
      object: charterObject({ federationId: () => chain.federationId, now: () => net.clock }),
      self: peer(i),
      seed: seed(i),
      log: {
        append: async (items) =>
          items.map((it) => {
            n.leaves.push(JSON.parse(new TextDecoder().decode(it.leaf)).kind);
            return { index: index++ } as never;
          }),
      },
      events: () => {},
      now: () => new Date(net.clock),
      persist: async () => {},
      onHead: () => {},
    });
    n.sync = new ChainSync(n.rc, () => {});
    n.rc.attach(net.context(n));
    n.rc.onCharter(chain);
    net.nodes.push(n);
    net.online.add(i);
  }
  const [a, b, c] = net.nodes as [Node, Node, Node];
  return [net, a, b, c, g];
}

function newcomer(): Member {
  const s = Uint8Array.from({ length: 32 }, (_, j) => (j * 7 + 99) & 0xff);
  return { org: 'new', peerId: peerIdFromSeed(s), jurisdiction: 'EU' };
}

const deadline = (net: Net, ms = HOUR) => new Date(net.clock + ms).toISOString();

describe('charterObject on ReplicatedChain', () => {
  describe('when a member proposes a threshold change that needs two signatures', () => {
    it('is pending until its signed deadline, then applied on every member once co-signed; no receipts', async () => {
      const [net, a, b, c, g] = federation({ admission: 2, charter: 2 });
      const until = deadline(net);
      const next = nextCharter(g, { createdAt: T0, expiresAt: until, thresholds: { policy: 2 } });
      await a.rc.offer(signCharter(next, seed(0)), 'local');
      await settle();
      for (const n of [a, b, c]) expect(n.rc.pending.values().map((p) => p.expiresAt)).toEqual([until]);
      const signed = await b.rc.sign(charterDigest(next).slice(7, 19));
      expect(signed.status.complete).toBe(true);
      await settle();
      for (const n of [a, b, c]) {
        expect(n.chain.version).toBe(2);
        expect(n.chain.head.digest).toBe(charterDigest(next));
        expect(n.rc.pending.size).toBe(0);
        expect(n.rc.receipts().size).toBe(0);
        // The pending proposal is logged where it was made (a; b's signature completed it), the charter everywhere.
        expect(n.leaves).toEqual(n === a ? ['federation.proposal', 'federation.charter'] : ['federation.charter']);
      }
      expect(net.published).toEqual(['proposal', 'charter']);
    });
  });

  describe('when a received proposal is past its signed deadline', () => {
    it('is refused before it is stored; gossip rejects its signer and ignores a forwarder', async () => {
      const [net, a, b, c, g] = federation({ admission: 2, charter: 2 });
      const late = signCharter(nextCharter(g, { createdAt: T0, expiresAt: deadline(net, -HOUR) }), seed(0));
      expect(await codeOf(b.rc.offer(late, 'sync', peer(0)))).toBe('ERR_PROPOSAL_EXPIRED');
      const msg = { type: 'proposal', sender: peer(0), body: { envelope: late } } as unknown as GossipMessage;
      expect(objectGossipVerdict(b.rc, msg, peer(0), () => {}).result).toBe('reject');
      expect(objectGossipVerdict(b.rc, msg, peer(2), () => {}).result).toBe('ignore');
      expect(b.rc.pending.size).toBe(0);
      // made here, it is the operator's: the generic chain does not admit local proposals
      await c.rc.offer(signCharter(nextCharter(g, { createdAt: T0, name: 'renamed' }), seed(2)), 'local');
      expect(c.rc.pending.size).toBe(1);
      expect(a.rc.pending.size).toBe(1);
    });
  });

  describe('when a proposal admits a newcomer', () => {
    it('opens its join window where signed, not where one signature of two arrived, and closes it on expiry', async () => {
      const [net, a, b, , g] = federation({ admission: 2, charter: 2 });
      const nc = newcomer();
      await a.rc.offer(signCharter(addMembers(g, [nc], T0, deadline(net)), seed(0)), 'local');
      await settle();
      expect(a.gate.inWindow(nc.peerId)).toBe(true);
      expect(b.gate.inWindow(nc.peerId)).toBe(false);
      net.clock += 2 * HOUR;
      a.rc.onCharter(a.chain); // re-checks pending: the expired proposal goes, and its window
      expect(a.rc.pending.size).toBe(0);
      expect(a.gate.inWindow(nc.peerId)).toBe(false);
    });
  });

  describe('when a member was offline while a version was made', () => {
    it('catches up by sync over /govfed/sync messages, never asking for receipts', async () => {
      const [net, a, b, c, g] = federation({ admission: 1, charter: 1 });
      net.online.delete(2);
      await a.rc.offer(signCharter(nextCharter(g, { createdAt: T0, name: 'v2' }), seed(0)), 'local');
      await settle();
      expect([a.chain.version, b.chain.version, c.chain.version]).toEqual([2, 2, 1]);
      net.online.add(2);
      await c.sync.syncWith(peer(0));
      await settle();
      expect(c.chain.version).toBe(2);
      expect(net.requests).toEqual(['hello', 'get-charters']);
    });
  });

  describe("when the chain's sync is given heads to send (the federation's modules')", () => {
    it('sends them in its hello and tells of the heads it hears, asking and answering', async () => {
      const [, a, b] = federation({ admission: 1, charter: 1 });
      const heard: [string, string, unknown][] = [];
      const headsOf = (i: number) => ({ models: { height: i, digest: `sha256:${String(i).repeat(64)}` } });
      for (const n of [a, b]) {
        n.sync = new ChainSync(n.rc, () => {}, {
          heads: () => headsOf(n.i + 1),
          onHello: (from, heads) => heard.push([peer(n.i), from, heads]),
        });
      }
      await a.sync.syncWith(peer(1));
      // b heard a's hello (answering), a heard b's answer (asking).
      expect(heard).toEqual([
        [peer(1), peer(0), headsOf(1)],
        [peer(0), peer(1), headsOf(2)],
      ]);
    });
  });
});

describe('CharterObjectChain.acceptRun', () => {
  function late(): { chain: CharterChain; v2: Envelope; v3: Envelope; now: number } {
    const g = makeGenesis([0, 1, 2], { admission: 2, charter: 2 });
    const chain = new CharterChain(signedBy(g, [0, 1, 2]));
    const now = Date.parse('2025-01-01T12:00:00Z');
    const c2 = nextCharter(g, { createdAt: T0, expiresAt: new Date(now - HOUR).toISOString(), name: 'late' });
    const c3 = nextCharter(c2, { createdAt: T0, name: 'after' });
    return { chain, v2: addSignature(signCharter(c2, seed(0)), seed(1)), v3: signedBy(c3, [0, 1]), now };
  }

  it('refuses a version past its deadline alone (ERR_PROPOSAL_EXPIRED)', async () => {
    const { chain, v2, now } = late();
    expect(await codeOf(() => new CharterObjectChain(chain).acceptRun([v2], chain, now))).toBe('ERR_PROPOSAL_EXPIRED');
    expect(chain.version).toBe(1);
  });

  it('takes it with a complete successor signed by earlier members (a node catching up)', () => {
    const { chain, v2, v3, now } = late();
    const taken = new CharterObjectChain(chain).acceptRun([v2, v3], chain, now);
    expect(taken.map((e) => e.version)).toEqual([2, 3]);
    expect(chain.version).toBe(3);
  });
});

describe('charterObject sync codec', () => {
  const g = makeGenesis([0, 1], { admission: 1, charter: 1 });
  const chain = new CharterChain(signedBy(g, [0, 1]));
  const object = charterObject({ federationId: () => chain.federationId, now: () => 0 });

  it("encodes the generic hello as the charter's own hello, byte for byte", () => {
    const hello = { type: 'hello' as const, version: 1, digest: chain.head.digest, pending: [] };
    expect(object.encodeSync(hello)).toEqual(encodeSyncMessage(helloFor(chain)));
    expect(object.decodeSync(encodeSyncMessage(helloFor(chain)))).toEqual(hello);
  });

  it("carries the modules' heads next to the charter's, both ways", () => {
    const heads = { policy: { height: 3, digest: `sha256:${'ab'.repeat(32)}` } };
    const hello = { type: 'hello' as const, version: 1, digest: chain.head.digest, pending: [], heads };
    const wire = encodeSyncMessage(helloFor(chain, heads));
    expect(object.encodeSync(hello)).toEqual(wire);
    expect(object.decodeSync(wire)).toEqual(hello);
  });

  it('refuses address books and hellos of another federation', async () => {
    expect(await codeOf(() => object.decodeSync(encodeSyncMessage({ type: 'get-addresses' })))).toBe(
      'ERR_MALFORMED_SYNC_MESSAGE',
    );
    const other = new CharterChain(signedBy(makeGenesis([0, 1], { admission: 2, charter: 2 }), [0, 1]));
    expect(await codeOf(() => object.decodeSync(encodeSyncMessage(helloFor(other))))).toBe('ERR_FEDERATION_MISMATCH');
  });
});
