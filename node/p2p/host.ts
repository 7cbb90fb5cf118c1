/**
 * The libp2p host: TCP, Noise, yamux, identify and gossipsub, with the node's peer key (DIR/keys/peer.key)
 * and the member-only gate (gate.ts). One factory, `startHost`, and a small handle around the libp2p
 * node so that nothing else in node/ touches libp2p's types.
 *
 * Inbound connections are admitted in two steps: before the handshake by source address (admission.ts:
 * a short upgrade timeout, a large global pending cap, a per-source cap, known member addresses always
 * let through), after it by peer id (the gate). Refusals are typed and counted (metrics.ts); so is
 * gossip that the validators refuse or that is too large to read (pubsub.ts), after which the host
 * hangs up on the sender so that the streams are rebuilt rather than silently dead. Gossipsub itself talks
 * to members only (gossip-gate.ts): a join-window peer holds a connection but gets no gossip.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Registry } from 'prom-client';
import { type GovfedError, isGovfedError } from '../../protocol/errors.ts';
import { GOSSIP_KINDS, topicFor } from '../../protocol/federation/topics.ts';
import {
  INBOUND_RATE_PER_SECOND,
  INBOUND_UPGRADE_TIMEOUT_MS,
  type InboundConn,
  InboundLimiter,
  ipOf,
  LISTEN_BACKLOG,
  MAX_PENDING_UPGRADES,
} from './admission.ts';
import { coalescingWrites } from './coalesce.ts';
import { withDeadline } from './deadline.ts';
import type { MemberGate } from './gate.ts';
import { GossipGate } from './gossip-gate.ts';
import { listenError } from './listen-error.ts';
import { quietLogger } from './logger.ts';
import { P2pMetrics } from './metrics.ts';
import { noiseCrypto } from './noise-crypto.ts';
import { PubsubAdapter, pubsubService } from './pubsub.ts';
import { ServeLimits } from './serve-limits.ts';
import { StreamSlots } from './stream-slots.ts';

export interface HostOptions {
  /** The libp2p private key, protobuf (DIR/keys/peer.key). */
  peerKey: Uint8Array;
  /** Listen multiaddrs (config.listen). */
  listen: readonly string[];
  federationId: string;
  gate: MemberGate;
  /** Called for every peer event (connected, disconnected, closed by the gate, identified, …). */
  onPeer?: (event: PeerEvent) => void;
  /** Known member addresses (multiaddrs): their IPs skip the pre-handshake limits. */
  allow?: readonly string[];
  /** The node's Prometheus registry (metrics.ts); without it the counters are kept but not exported. */
  registry?: Registry;
}

export type PeerEvent =
  | { type: 'connected' | 'disconnected' | 'refused'; peerId: string }
  | { type: 'identified'; peerId: string; addrs: string[] }
  /** Gossip from `peerId` that could not be read (ERR_MESSAGE_TOO_LARGE …): the host hung up on it. */
  | { type: 'gossip-refused'; peerId: string; error: GovfedError };

/** What node/ sees of a stream: a libp2p 2.x duplex (kept opaque). */
export type RawStream = { close(): Promise<void>; abort(err: Error): void };

export type StreamHandler = (stream: RawStream, remotePeer: string) => void;

/** Loosely typed view of the libp2p 2.x node (its types come from @libp2p/interface 2, ours from 3). */
interface Libp2pLike {
  peerId: { toString(): string };
  services: { pubsub: unknown };
  start(): Promise<void>;
  stop(): Promise<void>;
  getMultiaddrs(): { toString(): string }[];
  getConnections(peer?: unknown): {
    remotePeer: { toString(): string };
    close(): Promise<void>;
    newStream(protocol: string, options?: { signal?: AbortSignal }): Promise<RawStream>;
  }[];
  hangUp(peer: unknown): Promise<void>;
  dial(addr: unknown, options?: { signal?: AbortSignal }): Promise<{ remotePeer: { toString(): string } }>;
  dialProtocol(peer: unknown, protocol: string, options?: { signal?: AbortSignal }): Promise<RawStream>;
  handle(
    protocol: string,
    handler: (data: { stream: RawStream; connection: { remotePeer: { toString(): string } } }) => void,
    options?: Record<string, unknown>,
  ): Promise<void>;
  addEventListener(type: string, fn: (evt: CustomEvent) => void): void;
}

/**
 * libp2p's connection monitor pings every connection this often (its default is 10 s: in a full mesh of
 * N members that is N(N − 1) streams every 10 s, each with a multistream-select, growing as N²; issue 17).
 */
export const PING_INTERVAL_MS = 30_000;
/**
 * Least time a ping may take before the monitor aborts the connection as dead (libp2p's default is 5 s,
 * adaptive above it): a saturated process answers late, and aborting a live connection then only adds
 * handshakes. A connection dead after a partition is still aborted, within PING_INTERVAL_MS + this.
 */
export const PING_MIN_TIMEOUT_MS = 15_000;
/** The protocol a liveness probe asks for (libp2p's ping; an 'unsupported' answer proves life too). */
const PING_PROTOCOL = '/ipfs/ping/1.0.0';

