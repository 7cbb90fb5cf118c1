/**
 * The pubsub adapter: the only file that knows gossipsub (@chainsafe/libp2p-gossipsub 14, libp2p 2.x).
 * Swapping the pubsub implementation (libp2p 3 needs another gossipsub package) means rewriting this
 * file only; the federation sees `publish(kind, bytes)`, `subscribe(kind, handler)` and a validator.
 *
 * Settings, and why:
 *   - StrictNoSign: gossipsub's own signatures and sequence numbers are off — every payload is already a
 *     DSSE envelope signed by the sender's peer key (protocol/federation/gossip.ts), checked by every
 *     receiver. The message id is SHA-256 of the bytes (gossipMessageId, on OpenSSL: messageId), which have one form each.
 *   - oversized gossip is refused, never lost: the RPC frame bound (maxInboundDataLength) is
 *     MAX_GOSSIP_FRAME_BYTES (4 MiB), well above a message's MAX_GOSSIP_BYTES (1 MiB), so a message
 *     between the two reaches the validator and is rejected with ERR_MESSAGE_TOO_LARGE (counted, the
 *     sender penalised) while the stream carries on. A frame above the bound cannot be read: gossipsub
 *     would drop the peer from its router while the connection stays up (every later message from it
 *     lost, silently). Instead `onFrameError` hears it (ERR_MESSAGE_TOO_LARGE, kind `rpc`), the sender
 *     gets a behaviour penalty, and the host hangs up, so that both sides rebuild their streams on the
 *     next connection. (This hooks gossipsub's `handlePeerReadStreamError`; startup fails loudly if an
 *     upgrade removes it.)
 *   - one topic validator per kind: it returns what `validate` says — `accept`, or a GossipValidationError
 *     whose `action` (reject | ignore) becomes TopicValidatorResult Reject | Ignore. Any other exception
 *     is a Reject (the message made our checks throw).
 *   - members only (gossip-gate.ts): nothing is sent to a connected non-member (a join-window peer) and
 *     nothing it sends is read; its subscriptions are handed to gossipsub when it becomes a member.
 *   - mesh degrees (MESH_DEGREES): lower than gossipsub's defaults, and IHAVE gossip to a fixed number of
 *     peers — every member hears every message from its publisher already; the mesh is redundancy.
 *   - peer scoring: P4 (invalid message deliveries) is weighted -100 per topic, squared and slowly
 *     decaying, so a peer that forwards a few invalid messages drops below the graylist threshold and is
 *     ignored, then pruned. P3 (mesh delivery rate) is off: federation topics are quiet by design.
 */
import { createHash } from 'node:crypto';
import { gossipsub } from '@chainsafe/libp2p-gossipsub';
import {
  createPeerScoreParams,
  createPeerScoreThresholds,
  createTopicScoreParams,
} from '@chainsafe/libp2p-gossipsub/score';
import { GovfedError } from '../../protocol/errors.ts';
import { isGossipValidationError } from '../../protocol/federation/errors.ts';
import { MAX_GOSSIP_BYTES } from '../../protocol/federation/gossip.ts';
import { topicFor } from '../../protocol/federation/topics.ts';
import type { GossipGate } from './gossip-gate.ts';

/** What a validator decides; `reject`/`ignore` carry the error that said so (for logs and metrics). */
export type GossipVerdict = { result: 'accept' } | { result: 'reject' | 'ignore'; error: unknown };

/** Validates one message (attacker-controlled `data`) from `from` (the forwarding peer id). */
export type Validator = (data: Uint8Array, from: string) => GossipVerdict;

export type MessageHandler = (data: Uint8Array, from: string) => void;

/**
 * Mesh degrees for a federation, whose members are all connected to each other and publish to all of
 * them (floodPublish): the mesh only forwards copies that every member already had from the publisher,
 * so its degree is redundancy (a link down, a partition healing), not reach. Gossipsub's defaults (D = 6,
 * up to 12; IHAVE gossip to max(6, 25 % of the other peers) per topic each second) make every message
 * cost N × 6 duplicate deliveries and the IHAVE gossip grow as N² (issue 17: the idle cost of N = 50 on
 * two cores). Here: D = 4 (3..6), IHAVE to 3 peers per topic per heartbeat, whatever N. IDONTWANT
 * (gossipsub 1.2: on receipt, tell each mesh peer not to forward) only for messages of 16 KiB and more:
 * a small message (a freshness statement, a checkpoint) costs a frame either way, and the mesh peers
 * forward theirs before the IDONTWANT arrives, so for those it only doubled the frames.
 */
export const MESH_DEGREES = {
  D: 4,
  Dlo: 3,
  Dhi: 6,
  Dscore: 2,
  Dout: 1,
  Dlazy: 3,
  gossipFactor: 0,
  idontwantMinDataSize: 16 * 1024,
} as const;

