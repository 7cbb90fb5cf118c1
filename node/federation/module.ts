/**
 * Federation modules: services that ride on the federation's network and trust — policy baselines
 * (node/policy), log witnessing (node/witness). The FederationService owns libp2p, the charter and the
 * gossip envelope checks; a module owns the objects of its gossip kinds and its request protocols.
 *
 * Inbound gossip on a module's kind is first checked by the service (decodeAndVerifyGossip: a current
 * member signed it with its peer key, right federation, kind, clock skew); the module's handler then
 * judges the body (attacker-controlled: the sender is a member, not necessarily honest) and returns a
 * verdict synchronously, doing storage work afterwards in order. A module's request protocols are open
 * to members only (the gate), one request frame and one response frame each, both bounded.
 */
import type { Charter, CharterChain, Envelope, GossipMessage, Head, Member } from '../../protocol/federation/index.ts';
import type { EventSink } from '../events.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';

export type { Charter };

export interface ModuleProtocol {
  /** Largest request and response frame. */
  maxBytes: number;
  /** Answers one request (attacker-controlled `req`) from the member `from`. */
  handle(req: Uint8Array, from: string): Promise<Uint8Array>;
}

export interface FederationModule {
  readonly name: string;
  /** Gossip kinds it owns (each must be in GOSSIP_KINDS), with their synchronous validators. */
  readonly gossip?: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  /** libp2p request/response protocols it serves. */
  readonly protocols?: Readonly<Record<string, ModuleProtocol>>;
  /**
   * True when its gossip handlers judge bodies from a sender with a newer charter themselves (the
   * charter's do); otherwise such a Reject is turned into an Ignore (the body may name members we do
   * not know yet).
   */
  readonly judgesNewer?: boolean;
  /** Called once by FederationService.use(). */
  attach(ctx: FederationContext): void;
  /** After the network starts (the chain is loaded) and after every newly accepted charter version. */
  onCharter?(chain: CharterChain): void;
  /** A member connected. */
  onPeerConnected?(peer: string): void;
  /** Every sync round, with the connected members chosen for it. */
  onSyncRound?(peers: readonly string[]): Promise<void>;
  /**
   * What its sync round exchanges, summed up per kind for the federation's hello (heads.ts): a head must
   * change whenever anything the round would take from a peer or give it changes. A round may skip a
   * peer whose head (FederationContext.peerHead) shows there is nothing to exchange.
   */
  syncHeads?(): Record<string, Head>;
  /** Extra fields for one member in the federation status (GET /v1/federation members[]). */
  memberStatus?(member: Member): Record<string, unknown>;
  /** Extra object in the federation status, under the module's name. */
  status?(): Record<string, unknown>;
}

export interface FederationContext {
  readonly peerId: string;
  /** The current charter chain, when federated. */
  chain(): CharterChain | undefined;
  /** Signs (peer key) and publishes one gossip message of `kind`; a no-op when not federated. */
  publish(kind: string, body: Record<string, unknown>): Promise<void>;
  /** One request/response exchange on `protocol` with `peer` (dialled if needed). */
  request(peer: string, protocol: string, bytes: Uint8Array, maxBytes: number, timeoutMs?: number): Promise<Uint8Array>;
  /**
   * Asks for a sync round with `peer` soon: this node learnt it is behind that member (as a gap does).
   * With `version` (the charter version the member holds), the round is skipped if this node holds that
   * version by the time it is due (it came by gossip meanwhile). Optional so that test doubles of the
   * context need not provide it.
   */
  pullSoon?(peer: string, version?: number): void;
  /** Connected peers that are current members. */
  connectedMembers(): string[];
  /**
   * `peer`'s head of `kind` from a hello heard in the current sync round (heads.ts), if any. Optional so
   * that test doubles of the context need not provide it.
   */
  peerHead?(peer: string, kind: string): Head | undefined;
  /** A DSSE envelope over `payload`, signed by this node's peer key (keyid = its peer id). */
  signAsPeer(payloadType: string, payload: Uint8Array): Envelope;
  /** Counts and logs a rejected message (status().rejected, event `federation:rejected`). */
  reject(via: string, kind: string, peer: string, err: unknown, action: string): void;
  readonly events: EventSink;
}