/** How often held non-members are looked at again (gossip-gate.ts), besides every sweep. */
export const GOSSIP_RELEASE_INTERVAL_MS = 1000;

export class Host {
  readonly #node: Libp2pLike;
  readonly #gate: MemberGate;
  readonly pubsub: PubsubAdapter;
  /** Keeps gossipsub away from connected non-members (gossip-gate.ts). */
  readonly gossipGate: GossipGate;
  readonly #releaseTimer: ReturnType<typeof setInterval>;
  /** Pre-handshake admission (known member addresses, per-source pending handshakes). */
  readonly admission: InboundLimiter;
  /** What one peer may cost on the request/response protocols (serve-limits.ts). */
  readonly limits = new ServeLimits();
  /** Our exchanges in flight per (peer, protocol), below libp2p's stream limit (stream-slots.ts). */
  readonly outbound = new StreamSlots();
  /** The network's counters (metrics.ts); request.ts counts exchanges here. */
  readonly metrics: P2pMetrics;

  private constructor(
    node: Libp2pLike,
    gate: MemberGate,
    pubsub: PubsubAdapter,
    admission: InboundLimiter,
    gossipGate: GossipGate,
    metrics: P2pMetrics,
  ) {
    this.#node = node;
    this.metrics = metrics;
    this.gossipGate = gossipGate;
    // Belt and braces: sweep() releases at once after a charter change; this catches any other way a
    // held peer became a member (it costs a look at the few held non-members a second).
    this.#releaseTimer = setInterval(() => gossipGate.release(), GOSSIP_RELEASE_INTERVAL_MS);
    this.#releaseTimer.unref();
    this.#gate = gate;
    this.pubsub = pubsub;
    this.admission = admission;
  }

  /** Creates and starts the host. */
  static async start(opts: HostOptions): Promise<Host> {
    const privateKey = privateKeyFromProtobuf(opts.peerKey);
    const onPeer = opts.onPeer ?? (() => {});
    const limiter = new InboundLimiter();
    const allow = (opts.allow ?? []).filter((a) => ipOf(a) !== undefined);
    for (const a of allow) limiter.allowAddress(a);
    let scores = (): Record<string, number> => ({});
    const metrics = new P2pMetrics(opts.registry, () => scores());
    let late: Libp2pLike | undefined;
    const onFrameError = (peerId: string, error: GovfedError) => {
      metrics.gossipRefused('rpc', error.code, 'reject');
      onPeer({ type: 'gossip-refused', peerId, error });
      void late?.hangUp(peerIdFromString(peerId)).catch(() => {});
    };
    const kindOf = new Map(GOSSIP_KINDS.map((k) => [topicFor(opts.federationId, k), k]));
    const gossipGate = new GossipGate(
      (p) => opts.gate.isMember(p),
      (_peer, topics) => {
        for (const t of topics) metrics.gossipRefused(kindOf.get(t) ?? 'unknown', 'ERR_UNKNOWN_SIGNER', 'unheard');
      },
    );
    const gater = opts.gate.connectionGater((peerId) => onPeer({ type: 'refused', peerId }));
    let created: unknown;
    try {
      created = await createLibp2p({
        privateKey: privateKey as never,
        logger: quietLogger(), // the library's own whenever DEBUG names a component (logger.ts)
        addresses: { listen: [...opts.listen] },
        transports: [tcp({ backlog: LISTEN_BACKLOG })],
        connectionEncrypters: [coalescingWrites(noise({ crypto: noiseCrypto }))],
        streamMuxers: [yamux()],
        connectionGater: {
          ...gater,
          // before the handshake: by source address (admission.ts)
          denyInboundConnection: async (conn: InboundConn) => {
            if (limiter.begin(conn)) return false;
            metrics.inboundRefused('per-source-limit');
            return true;
          },
          // after it: by peer id (the gate); a member's address becomes known
          denyInboundEncryptedConnection: async (peer: { toString(): string }, conn: InboundConn) => {
            limiter.done(conn);
            const denied = await gater.denyInboundEncryptedConnection(peer);
            if (!denied && opts.gate.isMember(peer.toString())) limiter.allowAddress(conn.remoteAddr.toString());
            return denied;
          },
        } as never,
        connectionManager: {
          maxConnections: 512,
          maxIncomingPendingConnections: MAX_PENDING_UPGRADES,
          inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS,
          inboundConnectionThreshold: INBOUND_RATE_PER_SECOND,
          allow: [...new Set(allow.map((a) => ipOf(a) as string))].map((ip) =>
            ip.includes(':') ? `/ip6/${ip}` : `/ip4/${ip}`,
          ),
        },
        connectionMonitor: { pingInterval: PING_INTERVAL_MS, pingTimeout: { minTimeout: PING_MIN_TIMEOUT_MS } },
        services: {
          identify: identify(),
          pubsub: pubsubService(opts.federationId, GOSSIP_KINDS, onFrameError, gossipGate) as never,
        },
      });
    } catch (err) {
      throw listenError(err, opts.listen);
    }
    const node = created as unknown as Libp2pLike;
    late = node;
    const pubsub = new PubsubAdapter(
      node.services.pubsub,
      opts.federationId,
      (kind, verdict) =>
        metrics.gossipRefused(kind, isGovfedError(verdict.error) ? verdict.error.code : 'unspecified', verdict.result),
      (kind, direction) => metrics.gossip(kind, direction),
    );
    scores = () => pubsub.scores();
    const host = new Host(node, opts.gate, pubsub, limiter, gossipGate, metrics);
    node.addEventListener('connection:open', (evt) => {
      const conn = evt.detail as {
        remotePeer: { toString(): string };
        remoteAddr: { toString(): string };
        close(): Promise<void>;
      };
      const peerId = conn.remotePeer.toString();
      if (!opts.gate.admits(peerId)) {
        onPeer({ type: 'refused', peerId });
        void conn.close().catch(() => {});
      } else if (opts.gate.isMember(peerId)) {
        limiter.allowAddress(conn.remoteAddr.toString());
      }
    });
    node.addEventListener('peer:connect', (evt) => onPeer({ type: 'connected', peerId: String(evt.detail) }));
    node.addEventListener('peer:disconnect', (evt) => onPeer({ type: 'disconnected', peerId: String(evt.detail) }));
    node.addEventListener('peer:identify', (evt) => {
      const d = evt.detail as { peerId: { toString(): string }; listenAddrs?: { toString(): string }[] };
      onPeer({ type: 'identified', peerId: d.peerId.toString(), addrs: (d.listenAddrs ?? []).map(String) });
    });
    try {
      await node.start();
    } catch (err) {
      throw listenError(err, opts.listen);
    }
    return host;
  }

