/**
 * The gossip gate: gossipsub talks to members only, never to a peer that merely holds a connection
 * (a join window, gate.ts).
 *
 * Gossipsub learns a peer's topics only from the stream that peer opens to us, and sends only on the
 * stream it opens to the peer. So the gate sits between gossipsub and libp2p's registrar (the one
 * place both happen, through public registrar calls — no gossipsub internals):
 *   - inbound: an incoming gossipsub stream (`/meshsub/1.1.0`, `/meshsub/1.0.0`, `/floodsub/1.0.0`)
 *     from a non-member is *held*, unread, and not handed to gossipsub — which therefore never learns
 *     the peer, its subscriptions or its control messages: it never grafts it, floods, forwards or
 *     sends IHAVE to it, and takes nothing from it. (Held rather than reset: the remote's outbound
 *     stream stays alive, so when membership is later agreed nothing has to be redialled. A new stream
 *     from the same peer replaces the held one; a stream closes with its connection.)
 *   - outbound: gossipsub's "peer connected" topology callback is not passed on for a non-member, so
 *     gossipsub opens no stream to it and sends it nothing — not even our subscriptions (topic names).
 *   - `release()` — called whenever the member set changes (host.sweep) — hands every held stream and
 *     deferred connection of a peer that is now a member to gossipsub, exactly as libp2p would have:
 *     both sides' streams come up on the live connection, without a restart or a redial.
 */

/** The gossipsub protocols (gossipsub 14 registers these three). */
export const GOSSIP_PROTOCOLS: readonly string[] = ['/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0'];

interface PeerLike {
  toString(): string;
}
interface ConnLike {
  remotePeer: PeerLike;
  status?: string;
}
interface StreamLike {
  status?: string;
  abort(err: Error): void;
}
interface IncomingData {
  stream: StreamLike;
  connection: ConnLike;
}
type Handler = (data: IncomingData) => void;
interface TopologyLike {
  onConnect?: (peer: PeerLike, conn: ConnLike) => void;
  onDisconnect?: (peer: PeerLike) => void;
  [k: string]: unknown;
}
interface RegistrarLike {
  handle(protocol: string, handler: Handler, opts?: unknown): Promise<void>;
  register(protocol: string, topology: TopologyLike): Promise<string>;
  [k: string | symbol]: unknown;
}

export class GossipGate {
  readonly #isMember: (peerId: string) => boolean;
  /** protocol → gossipsub's own stream handler. */
  readonly #handlers = new Map<string, Handler>();
  /** peer id → protocol → the held incoming stream. */
  readonly #held = new Map<string, Map<string, IncomingData>>();
  /** peer id → the connection and the topologies whose onConnect was deferred. */
  readonly #deferred = new Map<string, { peer: PeerLike; conn: ConnLike; topologies: Set<TopologyLike> }>();
  /** Streams held so far (for tests and metrics). */
  heldCount = 0;

  constructor(isMember: (peerId: string) => boolean) {
    this.#isMember = isMember;
  }

  /** libp2p's components as gossipsub should see them: the same, with a gated registrar. */
  components<T extends object>(components: T): T {
    const registrar = (components as { registrar: RegistrarLike }).registrar;
    const gated = new Proxy(registrar, {
      get: (target, prop) => {
        if (prop === 'handle') {
          return (protocol: string, handler: Handler, opts?: unknown) =>
            target.handle(protocol, this.#gatedHandler(protocol, handler), opts);
        }
        if (prop === 'register') {
          return (protocol: string, topology: TopologyLike) => target.register(protocol, this.#gatedTopology(topology));
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    return new Proxy(components, {
      get: (target, prop) => (prop === 'registrar' ? gated : Reflect.get(target, prop)),
    });
  }

  /** True while gossipsub is kept from `peerId` (a connected non-member). */
  withholds(peerId: string): boolean {
    return this.#held.has(peerId) || this.#deferred.has(peerId);
  }

  /** Hands what was withheld from each peer that is now a member to gossipsub. */
  release(): void {
    for (const [peerId, d] of [...this.#deferred]) {
      if (!this.#isMember(peerId)) continue;
      this.#deferred.delete(peerId);
      if (d.conn.status !== undefined && d.conn.status !== 'open') continue;
      for (const t of d.topologies) t.onConnect?.(d.peer, d.conn);
    }
    for (const [peerId, streams] of [...this.#held]) {
      if (!this.#isMember(peerId)) continue;
      this.#held.delete(peerId);
      for (const [protocol, data] of streams) {
        const open = (data.stream.status ?? 'open') === 'open' && (data.connection.status ?? 'open') === 'open';
        if (open) this.#handlers.get(protocol)?.(data);
      }
    }
  }

  #gatedHandler(protocol: string, handler: Handler): Handler {
    this.#handlers.set(protocol, handler);
    return (data) => {
      const peerId = data.connection.remotePeer.toString();
      if (this.#isMember(peerId)) {
        handler(data);
        return;
      }
      let streams = this.#held.get(peerId);
      if (streams === undefined) {
        streams = new Map();
        this.#held.set(peerId, streams);
      }
      streams.get(protocol)?.stream.abort(new Error('gossip: replaced by a newer stream'));
      streams.set(protocol, data);
      this.heldCount++;
    };
  }

  #gatedTopology(topology: TopologyLike): TopologyLike {
    return {
      ...topology,
      onConnect: (peer, conn) => {
        const peerId = peer.toString();
        if (this.#isMember(peerId)) {
          topology.onConnect?.(peer, conn);
          return;
        }
        const d = this.#deferred.get(peerId);
        if (d !== undefined && d.conn === conn) d.topologies.add(topology);
        else this.#deferred.set(peerId, { peer, conn, topologies: new Set([topology]) });
      },
      onDisconnect: (peer) => {
        const peerId = peer.toString();
        this.#deferred.delete(peerId);
        const streams = this.#held.get(peerId);
        this.#held.delete(peerId);
        for (const data of streams?.values() ?? []) data.stream.abort(new Error('gossip: peer disconnected'));
        topology.onDisconnect?.(peer);
      },
    };
  }
}
