/**
 * The state every part of the federation service shares — the pinned charter chain, pending charter
 * proposals, known member addresses, the running network — and the small acts they all use: noting
 * that a peer was heard, counting a rejection, persisting, appending an audit leaf, publishing gossip.
 * The parts, one job each: charter-module.ts (the charter on the generic replicated chain: proposing,
 * co-signing, accepting, its gossip), sync.ts (the /govfed/sync protocol: the chain's anti-entropy and
 * address books), network.ts (libp2p, the one gossip validation path), and service.ts (the operations
 * and status the API calls).
 */
import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import {
  type Charter,
  type CharterChain,
  type Envelope,
  encodeGossip,
  envelopeBody,
  type Head,
  MAX_BOOTSTRAP_ADDRS,
  type Member,
  type PeerKey,
  peerKey,
  signAsPeer,
} from '../../protocol/federation/index.ts';
import { errorText, Rejections } from '../chain/index.ts';
import { opensslSign } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { LoadedHome } from '../home/load.ts';
import type { AuditLog } from '../log/index.ts';
import { MemberGate } from '../p2p/gate.ts';
import type { Host } from '../p2p/host.ts';
import type { SyncTransport } from '../p2p/sync.ts';
import { type FederationEventKind, federationAuditItem } from './audit.ts';
import { Departures } from './departures.ts';
import { DialBackoff } from './dial-backoff.ts';
import { PeerHeads } from './heads.ts';
import { MemberRequests } from './member-request.ts';
import type { FederationContext, FederationModule } from './module.ts';
import type { FederationStore, StoredProposal } from './store.ts';

export interface Network {
  host: Host;
  sync: SyncTransport;
  timer: NodeJS.Timeout;
}

export interface FederationCoreOptions {
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now: () => Date;
  syncIntervalMs: number;
  registry: Registry | undefined;
  store: FederationStore;
  seed: Uint8Array;
  /**
   * Who may hold a connection (node/p2p/gate.ts). Default: the members of our chain, the bootstrap
   * peers of a join, and — only to learn that — the peers the chain removed (departures.ts).
   */
  gate?: MemberGate;
  /** The Ed25519 verifier of every signature this service checks (node/crypto's opensslVerify). */
  verify: Ed25519Verify;
}

export class FederationCore {
  readonly home: FederationCoreOptions['home'];
  readonly log: FederationCoreOptions['log'];
  readonly events: EventSink;
  readonly now: () => Date;
  readonly syncIntervalMs: number;
  readonly registry: Registry | undefined;
  /** Requests to members, with one reconnection after a timeout on a dead connection (member-request.ts). */
  readonly #requests = new MemberRequests(this);
  readonly store: FederationStore;
  readonly seed: Uint8Array;
  /** The peer key that signs our gossip and statements: its peer id derived once, signing on OpenSSL. */
  readonly key: PeerKey;
  readonly gate: MemberGate;
  readonly verify: Ed25519Verify;
  readonly rejections = new Rejections();
  readonly modules: FederationModule[] = [];
  /** The service's own parts that follow the charter like modules do (rotation.ts), without being modules. */
  readonly charterHooks: Array<(chain: CharterChain) => void> = [];
  /** Peers the chain removed: admitted only to learn their removal (departures.ts, sync.ts). */
  readonly departures: Departures;
  /** Dials of members: one at a time per peer, backed off after failures (dial-backoff.ts). */
  readonly dials = new DialBackoff();
  readonly lastSeen = new Map<string, number>();
  /** The modules' heads each peer sent in its hello (heads.ts). */
  readonly peerHeads = new PeerHeads();
  chain: CharterChain | undefined;
  addresses: Record<string, string[]> = {};
  net: Network | undefined;
  seq = 0;
  lastSync: Date | undefined;
  stopped = false;
  bootstrap: string[] = [];
  /**
   * Set by the sync part: a sync round with `peer` soon (a gap, a newer hello, a new connection); with
   * `version` (a charter version the peer holds), skipped if this node holds it by then.
   */
  pullSoon: (peer: string, version?: number) => void = () => {};
  /** Set by the service: the pending charter changes (the charter module's chain holds them). */
  pendingProposals: () => readonly StoredProposal[] = () => [];
  /** Set by the service: this node is not in the charter's version `version` (it left or was removed). */
  departed: (version: number) => Promise<void> = async () => {};
  /**
   * Set by the service: `charter` no longer lists our peer id because it seats our org under the peer
   * key we rotated to (rotation.ts) — a promotion, not a departure.
   */
  rotatedAway: (charter: Charter) => boolean = () => false;
  /** Set by the service: the signed withdrawals this node believes (the charter module's book). */
  withdrawals: () => Envelope[] = () => [];

