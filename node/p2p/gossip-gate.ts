/**
 * The gossip gate: gossipsub talks to members only, never to a peer that merely holds a connection
 * (a peer in its join window, or a joining node's inviter before the charter names both — gate.ts).
 *
 * Gossipsub keeps one router entry per peer (its streams, the topics the peer subscribed to, mesh,
 * fanout, scores), and everything it sends goes through one method (`sendRpc`), everything it reads
 * through another (`handleReceivedRpc`). The gate wraps those two and `removePeer` on the gossipsub
 * instance (version-pinned internals, like pubsub.ts's read-error hook; `install` fails loudly at start
 * if an upgrade removes them):
 *   - to a non-member nothing is sent — not our subscriptions, no message, no IHAVE, no GRAFT;
 *   - from a non-member nothing is read: its messages and control messages are dropped unread (counted
 *     as `unheard`), and its subscriptions are only *remembered* (the latest state per topic, a few
 *     bytes per allowed topic) and not given to gossipsub — which therefore never lists it as subscribed,
 *     never grafts it, floods, forwards or sends IHAVE to it;
 *   - `release()` — called whenever the member set changes (host.sweep), and for a peer whose RPC
 *     arrives once it is a member — gives gossipsub the remembered subscriptions of every peer that is
 *     now a member and sends that peer ours, on the live streams: gossip then flows both ways without a
 *     redial. A peer that disconnects is forgotten with gossipsub's own router entry (`removePeer`).
 *
 * The bookkeeping follows gossipsub's own: per peer id, for as long as gossipsub has a router entry for
 * it (from the first connection to the last one closing), so a new connection of the same peer starts
 * again from nothing, exactly as gossipsub does.
 */

/** What the gate wraps and reads on a gossipsub 14 instance (typed loosely: these are internals). */
interface PeerIdLike {
  toString(): string;
}
interface RpcLike {
  subscriptions?: { topic?: string | null; subscribe?: boolean | null }[];
  messages?: { topic?: string }[];
  control?: unknown;
}
interface GossipsubInternals {
  handleReceivedRpc: (from: PeerIdLike, rpc: RpcLike) => Promise<void>;
  sendRpc: (id: string, rpc: RpcLike) => boolean;
  removePeer: (peerId: PeerIdLike) => void;
  sendSubscriptions: (id: string, topics: string[], subscribe: boolean) => void;
  peers: Map<string, PeerIdLike>;
  subscriptions: Set<string>;
  allowedTopics?: Set<string> | null;
}

/** Hears what a non-member sent and the gate dropped unread: the message topics (if any) and the peer. */
export type UnheardSink = (peer: string, topics: string[]) => void;

/** Most topics remembered for one non-member (gossipsub 14 subscribes a node to a handful). */
export const MAX_HELD_TOPICS = 64;

export class GossipGate {
  readonly #isMember: (peerId: string) => boolean;
  readonly #onUnheard: UnheardSink;
  /** peer id → topic → subscribed: what a connected non-member told us, not yet given to gossipsub. */
  readonly #held = new Map<string, Map<string, boolean>>();
  #gs: GossipsubInternals | undefined;
  #receive: GossipsubInternals['handleReceivedRpc'] | undefined;
  /** RPCs from non-members dropped unread (for tests and status). */
  unheard = 0;
  /** RPCs to non-members not sent. */
  unsent = 0;

  constructor(isMember: (peerId: string) => boolean, onUnheard: UnheardSink = () => {}) {
    this.#isMember = isMember;
    this.#onUnheard = onUnheard;
  }

  /** Wraps a gossipsub instance (once); returns it. */
  install<T>(instance: T): T {
    const gs = instance as unknown as GossipsubInternals;
    for (const m of ['handleReceivedRpc', 'sendRpc', 'removePeer', 'sendSubscriptions'] as const) {
      if (typeof gs[m] !== 'function') {
        throw new Error(`pubsub: gossipsub has no ${m} (check node/p2p/gossip-gate.ts after an upgrade)`);
      }
    }
    if (!(gs.peers instanceof Map) || !(gs.subscriptions instanceof Set)) {
      throw new Error('pubsub: gossipsub has no peers/subscriptions (check node/p2p/gossip-gate.ts after an upgrade)');
    }
    if (this.#gs !== undefined) throw new Error('gossip gate: installed twice');
    this.#gs = gs;
    const receive = gs.handleReceivedRpc;
    const send = gs.sendRpc;
    const remove = gs.removePeer;
    this.#receive = (from, rpc) => receive.call(gs, from, rpc);
    const gate = this;
    gs.handleReceivedRpc = function (this: unknown, from: PeerIdLike, rpc: RpcLike): Promise<void> {
      const id = from.toString();
      if (!gate.#isMember(id)) {
        gate.#hold(id, rpc);
        return Promise.resolve();
      }
      if (gate.#held.has(id)) gate.#releasePeer(id);
      return receive.call(this, from, rpc);
    };
    gs.sendRpc = function (this: unknown, id: string, rpc: RpcLike): boolean {
      if (!gate.#isMember(id)) {
        gate.unsent++;
        // remember that this peer has not been told our subscriptions
        if (!gate.#held.has(id)) gate.#held.set(id, new Map());
        return false;
      }
      return send.call(this, id, rpc);
    };
    gs.removePeer = function (this: unknown, peerId: PeerIdLike): void {
      gate.#held.delete(peerId.toString());
      remove.call(this, peerId);
    };
    return instance;
  }

  /** Peers gossipsub has connected but the gate keeps out (for tests and status). */
  heldPeers(): string[] {
    return [...this.#held.keys()];
  }

  /** Lets gossipsub reach every held peer that is now a member. */
  release(): string[] {
    const released: string[] = [];
    for (const id of [...this.#held.keys()]) {
      if (this.#isMember(id)) {
        this.#releasePeer(id);
        released.push(id);
      }
    }
    return released;
  }

  #hold(id: string, rpc: RpcLike): void {
    this.unheard++;
    let subs = this.#held.get(id);
    if (subs === undefined) {
      subs = new Map();
      this.#held.set(id, subs);
    }
    const allowed = this.#gs?.allowedTopics;
    for (const s of rpc.subscriptions ?? []) {
      const topic = s.topic;
      if (typeof topic !== 'string' || (allowed != null && !allowed.has(topic))) continue;
      if (!subs.has(topic) && subs.size >= MAX_HELD_TOPICS) continue;
      subs.set(topic, s.subscribe === true);
    }
    const topics = (rpc.messages ?? []).map((m) => String(m.topic ?? ''));
    if (topics.length > 0 || rpc.control != null) {
      try {
        this.#onUnheard(id, topics);
      } catch {
        // the sink's failure must not break gossipsub's read loop
      }
    }
  }

  #releasePeer(id: string): void {
    const gs = this.#gs;
    const subs = this.#held.get(id);
    this.#held.delete(id);
    const peer = gs?.peers.get(id);
    if (gs === undefined || subs === undefined || peer === undefined) return;
    const subscriptions = [...subs].map(([topic, subscribe]) => ({ topic, subscribe }));
    if (subscriptions.length > 0) {
      void this.#receive?.(peer, { subscriptions, messages: [] }).catch(() => {});
    }
    if (gs.subscriptions.size > 0) gs.sendSubscriptions(id, [...gs.subscriptions], true);
  }
}
