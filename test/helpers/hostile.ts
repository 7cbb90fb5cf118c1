/**
 * A hostile peer for adversarial tests: a real libp2p node (TCP, Noise, yamux, identify, gossipsub —
 * the stack of node/p2p/host.ts) that obeys none of the node's rules. It plays either a compromised
 * member (started with that member's real peer key, read from its home) or an outsider (a fresh key).
 *
 *   const h = await HostileClient.start({ federationId, peerKey: await peerKeyOfHome(home) });
 *   await h.dial(addr)                         dial a daemon's listen multiaddr (…/p2p/<id>); → its peer id
 *   h.subscribe(kind)                          join a federation topic; what arrives lands in h.received
 *   await h.publishRaw(kind, bytes)            publish any bytes on a topic (no validation, no size cap)
 *   await h.gossip(kind, body, over?)          a well-formed message signed with our key (seq/sentAt/…
 *                                              overridable); h.signGossip(...) returns the bytes only
 *   await h.request(peer, protocol, bytes)     one request/response exchange (length-prefixed frames)
 *   await h.openStream(peer, protocol)         a raw stream: write any bytes (oversized prefixes, slow
 *                                              drips, nothing at all) and read what comes back
 *   h.received / h.waitForMessage(kind, pred)  gossip delivered to us, by kind
 *   h.scoreOf(peer)                            our gossipsub score of a peer (what it sees of us is on
 *                                              the daemon: GET /metrics, govfed_gossip_peer_score)
 *   h.seed                                     the Ed25519 seed of our peer key (to sign charters, …)
 *   await h.stop()
 *
 * holdSockets(port, n, {localAddress}) opens n bare TCP sockets that never speak (a handshake
 * exhaustion attacker), re-opening each one as the daemon closes it, until release().
 *
 * Nothing here is used by the node; it exists only so that tests can attack a real daemon.
 */

import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import {
  generateKeyPair as generateLibp2pKey,
  privateKeyFromProtobuf,
  privateKeyToProtobuf,
} from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { peerIdFromString } from '@libp2p/peer-id';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { lpStream } from 'it-length-prefixed-stream';
import { createLibp2p } from 'libp2p';
import { encodeGossip, type GossipMessage, gossipMessageId } from '../../protocol/federation/gossip.ts';
import { topicFor } from '../../protocol/federation/topics.ts';

/** The protobuf peer key in a daemon's home (DIR/keys/peer.key): play that member. */
export async function peerKeyOfHome(home: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path.join(home, 'keys', 'peer.key')));
}

/** A fresh Ed25519 libp2p key (protobuf): play an outsider. */
export async function freshPeerKey(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateLibp2pKey('Ed25519'));
}

export interface Received {
  kind: string;
  data: Uint8Array;
  /** The forwarding peer. */
  from: string;
}

/** A raw libp2p stream (libp2p 2.x duplex), kept loose. */
export interface RawStream {
  sink(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>;
  source: AsyncIterable<{ subarray(): Uint8Array }>;
  close(): Promise<void>;
  abort(err: Error): void;
  status?: string;
}

interface Libp2pLike {
  peerId: { toString(): string };
  services: { pubsub: GossipsubLike };
  stop(): Promise<void>;
  dial(addr: unknown, o?: { signal?: AbortSignal }): Promise<{ remotePeer: { toString(): string } }>;
  dialProtocol(peer: unknown, protocol: string, o?: { signal?: AbortSignal }): Promise<RawStream>;
  getConnections(peer?: unknown): { remotePeer: { toString(): string }; status: string }[];
  hangUp(peer: unknown): Promise<void>;
}

interface GossipsubLike {
  subscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  getSubscribers(topic: string): { toString(): string }[];
  getMeshPeers(topic: string): string[];
  getScore(peer: string): number;
  addEventListener(type: 'gossipsub:message', fn: (evt: CustomEvent) => void): void;
}

export interface HostileOptions {
  federationId: string;
  /** Protobuf libp2p key (peerKeyOfHome / freshPeerKey). Default: a fresh key. */
  peerKey?: Uint8Array;
  /** Largest gossip frame we accept ourselves (default 64 MiB: we want to see everything). */
  maxInboundBytes?: number;
}

export class HostileClient {
  readonly node: Libp2pLike;
  readonly federationId: string;
  /** Ed25519 seed of our peer key. */
  readonly seed: Uint8Array;
  readonly received: Received[] = [];
  #seq = 0;