/** Weight of P4 (invalid messages): -100 × (count²). */
export const INVALID_MESSAGE_WEIGHT = -100;
/** Weight of P7 (behaviour penalties: an unreadable frame): -100 × (count²). */
export const BEHAVIOUR_PENALTY_WEIGHT = -100;
/** Largest gossipsub RPC frame read (a message is at most MAX_GOSSIP_BYTES; the rest is headroom). */
export const MAX_GOSSIP_FRAME_BYTES = 4 * MAX_GOSSIP_BYTES;

/** Hears a gossip frame that could not be read (too large, malformed varint) from `peer`. */
export type FrameErrorSink = (peer: string, err: GovfedError) => void;

/**
 * protocol/'s gossipMessageId — SHA-256 of the wire bytes — on OpenSSL: the same 32 bytes (a test
 * compares them), computed for every message received, copies included, before anything else (on
 * @noble/hashes it was ~2 % of a federation's CPU in the charter bench at N = 20; issue 17).
 */
export function messageId(data: Uint8Array): Uint8Array {
  return createHash('sha256').update(data).digest();
}

/** Hears every refused message: its kind, the verdict and the forwarding peer. */
export type VerdictSink = (kind: string, verdict: Exclude<GossipVerdict, { result: 'accept' }>, from: string) => void;
/** Hears every message published, and every one that reaches a validator (counted in metrics.ts). */
export type TrafficSink = (kind: string, direction: 'published' | 'validated') => void;

/** Maps a thrown error to a verdict: a GossipValidationError keeps its action, anything else rejects. */
export function verdictOf(err: unknown): GossipVerdict {
  if (isGossipValidationError(err)) return { result: err.action, error: err };
  return { result: 'reject', error: err };
}

/** The gossipsub service factory for createLibp2p's `services.pubsub`. */
export function pubsubService(
  federationId: string,
  kinds: readonly string[],
  onFrameError: FrameErrorSink = () => {},
  gate?: GossipGate,
) {
  const topics: Record<string, ReturnType<typeof createTopicScoreParams>> = {};
  for (const kind of kinds) {
    topics[topicFor(federationId, kind)] = createTopicScoreParams({
      topicWeight: 1,
      timeInMeshWeight: 0,
      firstMessageDeliveriesWeight: 0,
      meshMessageDeliveriesWeight: 0,
      meshFailurePenaltyWeight: 0,
      invalidMessageDeliveriesWeight: INVALID_MESSAGE_WEIGHT,
      invalidMessageDeliveriesDecay: 0.99,
    });
  }
  const factory = gossipsub({
    globalSignaturePolicy: 'StrictNoSign',
    allowPublishToZeroTopicPeers: true,
    emitSelf: false,
    fallbackToFloodsub: false,
    floodPublish: true,
    ...MESH_DEGREES,
    maxInboundDataLength: MAX_GOSSIP_FRAME_BYTES,
    msgIdFn: (msg) => messageId(msg.data),
    scoreParams: createPeerScoreParams({
      topics,
      IPColocationFactorWeight: 0,
      behaviourPenaltyWeight: BEHAVIOUR_PENALTY_WEIGHT,
      behaviourPenaltyThreshold: 0,
      behaviourPenaltyDecay: 0.99,
    }),
    scoreThresholds: createPeerScoreThresholds({
      gossipThreshold: -100,
      publishThreshold: -200,
      graylistThreshold: -300,
    }),
  });
  return (components: Parameters<typeof factory>[0]) => {
    const gs = factory(components);
    return guardReadErrors(gate === undefined ? gs : gate.install(gs), onFrameError);
  };
}

/**
 * The typed reason for a read-stream failure that is the sender's fault — a length prefix above the
 * frame bound or a malformed one — or undefined for anything else (a reset, a closed connection: an
 * honest peer restarting must not be penalised).
 */
export function frameError(err: unknown): GovfedError | undefined {
  const name = (err as { name?: string } | null)?.name ?? '';
  const text = `${name}: ${String((err as Error | null)?.message ?? err)}`;
  if (name === 'InvalidDataLengthError') {
    return new GovfedError('ERR_MESSAGE_TOO_LARGE', `gossip: unreadable frame (${text})`, { cause: err });
  }
  if (name === 'InvalidDataLengthLengthError' || name === 'InvalidMessageLengthError') {
    return new GovfedError('ERR_MALFORMED_GOSSIP', `gossip: unreadable frame (${text})`, { cause: err });
  }
  return undefined;
}