  get peerId(): string {
    return this.#node.peerId.toString();
  }

  /** Our listen addresses, each ending in /p2p/<our peer id>. */
  addresses(): string[] {
    const me = this.peerId;
    return this.#node.getMultiaddrs().map((a) => {
      const s = a.toString();
      return s.includes('/p2p/') ? s : `${s}/p2p/${me}`;
    });
  }

  /** Peer ids with an open connection. */
  connectedPeers(): string[] {
    return [...new Set(this.#node.getConnections().map((c) => c.remotePeer.toString()))];
  }

  /** Closes every connection to `peerId` (one that outlived a partition may be dead while it looks open). */
  async closePeer(peerId: string): Promise<void> {
    for (const c of this.#node.getConnections()) {
      if (c.remotePeer.toString() === peerId) await c.close().catch(() => {});
    }
  }

  /**
   * Whether the open connections to `peerId` are alive: a stream opened on one within `timeoutMs`
   * (the peer answered the multistream-select — 'protocol unsupported' is an answer, as for libp2p's
   * connection monitor). False when there is no connection or none answered in time: then it is dead
   * (a connection that outlived a partition), not merely slow.
   */
  async isAlive(peerId: string, timeoutMs: number): Promise<boolean> {
    const conns = this.#node.getConnections().filter((c) => c.remotePeer.toString() === peerId);
    const probes = conns.map(async (c) => {
      try {
        const stream = await c.newStream(PING_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs) });
        stream.abort(new Error('liveness probe done'));
        return true;
      } catch (err) {
        if ((err as Error | null)?.name === 'UnsupportedProtocolError') return true;
        throw err;
      }
    });
    return probes.length > 0 && (await Promise.any(probes).catch(() => false));
  }

  /** Dials a multiaddr ending in /p2p/<peer id>; resolves with that peer id. */
  async dial(addr: string, timeoutMs = 5000): Promise<string> {
    const conn = await this.#node.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
    return conn.remotePeer.toString();
  }

  /**
   * After a change of members: closes every connection whose peer the gate no longer allows, and lets
   * gossipsub reach the peers that became members (gossip-gate.ts).
   */
  async sweep(): Promise<string[]> {
    this.gossipGate.release();
    const closed: string[] = [];
    for (const c of this.#node.getConnections()) {
      const p = c.remotePeer.toString();
      if (!this.#gate.admits(p)) {
        closed.push(p);
        await c.close().catch(() => {});
      }
    }
    return closed;
  }

  /** Registers a protocol handler (at most `maxStreams` concurrent inbound streams per connection). */
  async handle(protocol: string, handler: StreamHandler, maxStreams = 8): Promise<void> {
    await this.#node.handle(protocol, ({ stream, connection }) => handler(stream, connection.remotePeer.toString()), {
      maxInboundStreams: maxStreams,
      maxOutboundStreams: maxStreams,
    });
  }

  /** Opens a stream to a connected (or dialable) peer. */
  async openStream(peerId: string, protocol: string, timeoutMs = 5000): Promise<RawStream> {
    return await withDeadline(timeoutMs, (signal) =>
      this.#node.dialProtocol(peerIdFromString(peerId), protocol, { signal }),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.#releaseTimer);
    this.pubsub.stop();
    await this.#node.stop();
  }
}