  private constructor(node: Libp2pLike, federationId: string, seed: Uint8Array) {
    this.node = node;
    this.federationId = federationId;
    this.seed = seed;
    const kindOf = new Map<string, string>();
    this.#kindOf = kindOf;
    node.services.pubsub.addEventListener('gossipsub:message', (evt) => {
      const d = evt.detail as { propagationSource: { toString(): string }; msg: { topic: string; data: Uint8Array } };
      const m = d.msg;
      this.received.push({ kind: kindOf.get(m.topic) ?? m.topic, data: m.data, from: d.propagationSource.toString() });
    });
  }

  readonly #kindOf: Map<string, string>;

  static async start(opts: HostileOptions): Promise<HostileClient> {
    const keyBytes = opts.peerKey ?? (await freshPeerKey());
    const privateKey = privateKeyFromProtobuf(keyBytes);
    const node = (await createLibp2p({
      privateKey: privateKey as never,
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        pubsub: gossipsub({
          globalSignaturePolicy: 'StrictNoSign',
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          fallbackToFloodsub: false,
          floodPublish: true,
          maxInboundDataLength: opts.maxInboundBytes ?? 64 << 20,
          msgIdFn: (msg) => gossipMessageId(msg.data),
        }) as never,
      },
    })) as unknown as Libp2pLike;
    return new HostileClient(node, opts.federationId, privateKey.raw.slice(0, 32));
  }

  get peerId(): string {
    return this.node.peerId.toString();
  }

  /** Dials a daemon's multiaddr (…/p2p/<peer id>); resolves with its peer id. */
  async dial(addr: string, timeoutMs = 5000): Promise<string> {
    const conn = await this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
    return conn.remotePeer.toString();
  }

  /** True while we hold an open connection to `peer`. */
  connected(peer: string): boolean {
    return this.node.getConnections(peerIdFromString(peer)).some((c) => c.status === 'open');
  }

  subscribe(kind: string): void {
    const topic = topicFor(this.federationId, kind);
    this.#kindOf.set(topic, kind);
    this.node.services.pubsub.subscribe(topic);
  }

  /** Publishes any bytes on `kind`'s topic (errors such as no-peers are returned, not thrown). */
  async publishRaw(kind: string, data: Uint8Array): Promise<unknown> {
    try {
      return await this.node.services.pubsub.publish(topicFor(this.federationId, kind), data);
    } catch (err) {
      return err;
    }
  }

  /** The wire bytes of a gossip message from us (well-formed, signed by our key), fields overridable. */
  signGossip(kind: string, body: Record<string, unknown>, over: Partial<GossipMessage> = {}): Uint8Array {
    const msg: GossipMessage = {
      type: kind,
      federationId: this.federationId,
      charterVersion: 1,
      sender: this.peerId,
      seq: this.#seq++,
      sentAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      body,
      ...over,
    };
    return encodeGossip(msg, this.seed, Number.MAX_SAFE_INTEGER);
  }

  /** Signs and publishes a gossip message (see signGossip); returns its bytes. */
  async gossip(kind: string, body: Record<string, unknown>, over: Partial<GossipMessage> = {}): Promise<Uint8Array> {
    const bytes = this.signGossip(kind, body, over);
    await this.publishRaw(kind, bytes);
    return bytes;
  }

  /** Peers that subscribed to `kind` (as we see them). */
  subscribers(kind: string): string[] {
    return this.node.services.pubsub.getSubscribers(topicFor(this.federationId, kind)).map(String);
  }

  /** Our gossipsub score of `peer`. */
  scoreOf(peer: string): number {
    return this.node.services.pubsub.getScore(peer);
  }