/** Routes gossipsub's read-stream failures that are the sender's fault to `onFrameError` (after a behaviour penalty). */
function guardReadErrors<T>(gs: T, onFrameError: FrameErrorSink): T {
  const g = gs as unknown as {
    handlePeerReadStreamError?: (err: unknown, peerId: { toString(): string }) => void;
    score?: { addPenalty?: (id: string, penalty: number, label: string) => void };
  };
  const original = g.handlePeerReadStreamError;
  if (typeof original !== 'function') {
    throw new Error('pubsub: gossipsub has no handlePeerReadStreamError (check node/p2p/pubsub.ts after an upgrade)');
  }
  g.handlePeerReadStreamError = function (this: unknown, err: unknown, peerId: { toString(): string }) {
    const typed = frameError(err);
    if (typed !== undefined) {
      const peer = peerId.toString();
      g.score?.addPenalty?.(peer, 1, 'unreadable-frame');
      try {
        onFrameError(peer, typed);
      } catch {
        // the sink's failure must not stop gossipsub's own clean-up
      }
    }
    original.call(this, err, peerId);
  };
  return gs;
}

/** The part of the gossipsub service this adapter uses (typed loosely: libp2p 2 vs 3 interface types). */
interface GossipsubLike {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  topicValidators: Map<string, (peer: { toString(): string }, msg: { data: Uint8Array }) => string>;
  addEventListener(type: 'message', fn: (evt: CustomEvent) => void): void;
  removeEventListener(type: 'message', fn: (evt: CustomEvent) => void): void;
  getSubscribers(topic: string): { toString(): string }[];
  getMeshPeers?(topic: string): string[];
  getPeers?(): { toString(): string }[];
  getScore?(peer: string): number;
}

export class PubsubAdapter {
  readonly federationId: string;
  readonly #ps: GossipsubLike;
  readonly #handlers = new Map<string, MessageHandler>();
  readonly #onMessage = (evt: CustomEvent) => {
    const m = evt.detail as { topic?: string; data?: Uint8Array; from?: { toString(): string } };
    const handler = m.topic === undefined ? undefined : this.#handlers.get(m.topic);
    if (handler !== undefined && m.data instanceof Uint8Array) handler(m.data, m.from?.toString() ?? '');
  };

  readonly #onRefused: VerdictSink;
  readonly #onTraffic: TrafficSink;

  constructor(
    service: unknown,
    federationId: string,
    onRefused: VerdictSink = () => {},
    onTraffic: TrafficSink = () => {},
  ) {
    this.#ps = service as GossipsubLike;
    this.federationId = federationId;
    this.#onRefused = onRefused;
    this.#onTraffic = onTraffic;
    this.#ps.addEventListener('message', this.#onMessage);
  }

  /** Installs the topic validator of `kind`. */
  validate(kind: string, validator: Validator): void {
    this.#ps.topicValidators.set(topicFor(this.federationId, kind), (peer, msg) => {
      this.#onTraffic(kind, 'validated');
      let verdict: GossipVerdict;
      try {
        verdict = validator(msg.data, peer.toString());
      } catch (err) {
        verdict = verdictOf(err);
      }
      if (verdict.result !== 'accept') this.#onRefused(kind, verdict, peer.toString());
      return verdict.result; // TopicValidatorResult's values are these strings
    });
  }

  /** Subscribes to `kind`; `handler` sees accepted messages only (after the validator). */
  subscribe(kind: string, handler: MessageHandler): void {
    const topic = topicFor(this.federationId, kind);
    this.#handlers.set(topic, handler);
    this.#ps.subscribe(topic);
  }

  /** Publishes `data` on `kind`'s topic. Resolves even when no peer is subscribed yet (sync catches up). */
  async publish(kind: string, data: Uint8Array): Promise<void> {
    this.#onTraffic(kind, 'published');
    try {
      await this.#ps.publish(topicFor(this.federationId, kind), data);
    } catch (err) {
      // Duplicate (already published these bytes) and no-peers are not failures for us: sync is the guarantee.
      if (!/Duplicate|NoPeers|InsufficientPeers/i.test(String((err as Error)?.message ?? err))) throw err;
    }
  }

  /** Peers subscribed to `kind`'s topic. */
  subscribers(kind: string): string[] {
    return this.#ps.getSubscribers(topicFor(this.federationId, kind)).map((p) => p.toString());
  }

  /** gossipsub's score of each peer it knows (negative: it sent invalid gossip or unreadable frames). */
  scores(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.#ps.getPeers?.() ?? []) out[p.toString()] = this.#ps.getScore?.(p.toString()) ?? 0;
    return out;
  }

  stop(): void {
    this.#ps.removeEventListener('message', this.#onMessage);
    for (const topic of this.#handlers.keys()) this.#ps.topicValidators.delete(topic);
    this.#handlers.clear();
  }
}
