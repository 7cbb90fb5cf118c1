import { describe, expect, it } from 'vitest';
import { GossipGate, MAX_HELD_TOPICS } from '../../../node/p2p/gossip-gate.ts';

/** A stand-in with gossipsub 14's internal shape: records what reaches the router and what is sent. */
function fakeGossipsub() {
  const received: { from: string; rpc: unknown }[] = [];
  const sent: { id: string; rpc: unknown }[] = [];
  const removed: string[] = [];
  const gs = {
    peers: new Map<string, { toString(): string }>(),
    subscriptions: new Set<string>(['t1', 't2']),
    allowedTopics: new Set<string>(['t1', 't2', 't3']) as Set<string> | null,
    async handleReceivedRpc(from: { toString(): string }, rpc: unknown) {
      received.push({ from: from.toString(), rpc });
    },
    sendRpc(id: string, rpc: unknown) {
      sent.push({ id, rpc });
      return true;
    },
    removePeer(peerId: { toString(): string }) {
      removed.push(peerId.toString());
      gs.peers.delete(peerId.toString());
    },
    sendSubscriptions(id: string, topics: string[], subscribe: boolean) {
      gs.sendRpc(id, { subscriptions: topics.map((topic) => ({ topic, subscribe })) });
    },
  };
  const connect = (id: string) => {
    const p = { toString: () => id };
    gs.peers.set(id, p);
    return p;
  };
  return { gs, received, sent, removed, connect };
}

describe('GossipGate', () => {
  it('passes a member through untouched', async () => {
    const f = fakeGossipsub();
    const members = new Set(['m']);
    const gate = new GossipGate((p) => members.has(p));
    gate.install(f.gs);
    const m = f.connect('m');
    await f.gs.handleReceivedRpc(m, { subscriptions: [{ topic: 't1', subscribe: true }], messages: [] });
    expect(f.gs.sendRpc('m', { messages: [] })).toBe(true);
    expect(f.received).toHaveLength(1);
    expect(f.sent).toEqual([{ id: 'm', rpc: { messages: [] } }]);
    expect(gate.heldPeers()).toEqual([]);
  });

  it('sends a non-member nothing and reads nothing from it, remembering only its subscriptions', async () => {
    const f = fakeGossipsub();
    const unheard: [string, string[]][] = [];
    const gate = new GossipGate(
      () => false,
      (peer, topics) => unheard.push([peer, topics]),
    );
    gate.install(f.gs);
    const x = f.connect('x');
    f.gs.sendSubscriptions('x', ['t1'], true);
    expect(f.gs.sendRpc('x', { messages: [{ topic: 't1' }] })).toBe(false);
    await f.gs.handleReceivedRpc(x, {
      subscriptions: [
        { topic: 't1', subscribe: true },
        { topic: 'not-allowed', subscribe: true },
      ],
      messages: [{ topic: 't2' }],
      control: { graft: [{ topicID: 't1' }] },
    });
    expect(f.sent).toEqual([]);
    expect(f.received).toEqual([]);
    expect(gate.unsent).toBe(2);
    expect(gate.unheard).toBe(1);
    expect(unheard).toEqual([['x', ['t2']]]);
    expect(gate.heldPeers()).toEqual(['x']);
  });

  it('on release hands a new member its latest subscriptions and sends it ours', async () => {
    const f = fakeGossipsub();
    const members = new Set<string>();
    const gate = new GossipGate((p) => members.has(p));
    gate.install(f.gs);
    const x = f.connect('x');
    f.gs.sendSubscriptions('x', ['t1', 't2'], true); // at stream creation: refused
    await f.gs.handleReceivedRpc(x, { subscriptions: [{ topic: 't1', subscribe: true }], messages: [] });
    await f.gs.handleReceivedRpc(x, {
      subscriptions: [
        { topic: 't1', subscribe: false },
        { topic: 't3', subscribe: true },
      ],
      messages: [],
    });
    expect(gate.release()).toEqual([]); // still not a member
    members.add('x');
    expect(gate.release()).toEqual(['x']);
    await Promise.resolve();
    expect(f.received).toEqual([
      {
        from: 'x',
        rpc: {
          subscriptions: [
            { topic: 't1', subscribe: false },
            { topic: 't3', subscribe: true },
          ],
          messages: [],
        },
      },
    ]);
    expect(f.sent).toEqual([
      {
        id: 'x',
        rpc: {
          subscriptions: [
            { topic: 't1', subscribe: true },
            { topic: 't2', subscribe: true },
          ],
        },
      },
    ]);
    expect(gate.heldPeers()).toEqual([]);
    expect(gate.release()).toEqual([]); // once only
  });

  it('releases a peer lazily when its first RPC as a member arrives, before that RPC', async () => {
    const f = fakeGossipsub();
    const members = new Set<string>();
    const gate = new GossipGate((p) => members.has(p));
    gate.install(f.gs);
    const x = f.connect('x');
    await f.gs.handleReceivedRpc(x, { subscriptions: [{ topic: 't1', subscribe: true }], messages: [] });
    members.add('x');
    await f.gs.handleReceivedRpc(x, { messages: [{ topic: 't1' }] });
    expect(f.received.map((r) => r.rpc)).toEqual([
      { subscriptions: [{ topic: 't1', subscribe: true }], messages: [] },
      { messages: [{ topic: 't1' }] },
    ]);
    expect(f.sent.map((s) => s.id)).toEqual(['x']); // our subscriptions
  });

  it('forgets a peer with gossipsub (a new connection starts from nothing)', async () => {
    const f = fakeGossipsub();
    const members = new Set<string>();
    const gate = new GossipGate((p) => members.has(p));
    gate.install(f.gs);
    const x = f.connect('x');
    await f.gs.handleReceivedRpc(x, { subscriptions: [{ topic: 't1', subscribe: true }], messages: [] });
    f.gs.removePeer(x);
    expect(f.removed).toEqual(['x']);
    expect(gate.heldPeers()).toEqual([]);
    members.add('x');
    expect(gate.release()).toEqual([]);
    expect(f.received).toEqual([]);
  });

  it('bounds what it remembers of one peer', async () => {
    const f = fakeGossipsub();
    f.gs.allowedTopics = null;
    const members = new Set<string>();
    const gate = new GossipGate((p) => members.has(p));
    gate.install(f.gs);
    const x = f.connect('x');
    const subscriptions = Array.from({ length: MAX_HELD_TOPICS + 50 }, (_, i) => ({ topic: `t${i}`, subscribe: true }));
    await f.gs.handleReceivedRpc(x, { subscriptions, messages: [] });
    members.add('x');
    gate.release();
    const given = (f.received[0]!.rpc as { subscriptions: { topic: string }[] }).subscriptions;
    expect(given).toHaveLength(MAX_HELD_TOPICS);
    expect(given.at(-1)?.topic).toBe(`t${MAX_HELD_TOPICS - 1}`);
  });

  it('refuses a gossipsub without the internals it wraps, and a second install', () => {
    const gate = new GossipGate(() => true);
    expect(() => gate.install({})).toThrow(/gossipsub has no handleReceivedRpc/);
    const f = fakeGossipsub();
    gate.install(f.gs);
    expect(() => gate.install(fakeGossipsub().gs)).toThrow(/installed twice/);
  });
});