  /** Waits for a delivered gossip message of `kind` matching `pred`; throws after `timeoutMs`. */
  async waitForMessage(kind: string, pred: (r: Received) => boolean = () => true, timeoutMs = 10_000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => r.kind === kind && pred(r));
      if (hit !== undefined) return hit;
      if (Date.now() > end) throw new Error(`hostile: no ${kind} message within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Opens a raw stream on `protocol` to `peer` (dialled or connected). */
  async openStream(peer: string, protocol: string, timeoutMs = 5000): Promise<RawStream> {
    return await this.node.dialProtocol(peerIdFromString(peer), protocol, { signal: AbortSignal.timeout(timeoutMs) });
  }

  /**
   * One request/response exchange: writes `req` as one length-prefixed frame, reads one frame back
   * (at most `maxBytes`). Throws when the peer resets the stream or nothing comes within `timeoutMs`.
   */
  async request(
    peer: string,
    protocol: string,
    req: Uint8Array,
    opts: { maxBytes?: number; timeoutMs?: number } = {},
  ): Promise<Uint8Array> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const stream = await this.openStream(peer, protocol, timeoutMs);
    const lp = lpStream(stream as never, { maxDataLength: opts.maxBytes ?? 64 << 20 });
    try {
      await lp.write(req, { signal: AbortSignal.timeout(timeoutMs) });
      const frame = await lp.read({ signal: AbortSignal.timeout(timeoutMs) });
      await stream.close().catch(() => {});
      return frame.subarray();
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  /**
   * Writes raw `chunks` on a new stream (e.g. a varint prefix promising 64 MiB, then a trickle),
   * waiting `delayMs` between chunks, then reads until the peer ends or resets the stream or
   * `timeoutMs` passes. Resolves with what came back and how the stream ended.
   */
  async rawExchange(
    peer: string,
    protocol: string,
    chunks: readonly Uint8Array[],
    opts: { delayMs?: number; timeoutMs?: number } = {},
  ): Promise<{ bytes: number; ended: 'closed' | 'reset' | 'timeout'; ms: number }> {
    const t0 = Date.now();
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const stream = await this.openStream(peer, protocol, timeoutMs);
    const delay = opts.delayMs ?? 0;
    const sink = stream
      .sink(
        (async function* () {
          for (const c of chunks) {
            yield c;
            if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          }
          // keep our side open: a slow peer never says it is done
          await new Promise((r) => setTimeout(r, timeoutMs));
        })(),
      )
      .catch(() => {});
    let bytes = 0;
    const read = (async (): Promise<'closed' | 'reset'> => {
      try {
        for await (const b of stream.source) bytes += b.subarray().length;
        return 'closed';
      } catch {
        return 'reset';
      }
    })();
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const ended = await Promise.race([read, timer]);
    stream.abort(new Error('hostile: done'));
    void sink;
    return { bytes, ended, ms: Date.now() - t0 };
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}

/** An unsigned varint (the length prefix of it-length-prefixed). */
export function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

export interface HeldSockets {
  /** Sockets opened so far (including re-opened ones). */
  readonly opened: () => number;
  /** Currently open. */
  readonly open: () => number;
  release(): void;
}

/**
 * Holds `n` bare TCP sockets to 127.0.0.1:`port` that never send a byte; each one the daemon closes is
 * re-opened after `refillMs`. `localAddress` picks the source address (e.g. 127.0.0.2: another host).
 */
export function holdSockets(
  port: number,
  n: number,
  opts: { localAddress?: string; host?: string; refillMs?: number } = {},
): HeldSockets {
  const live = new Set<Socket>();
  let opened = 0;
  let released = false;
  const one = () => {
    if (released) return;
    const s = connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.localAddress });
    opened += 1;
    live.add(s);
    s.on('error', () => {});
    s.on('close', () => {
      live.delete(s);
      if (!released) setTimeout(one, opts.refillMs ?? 50).unref();
    });
  };
  for (let i = 0; i < n; i++) one();
  return {
    opened: () => opened,
    open: () => [...live].filter((s) => !s.connecting && !s.destroyed).length,
    release() {
      released = true;
      for (const s of live) s.destroy();
      live.clear();
    },
  };
}

/** The TCP port of a multiaddr such as /ip4/127.0.0.1/tcp/4001/p2p/… */
export function tcpPort(addr: string): number {
  const m = /\/tcp\/(\d+)/.exec(addr);
  if (m === null) throw new Error(`no tcp port in ${addr}`);
  return Number(m[1]);
}