  constructor(o: FederationCoreOptions) {
    this.home = o.home;
    this.log = o.log;
    this.events = o.events;
    this.now = o.now;
    this.syncIntervalMs = o.syncIntervalMs;
    this.registry = o.registry;
    this.store = o.store;
    this.seed = o.seed;
    this.key = peerKey(o.seed, { sign: opensslSign });
    this.departures = new Departures(() => this.now().getTime());
    this.gate =
      o.gate ??
      new MemberGate({
        isMember: (p) => this.chain?.isMember(p) === true || this.bootstrap.includes(p),
        departed: (p) => this.departures.versionFor(p) !== undefined,
        now: () => this.now().getTime(),
      });
    this.charterHooks.push((chain) => this.departures.update(chain));
    this.verify = o.verify;
  }

  get peerId(): string {
    return this.home.config.peerId;
  }

  /** The member entry for this node: its org, peer id, jurisdiction, log key and witness key. */
  selfMember(): Member {
    const c = this.home.config;
    const m: Member = { org: c.org, peerId: c.peerId, jurisdiction: c.jurisdiction, logKey: c.verifierKey };
    if (c.witnessKey !== undefined) m.witnessKey = c.witnessKey;
    return m;
  }

  seen(peer: string): void {
    this.lastSeen.set(peer, this.now().getTime());
  }

  reject(via: string, kind: string, peer: string, err: unknown, action: string): void {
    const code = this.rejections.add(err);
    if (code === undefined) return;
    this.events('federation:rejected', { via, kind, code, action, peer, message: errorText(err) });
  }

  /**
   * Dials `peer` by the addresses we know for it (identify, an invite, a member's address book) unless
   * it is connected, trying them in turn within `timeoutMs` overall (`perAddressMs` each). Resolves
   * with undefined once connected, or with the last dial failure (ERR_PEER_UNAVAILABLE when we know no
   * address of it). Noise proves the peer id, so a wrong address costs one failed dial. One dial per peer
   * at a time (dial-backoff.ts); a `background` re-dial waits out the back-off after failed dials
   * (ERR_PEER_UNAVAILABLE meanwhile) and each failure in a row doubles its per-address timeout.
   */
  async dialKnown(peer: string, timeoutMs: number, perAddressMs = timeoutMs, background = false): Promise<unknown> {
    const net = this.net;
    if (net === undefined) return new NodeError('ERR_NO_FEDERATION', 'the federation network is not running');
    if (net.host.connectedPeers().includes(peer)) return undefined;
    if ((this.addresses[peer]?.length ?? 0) === 0) {
      return new NodeError('ERR_PEER_UNAVAILABLE', `no known address of ${peer}`);
    }
    return await this.dials.dial(peer, { timeoutMs, perAddressMs, background }, async (total, each) => {
      let failure: unknown;
      const end = Date.now() + total;
      for (const a of this.addresses[peer] ?? []) {
        const left = end - Date.now();
        if (left <= 0 || this.stopped) break;
        try {
          await net.host.dial(a, Math.min(left, each));
          return undefined;
        } catch (err) {
          failure = err; // try the next address
        }
      }
      return failure ?? new NodeError('ERR_PEER_UNAVAILABLE', `no address of ${peer} could be dialled in time`);
    });
  }

  rememberAddress(peer: string, addr: string): void {
    const list = this.addresses[peer] ?? [];
    if (!list.includes(addr)) this.addresses[peer] = [addr, ...list].slice(0, MAX_BOOTSTRAP_ADDRS);
  }

  /**
   * persist() without waiting: a failure (a full disk, a lost database) is a `federation:error` event
   * rather than an unhandled rejection that would stop the process; the next persist writes it all.
   */
  persistSoon(): void {
    this.persist().catch((err) =>
      this.events('federation:error', { error: `saving federation state: ${errorText(err)}` }),
    );
  }

