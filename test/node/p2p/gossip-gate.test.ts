/**
 * GossipGate (node/p2p/gossip-gate.ts) with a recording registrar: what gossipsub would be handed for a
 * member, for a non-member, and for a non-member that becomes one. (The multi-process proof is
 * test/integration/adversarial/charter.test.ts, "a join window opened for an outsider".)
 */
import { describe, expect, it } from 'vitest';
import { GOSSIP_PROTOCOLS, GossipGate } from '../../../node/p2p/gossip-gate.ts';

type Handler = (data: { stream: Stream; connection: Conn }) => void;
interface Topology {
  onConnect?: (peer: Peer, conn: Conn) => void;
  onDisconnect?: (peer: Peer) => void;
}
type Peer = { toString(): string };
type Conn = { remotePeer: Peer; status: string };
type Stream = { status: string; aborted: boolean; abort(err: Error): void };

function setup(members: Set<string>) {
  const handlers = new Map<string, Handler>();
  const topologies: Topology[] = [];
  const registrar = {
    handle: async (p: string, h: Handler) => void handlers.set(p, h),
    register: async (_p: string, t: Topology) => {
      topologies.push(t);
      return 'id';
    },
    other: () => 'kept',
  };
  const gate = new GossipGate((p) => members.has(p));
  const comps = gate.components({ registrar, peerId: 'me' }) as unknown as {
    registrar: typeof registrar;
    peerId: string;
  };
  const seen = { streams: [] as string[], connects: [] as string[], disconnects: [] as string[] };
  return { gate, comps, handlers, topologies, seen };
}

const peer = (id: string): Peer => ({ toString: () => id });
const conn = (id: string): Conn => ({ remotePeer: peer(id), status: 'open' });
const stream = (): Stream => {
  const s: Stream = {
    status: 'open',
    aborted: false,
    abort: () => {
      s.aborted = true;
    },
  };
  return s;
};

describe('GossipGate', () => {
  describe('when gossipsub registers through the gated registrar', () => {
    it('passes members through, withholds non-members until release() finds them members', async () => {
      const members = new Set(['m']);
      const { gate, comps, handlers, topologies, seen } = setup(members);
      expect(comps.peerId).toBe('me');
      expect(comps.registrar.other()).toBe('kept');
      for (const p of GOSSIP_PROTOCOLS) {
        await comps.registrar.handle(p, ({ connection }) => seen.streams.push(`${p} ${connection.remotePeer}`));
        await comps.registrar.register(p, {
          onConnect: (pr) => seen.connects.push(`${p} ${pr}`),
          onDisconnect: (pr) => seen.disconnects.push(`${p} ${pr}`),
        });
      }
      const meshsub = GOSSIP_PROTOCOLS[0] as string;
      const h = handlers.get(meshsub) as Handler;
      const t = topologies[0] as Topology;
      h({ stream: stream(), connection: conn('m') });
      t.onConnect?.(peer('m'), conn('m'));
      expect(seen).toEqual({ streams: [`${meshsub} m`], connects: [`${meshsub} m`], disconnects: [] });

      // x (a join window) connects and opens a stream twice: nothing reaches gossipsub, the older stream is reset
      const first = stream();
      h({ stream: first, connection: conn('x') });
      h({ stream: stream(), connection: conn('x') });
      t.onConnect?.(peer('x'), conn('x'));
      expect(first.aborted).toBe(true);
      expect(gate.withholds('x')).toBe(true);
      gate.release();
      expect(seen.streams).toEqual([`${meshsub} m`]);
      expect(seen.connects).toEqual([`${meshsub} m`]);

      // x becomes a member: its held stream and its connection reach gossipsub once
      members.add('x');
      gate.release();
      gate.release();
      expect(seen.streams).toEqual([`${meshsub} m`, `${meshsub} x`]);
      expect(seen.connects).toEqual([`${meshsub} m`, `${meshsub} x`]);
      expect(gate.withholds('x')).toBe(false);
    });

    it('drops what it holds when the peer disconnects', async () => {
      const { gate, comps, handlers, topologies, seen } = setup(new Set());
      const p = GOSSIP_PROTOCOLS[0] as string;
      await comps.registrar.handle(p, () => seen.streams.push('x'));
      await comps.registrar.register(p, { onDisconnect: (pr) => seen.disconnects.push(String(pr)) });
      const s = stream();
      (handlers.get(p) as Handler)({ stream: s, connection: conn('y') });
      (topologies[0] as Topology).onDisconnect?.(peer('y'));
      expect(s.aborted).toBe(true);
      expect(gate.withholds('y')).toBe(false);
      expect(seen.disconnects).toEqual(['y']);
    });
  });
});
