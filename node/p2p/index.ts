/**
 * node/p2p — the network under the federation: a libp2p host (TCP, Noise, yamux, identify, gossipsub)
 * keyed by the node's peer key, a member-only gate, one pubsub adapter, and the sync transport.
 *
 *   host.ts    Host.start({peerKey, listen, federationId, gate}) — the only libp2p wiring
 *   logger.ts  quietLogger — libp2p's component loggers: the library's when DEBUG names one, else silent
 *   gate.ts    MemberGate — members of the current charter, plus short join windows for invitees
 *   admission.ts InboundLimiter — before the handshake: per-source pending cap, known member addresses
 *   metrics.ts P2pMetrics — refused gossip / connections by reason, gossipsub peer scores
 *   pubsub.ts  PubsubAdapter — publish(kind, bytes), subscribe(kind, handler), validate(kind, fn);
 *              the only file importing gossipsub (so it can be swapped for libp2p 3's)
 *   sync.ts    SyncTransport — `/govfed/sync/1.0.0`, one length-prefixed request and response per stream
 *
 * Nothing here decides what is valid: node/federation gives the gate its membership test, the pubsub
 * adapter its validators (protocol/federation's decodeAndVerifyGossip) and the sync transport its handler.
 */
export { INBOUND_UPGRADE_TIMEOUT_MS, InboundLimiter, MAX_PENDING_PER_SOURCE } from './admission.ts';
export { MAX_JOIN_WINDOW_MS, MemberGate } from './gate.ts';
export { GossipGate } from './gossip-gate.ts';
export { Host, type HostOptions, type PeerEvent } from './host.ts';
export {
  type GossipVerdict,
  INVALID_MESSAGE_WEIGHT,
  MAX_GOSSIP_FRAME_BYTES,
  PubsubAdapter,
  verdictOf,
} from './pubsub.ts';
export { SYNC_TIMEOUT_MS, type SyncHandler, SyncTransport } from './sync.ts';