  async persist(): Promise<void> {
    const chain = this.chain;
    if (chain === undefined) return;
    await this.store.save({
      version: 1,
      federationId: chain.federationId,
      charters: chain.versions().map((e) => e.envelope),
      // Stored proposals not past their lifetime.
      proposals: this.pendingProposals().filter((p) => Date.parse(p.expiresAt) > this.now().getTime()),
      addresses: this.addresses,
      withdrawals: this.withdrawals(),
    });
  }

  async audit(kind: FederationEventKind, version: number, env: Envelope, digest?: string): Promise<void> {
    const chain = this.requireChain();
    try {
      await this.log.append([
        federationAuditItem({
          kind,
          federationId: chain.federationId,
          version,
          envelope: env,
          time: this.now(),
          ...(digest === undefined ? {} : { digest }),
        }),
      ]);
    } catch (err) {
      this.events('federation:audit-failed', { kind, version, error: errorText(err) });
    }
  }

  async publish(kind: 'charter' | 'proposal' | 'withdrawal', env: Envelope): Promise<void> {
    await this.publishBody(kind, envelopeBody(env));
  }

  async publishBody(kind: string, body: Record<string, unknown>): Promise<void> {
    const net = this.net;
    const chain = this.chain;
    if (net === undefined || chain === undefined || !chain.isMember(this.peerId)) return;
    const bytes = encodeGossip(
      {
        type: kind,
        federationId: chain.federationId,
        charterVersion: chain.version,
        sender: this.peerId,
        seq: this.seq++,
        sentAt: this.now().toISOString(),
        body,
      },
      this.key,
    );
    try {
      await net.host.pubsub.publish(kind, bytes);
    } catch (err) {
      this.events('federation:publish-failed', { kind, error: errorText(err) });
    }
  }

  /**
   * Hands `env` (a charter version) to `peer` by sync when it is still connected: a removed member learns
   * of its removal before our gate closes it out; a member learns that we rotated our peer key before we
   * come back under the new one (which its gate would not let in yet). Best effort.
   */
  async handCharter(peer: string, env: Envelope): Promise<void> {
    const net = this.net;
    if (net === undefined || !net.host.connectedPeers().includes(peer)) return;
    try {
      await net.sync.request(peer, { type: 'charters', envelopes: [env] });
    } catch (err) {
      this.events('federation:sync-failed', { peer, error: errorText(err) });
    }
  }

  /** Tells every module the charter (at network start and after each accepted version). */
  notifyCharter(): void {
    const chain = this.chain;
    if (chain === undefined || this.net === undefined) return;
    for (const hook of this.charterHooks) hook(chain);
    for (const m of this.modules) {
      try {
        m.onCharter?.(chain);
      } catch (err) {
        this.events('federation:module-error', { module: m.name, error: errorText(err) });
      }
    }
  }

  /** The modules' heads for our hello (heads.ts); a module that fails to say is left out. */
  moduleHeads(): Record<string, Head> {
    const out: Record<string, Head> = {};
    for (const m of this.modules) {
      try {
        Object.assign(out, m.syncHeads?.());
      } catch (err) {
        this.events('federation:module-error', { module: m.name, error: errorText(err) });
      }
    }
    return out;
  }

  /** What modules get of the federation (module.ts): its chain, gossip, requests, the peer key's signature. */
  context(): FederationContext {
    return {
      peerId: this.peerId,
      events: this.events,
      chain: () => this.chain,
      publish: (kind, body) => this.publishBody(kind, body),
      pullSoon: (peer, version) => this.pullSoon(peer, version),
      request: (peer, protocol, bytes, maxBytes, timeoutMs) =>
        this.#requests.request(peer, protocol, bytes, maxBytes, timeoutMs),
      connectedMembers: () => {
        const chain = this.chain;
        if (chain === undefined || this.net === undefined) return [];
        return this.net.host.connectedPeers().filter((p) => chain.isMember(p));
      },
      peerHead: (peer, kind) => this.peerHeads.get(peer, kind),
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, this.key),
      reject: (via, kind, peer, err, action) => this.reject(via, kind, peer, err, action),
    };
  }
  expiry(ttlMs: number): string {
    return new Date(this.now().getTime() + ttlMs).toISOString();
  }

  requireChain(): CharterChain {
    if (this.chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    return this.chain;
  }

  requireNet(): Network {
    const net = this.net;
    if (net === undefined) throw new NodeError('ERR_NO_FEDERATION', 'the federation network is not running');
    return net;
  }
}
