/**
 * FederationService: this node's membership in a federation — the charter chain it pinned, pending
 * charter changes, the libp2p host that carries gossip and sync, and the audit trail of all of it.
 *
 * Components: the home (config, peer key), the audit log (append only), an event sink, a clock.
 * start() reloads DIR/federation/state.json (re-verifying every charter from the pinned genesis) and,
 * when the node is in a federation, starts the network; create() and join() start it on demand, so a
 * node that never federates opens no port. stop() stops the sync loop, the host, then flushes state.
 *
 * Inbound, everything is attacker-controlled and goes through protocol/federation's checks:
 *   gossip `charter`   decodeAndVerifyGossip → CharterChain.accept       (in the topic validator)
 *   gossip `proposal`  decodeAndVerifyGossip → proposalStatus → merge    (in the topic validator)
 *   sync               decodeSyncMessage → the same accept / merge paths
 * A failure is an event `federation:rejected` {via, kind, code, action, peer} on stderr and a count in
 * status().rejected; a gossip failure's action decides Reject (peer penalised) or Ignore. A gap
 * (ERR_CHARTER_GAP, or a member announcing a newer version) triggers a sync pull from that peer.
 *
 * Outbound: a change this node completes is gossiped on `charter`; an incomplete one on `proposal`
 * (members co-sign with `sign`, merging copies until a threshold is met, and whoever completes it
 * gossips the charter). Every SYNC_INTERVAL_MS, and on each new connection, the node exchanges `hello`
 * with up to SYNC_FANOUT random connected peers, pulls missing charter versions, pushes its pending
 * proposals and re-dials members it knows addresses of.
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import {
  addMembers,
  addressesResponse,
  addSignature,
  BOOTSTRAP_PATTERN,
  bootstrapPeer,
  type Charter,
  CharterChain,
  charterDigest,
  charterOf,
  chartersResponse,
  checkNotExpired,
  createInvite,
  decodeAndVerifyGossip,
  type Envelope,
  encodeGossip,
  encodeInvite,
  envelopeBody,
  envelopeFromBody,
  type GossipMessage,
  genesisCharter,
  helloFor,
  type Invite,
  isGossipValidationError,
  MAX_BOOTSTRAP_ADDRS,
  type Member,
  nextCharter,
  nextRequest,
  type ProposalStatus,
  parseInvite,
  peerIdFromSeed,
  type SyncMessage,
  signAsPeer,
  signCharter,
  type Thresholds,
  verifyInvite,
} from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { LoadedHome } from '../home/load.ts';
import type { AuditLog } from '../log/index.ts';
import { MemberGate } from '../p2p/gate.ts';
import { Host, type PeerEvent } from '../p2p/host.ts';
import { type Verdict, verdictOf } from '../p2p/pubsub.ts';
import { requestOnce, serveRequests } from '../p2p/request.ts';
import { SyncTransport } from '../p2p/sync.ts';
import { type FederationEventKind, federationAuditItem } from './audit.ts';
import type { FederationContext, FederationModule } from './module.ts';
import { checkDeadline, PendingProposals, PROPOSAL_TTL_MS } from './pending.ts';
import { FederationStore } from './store.ts';

/** How often the sync loop runs. */
export const SYNC_INTERVAL_MS = 5000;
/** Peers a sync round talks to (chosen at random among the connected members). */
export const SYNC_FANOUT = 3;
/** Members besides the inviter named as bootstrap peers in an invite. */
export const INVITE_EXTRA_PEERS = 1;
/** Default lifetime of an invite (and of the join window it opens). */
export const DEFAULT_INVITE_TTL_MS = 24 * 60 * 60_000;

const MULTIADDR_RE = new RegExp(BOOTSTRAP_PATTERN);
/** Refusals that depend on local state or the clock (see #validate). */
const LIMIT_CODES = new Set(['ERR_PROPOSAL_LIMIT', 'ERR_PROPOSAL_EXPIRED']);

export interface FederationServiceOptions {
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now?: () => Date;
  syncIntervalMs?: number;
  /** The node's Prometheus registry: the network's metrics (node/p2p/metrics.ts) go there. */
  registry?: Registry;
}

export interface MemberStatus {
  org: string;
  peerId: string;
  jurisdiction: string;
  /** The member's log verifier key and witness key, as the charter lists them (null when absent). */
  logKey: string | null;
  witnessKey: string | null;
  self: boolean;
  connected: boolean;
  /** Last time we heard from this member (RFC 3339), if ever. */
  lastSeen: string | null;
}

export interface ProposalView {
  /** The proposed charter's digest: what `sign` takes. */
  id: string;
  version: number;
  rule: string;
  required: number;
  memberSignatures: number;
  signedBy: string[];
  missingNewMembers: string[];
  /** Members whose entry the change alters (keys, jurisdiction) that have not signed yet. */
  missingChangedMembers: string[];
  complete: boolean;
  expiresAt: string;
  charter: Charter;
}

export interface FederationStatus {
  federated: boolean;
  id?: string;
  name?: string;
  charterVersion?: number;
  charterDigest?: string;
  thresholds?: Thresholds;
  members: MemberStatus[];
  proposals: ProposalView[];
  peerId: string;
  addresses: string[];
  /** Rejected federation messages since start, by error code. */
  rejected: Record<string, number>;
  /** When a sync round last completed (RFC 3339), if ever. */
  lastSync: string | null;
  /** Each federation module's own status, by module name (e.g. policy, witness). */
  modules: Record<string, Record<string, unknown>>;
}

interface Network {
  host: Host;
  sync: SyncTransport;
  timer: NodeJS.Timeout;
}

export class FederationService {
  readonly #home: FederationServiceOptions['home'];
  readonly #log: FederationServiceOptions['log'];
  readonly #events: EventSink;
  readonly #now: () => Date;
  readonly #syncIntervalMs: number;
  readonly #registry: Registry | undefined;
  readonly #store: FederationStore;
  readonly #seed: Uint8Array;
  readonly #gate: MemberGate;
  #chain: CharterChain | undefined;
  readonly #proposals: PendingProposals;
  #addresses: Record<string, string[]> = {};
  #net: Network | undefined;
  #seq = 0;
  #lastSeen = new Map<string, number>();
  #rejected: Record<string, number> = {};
  #lastSync: Date | undefined;
  #syncing = new Set<string>();
  #stopped = false;
  #bootstrap: string[] = [];
  readonly #modules: FederationModule[] = [];

  constructor(opts: FederationServiceOptions) {
    this.#home = opts.home;
    this.#log = opts.log;
    this.#events = opts.events;
    this.#now = opts.now ?? (() => new Date());
    this.#syncIntervalMs = opts.syncIntervalMs ?? SYNC_INTERVAL_MS;
    this.#registry = opts.registry;
    this.#store = new FederationStore(opts.home.dir);
    const key = privateKeyFromProtobuf(opts.home.peerKey);
    this.#seed = key.raw.slice(0, 32);
    if (peerIdFromSeed(this.#seed) !== opts.home.config.peerId) {
      throw new NodeError('ERR_KEY_MISMATCH', 'keys/peer.key does not match config.json peerId');
    }
    this.#gate = new MemberGate({
      isMember: (p) => this.#chain?.isMember(p) === true || this.#bootstrap.includes(p),
      now: () => this.#now().getTime(),
    });
    this.#proposals = new PendingProposals({
      self: opts.home.config.peerId,
      gate: this.#gate,
      now: () => this.#now().getTime(),
    });
  }

  get peerId(): string {
    return this.#home.config.peerId;
  }

  /**
   * Adds a federation module (node/federation/module.ts). Call before start(): its gossip kinds and
   * protocols are installed whenever the network starts.
   */
  use(module: FederationModule): void {
    if (this.#net !== undefined) throw new Error('FederationService.use: call before the network starts');
    this.#modules.push(module);
    module.attach(this.#context());
  }

  #context(): FederationContext {
    return {
      peerId: this.peerId,
      events: this.#events,
      chain: () => this.#chain,
      publish: (kind, body) => this.#publishBody(kind, body),
      request: async (peer, protocol, bytes, maxBytes, timeoutMs) => {
        const net = this.#requireNet();
        return await requestOnce(net.host, peer, protocol, bytes, maxBytes, timeoutMs);
      },
      connectedMembers: () => {
        const chain = this.#chain;
        if (chain === undefined || this.#net === undefined) return [];
        return this.#net.host.connectedPeers().filter((p) => chain.isMember(p));
      },
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, this.#seed),
      reject: (via, kind, peer, err, action) => this.#reject(via, kind, peer, err, action),
    };
  }

  /** The member entry for this node: its org, peer id, jurisdiction, log key and witness key. */
  #selfMember(): Member {
    const c = this.#home.config;
    const m: Member = { org: c.org, peerId: c.peerId, jurisdiction: c.jurisdiction, logKey: c.verifierKey };
    if (c.witnessKey !== undefined) m.witnessKey = c.witnessKey;
    return m;
  }

  /** The current chain (for tests and embedding), if in a federation. */
  get chain(): CharterChain | undefined {
    return this.#chain;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    const state = await this.#store.load();
    if (state === undefined) return;
    this.#chain = CharterChain.fromEnvelopes(state.federationId, state.charters);
    this.#addresses = state.addresses;
    for (const p of state.proposals) this.#proposals.restore(this.#chain, p); // false: no longer applies
    await this.#startNetwork();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const net = this.#net;
    this.#net = undefined;
    if (net !== undefined) {
      clearInterval(net.timer);
      await net.host.stop();
    }
    await this.#store.flush();
  }

  // ---- operations (admin API) ----

  /** Founds a federation with this node as its only member. */
  async create(input: { name: string; thresholds?: Partial<Thresholds> }): Promise<FederationStatus> {
    this.#requireNoFederation();
    const genesis = genesisCharter({
      name: input.name,
      createdAt: this.#now().toISOString(),
      members: [this.#selfMember()],
      thresholds: {
        admission: input.thresholds?.admission ?? 1,
        policy: input.thresholds?.policy ?? 1,
        charter: input.thresholds?.charter ?? 1,
      },
    });
    const env = signCharter(genesis, this.#seed);
    this.#chain = new CharterChain(env);
    await this.#persist();
    await this.#audit('federation.charter', 1, env, this.#chain.head.digest);
    this.#events('federation:created', { federationId: this.#chain.federationId, name: input.name });
    await this.#startNetwork();
    return this.status();
  }

  /** Proposes a threshold change (a charter change); completes it at once when our signature suffices. */
  async setThreshold(t: Partial<Thresholds>): Promise<ProposalView | FederationStatus> {
    const chain = this.#requireChain();
    const cur = chain.current.thresholds;
    const admission = t.admission ?? cur.admission;
    const charter = t.charter ?? Math.max(cur.charter, admission);
    const next = nextCharter(chain.current, {
      createdAt: this.#now().toISOString(),
      expiresAt: this.#expiry(PROPOSAL_TTL_MS),
      thresholds: {
        admission,
        charter,
        policy: t.policy ?? cur.policy,
        ...(t.witness === undefined ? {} : { witness: t.witness }),
      },
    });
    this.#assertNoConflict(next.version, charterDigest(next));
    return await this.#propose(signCharter(next, this.#seed));
  }

  /** Proposes admitting `invitee` and returns the invite file's bytes. */
  async invite(input: {
    org: string;
    peerId: string;
    jurisdiction: string;
    logKey?: string;
    witnessKey?: string;
    ttlMs?: number;
  }): Promise<Uint8Array> {
    const chain = this.#requireChain();
    const net = this.#requireNet();
    const invitee: Member = { org: input.org, peerId: input.peerId, jurisdiction: input.jurisdiction };
    if (input.logKey !== undefined) invitee.logKey = input.logKey;
    if (input.witnessKey !== undefined) invitee.witnessKey = input.witnessKey;
    // The deadline goes inside the charter change we sign: the invite's expiry is what we signed.
    const expiresAt = this.#expiry(input.ttlMs ?? DEFAULT_INVITE_TTL_MS);
    const next = addMembers(chain.current, [invitee], this.#now().toISOString(), expiresAt);
    this.#assertNoConflict(next.version, charterDigest(next));
    const proposal = signCharter(next, this.#seed);
    // Our addresses first, then up to INVITE_EXTRA_PEERS other members we know (random), so newcomers
    // join a mesh rather than a star, without every node connecting to every other.
    const others = Object.entries(this.#addresses).filter(([p]) => p !== this.peerId && chain.isMember(p));
    const known = shuffle(others)
      .slice(0, INVITE_EXTRA_PEERS)
      .flatMap(([, addrs]) => addrs.slice(0, 2));
    const bootstrap = [...new Set([...net.host.addresses(), ...known])]
      .filter((a) => MULTIADDR_RE.test(a) && !a.includes('/ip4/0.0.0.0/'))
      .slice(0, MAX_BOOTSTRAP_ADDRS);
    const invite: Invite = createInvite({ chain, proposal, invitee, bootstrap });
    const bytes = encodeInvite(invite);
    await this.#propose(proposal);
    this.#events('federation:invited', { org: input.org, peerId: input.peerId, expiresAt });
    return bytes;
  }

  /** Co-signs a pending proposal, given by id (charter digest) or as an envelope. */
  async sign(ref: string | Envelope): Promise<ProposalView | FederationStatus> {
    const chain = this.#requireChain();
    let env: Envelope;
    if (typeof ref === 'string') {
      const hex = ref.startsWith('sha256:') ? ref.slice(7) : ref;
      const matches = this.#proposals.entries().filter(([id]) => id.slice(7).startsWith(hex));
      const p = this.#proposals.get(ref) ?? (matches.length === 1 ? matches[0]?.[1] : undefined);
      if (p === undefined) {
        throw new NodeError(
          'ERR_NOT_FOUND',
          matches.length > 1 ? `${ref} names ${matches.length} pending proposals` : `no pending proposal ${ref}`,
        );
      }
      env = p.envelope;
    } else {
      chain.proposalStatus(ref); // throws for anything that is not a valid next version
      env = ref;
    }
    const s = chain.proposalStatus(env);
    // We never sign a change past the deadline its signers set (an expired invite stays expired).
    checkNotExpired(s.charter, this.#now().getTime());
    this.#assertNoConflict(s.charter.version, s.digest);
    return await this.#propose(addSignature(env, this.#seed));
  }

  /** Joins with an invite file: verifies it, signs the proposal admitting us, hands it to the bootstrap peers. */
  async join(bytes: Uint8Array): Promise<FederationStatus> {
    this.#requireNoFederation();
    const invite = parseInvite(bytes);
    const { chain } = verifyInvite(invite, { now: this.#now().getTime(), self: this.peerId });
    // The charter we are about to sign speaks for us: it must name our own keys, or none.
    const c = this.#home.config;
    if (
      (invite.invitee.logKey !== undefined && invite.invitee.logKey !== c.verifierKey) ||
      (invite.invitee.witnessKey !== undefined && invite.invitee.witnessKey !== c.witnessKey)
    ) {
      throw new GovfedError('ERR_MALFORMED_INVITE', "the invite lists a log or witness key that is not this node's");
    }
    const env = addSignature(invite.proposal, this.#seed);
    this.#chain = chain;
    this.#bootstrap = invite.bootstrap.map(bootstrapPeer);
    for (const a of invite.bootstrap) this.#rememberAddress(bootstrapPeer(a), a);
    await this.#persist();
    for (const e of chain.versions()) await this.#audit('federation.charter', e.version, e.envelope, e.digest);
    this.#events('federation:joining', { federationId: chain.federationId, version: chain.version + 1 });
    await this.#startNetwork();
    const status = chain.proposalStatus(env);
    let push: SyncMessage;
    if (status.complete) {
      // Not gossiped by us: members do not know us until they accept it, so hand it to them by sync.
      await this.#acceptCharter(env, 'join');
      push = { type: 'charters', envelopes: [env] };
    } else {
      this.#proposals.offer(chain, env, true);
      await this.#persist();
      push = { type: 'proposal', envelope: env };
    }
    await Promise.all(
      invite.bootstrap.map(async (addr) => {
        try {
          const peer = await this.#requireNet().host.dial(addr);
          await this.#requireNet().sync.request(peer, push);
        } catch (err) {
          this.#events('federation:bootstrap-failed', { addr, error: errorText(err) });
        }
      }),
    );
    return this.status();
  }

  status(): FederationStatus {
    const chain = this.#chain;
    const connected = new Set(this.#net?.host.connectedPeers() ?? []);
    const base = {
      peerId: this.peerId,
      addresses: this.#net?.host.addresses() ?? [],
      rejected: { ...this.#rejected },
      lastSync: this.#lastSync?.toISOString() ?? null,
      proposals: this.#proposalViews(),
      modules: Object.fromEntries(this.#modules.flatMap((m) => (m.status ? [[m.name, m.status()]] : []))),
    };
    if (chain === undefined) return { federated: false, members: [], ...base };
    const c = chain.current;
    return {
      federated: true,
      id: chain.federationId,
      name: c.name,
      charterVersion: chain.version,
      charterDigest: chain.head.digest,
      thresholds: { ...c.thresholds },
      members: c.members.map((m) => {
        const seen = this.#lastSeen.get(m.peerId);
        const extra = Object.assign({}, ...this.#modules.map((x) => x.memberStatus?.(m) ?? {}));
        return {
          ...extra,
          org: m.org,
          peerId: m.peerId,
          jurisdiction: m.jurisdiction,
          logKey: m.logKey ?? null,
          witnessKey: m.witnessKey ?? null,
          self: m.peerId === this.peerId,
          connected: connected.has(m.peerId),
          lastSeen: seen === undefined ? null : new Date(seen).toISOString(),
        };
      }),
      ...base,
    };
  }

  // ---- proposals and charters ----

  #proposalViews(): ProposalView[] {
    const chain = this.#chain;
    if (chain === undefined) return [];
    const out: ProposalView[] = [];
    for (const [id, p] of this.#proposals.entries()) {
      try {
        const s = chain.proposalStatus(p.envelope);
        out.push(view(id, s, p.expiresAt));
      } catch {
        // stale: dropped on the next change
      }
    }
    return out;
  }

  /**
   * A proposal we made or signed: merged with our copy; if complete, accepted and gossiped as a charter,
   * otherwise stored, logged (this node signed it) and gossiped as a proposal.
   */
  async #propose(env: Envelope): Promise<ProposalView | FederationStatus> {
    const chain = this.#requireChain();
    const { merged, status, expiresAt } = this.#proposals.offer(chain, env, true);
    if (status.complete) {
      await this.#acceptCharter(merged, 'local');
      return this.status();
    }
    await this.#persist();
    await this.#audit('federation.proposal', status.charter.version, merged);
    await this.#publish('proposal', merged);
    return view(status.digest, status, expiresAt);
  }

  /**
   * A proposal from a peer (gossip or sync; attacker-controlled `env`): checked against the pending
   * limits (pending.ts: deadline, a member signature, per signer and version, in total), merged, and
   * accepted when complete. Persisted when it is new or brings signatures; not logged on receipt (the
   * audit log records proposals this node signs and the charters it accepts). Throws the typed refusal.
   */
  async #receiveProposal(env: Envelope, via: string, from: string): Promise<void> {
    const chain = this.#requireChain();
    const { merged, status: s, grew } = this.#proposals.offer(chain, env, false);
    if (!grew) return;
    this.#events('federation:proposal', {
      via,
      from,
      id: s.digest,
      signatures: s.signedBy.length,
      complete: s.complete,
    });
    if (s.complete) {
      await this.#acceptCharter(merged, 'local');
      return;
    }
    await this.#persist();
  }

  /**
   * Takes a charter version (attacker-controlled unless `via` is local). On acceptance: persist, audit,
   * drop proposals it supersedes, close connections it no longer allows, and gossip it unless it came
   * by gossip. Throws the chain's error (ERR_CHARTER_GAP, ERR_BAD_SIGNATURE, …); a fork is audited.
   */
  async #acceptCharter(
    env: Envelope,
    via: 'local' | 'join' | 'gossip' | 'sync',
    successor?: Envelope,
  ): Promise<'accepted' | 'duplicate'> {
    const chain = this.#requireChain();
    let result: ReturnType<CharterChain['accept']>;
    try {
      if (via === 'gossip' || via === 'sync') checkDeadline(chain, env, this.#now().getTime(), successor);
      result = chain.accept(env);
    } catch (err) {
      if (isGovfedError(err, 'ERR_CHARTER_FORK')) {
        await this.#audit('federation.fork', charterOf(env).version, env);
      }
      throw err;
    }
    if (result.status === 'duplicate') return 'duplicate';
    await this.#afterAccept(result.entry.version, env, result.entry.digest, via);
    return 'accepted';
  }

  async #afterAccept(version: number, env: Envelope, digest: string, via: string): Promise<void> {
    const chain = this.#requireChain();
    // Modules learn the new charter in the same turn as the chain moves: a gossip message about a new
    // member (its log, its witness key) must not meet a module that still knows the old member list.
    this.#notifyCharter();
    this.#proposals.prune(chain);
    this.#bootstrap = [];
    await this.#persist();
    await this.#audit('federation.charter', version, env, digest);
    this.#events('federation:charter', { version, digest, via, members: chain.current.members.length });
    if (via !== 'gossip' && via !== 'join') await this.#publish('charter', env);
    await this.#net?.host.sweep();
  }

  // ---- gossip ----

  #validate(kind: 'charter' | 'proposal', data: Uint8Array, from: string): Verdict {
    const chain = this.#chain;
    if (chain === undefined) return { result: 'ignore', error: new GovfedError('ERR_INVALID_INPUT', 'no federation') };
    let sender: string | undefined;
    try {
      const v = decodeAndVerifyGossip(data, { chain, now: this.#now().getTime(), kind });
      this.#seen(v.message.sender);
      const env = envelopeFromBody(v.message.body);
      if (v.needsSync) this.#pullSoon(from);
      sender = v.message.sender;
      if (kind === 'charter') {
        // Synchronous part of accept (the chain moves now); persistence and audit follow in order.
        const r = this.#acceptSync(env);
        return r ? { result: 'accept' } : { result: 'ignore', error: undefined };
      }
      // A forged proposal is a reject, not only a log line; so is one past its deadline, without a
      // member signature or over the pending limits (pending.ts) — checked before anything is stored.
      this.#proposals.admit(chain.proposalStatus(env));
      void this.#receiveProposal(env, 'gossip', from).catch((err) => this.#reject('gossip', kind, from, err, 'ignore'));
      return { result: 'accept' };
    } catch (err) {
      let verdict = verdictOf(err);
      if (!isGossipValidationError(err)) {
        // The body failed the charter rules: a stale or gap is not necessarily malice.
        const code = isGovfedError(err) ? err.code : '';
        if (code === 'ERR_CHARTER_GAP') {
          this.#pullSoon(from);
          verdict = { result: 'ignore', error: err };
        } else if (kind === 'proposal' && code === 'ERR_CHARTER_STALE') {
          verdict = { result: 'ignore', error: err };
        } else if (LIMIT_CODES.has(code) && sender !== from) {
          // Limits and deadlines depend on what this node holds and its clock: penalise the signer that
          // published it, not an honest member that forwarded it.
          verdict = { result: 'ignore', error: err };
        }
      }
      this.#reject('gossip', kind, from, verdict.result === 'accept' ? undefined : verdict.error, verdict.result);
      return verdict;
    }
  }

  /** chain.accept now, the rest queued; true when accepted (false for a duplicate). Throws the chain's error. */
  #acceptSync(env: Envelope): boolean {
    const chain = this.#requireChain();
    let r: ReturnType<CharterChain['accept']>;
    try {
      checkDeadline(chain, env, this.#now().getTime());
      r = chain.accept(env);
    } catch (err) {
      if (isGovfedError(err, 'ERR_CHARTER_FORK')) {
        void this.#audit('federation.fork', charterOf(env).version, env);
      }
      throw err;
    }
    if (r.status === 'duplicate') return false;
    void this.#afterAccept(r.entry.version, env, r.entry.digest, 'gossip').catch((err) =>
      this.#events('federation:error', { error: errorText(err) }),
    );
    return true;
  }

  async #publish(kind: 'charter' | 'proposal', env: Envelope): Promise<void> {
    await this.#publishBody(kind, envelopeBody(env));
  }

  async #publishBody(kind: string, body: Record<string, unknown>): Promise<void> {
    const net = this.#net;
    const chain = this.#chain;
    if (net === undefined || chain === undefined || !chain.isMember(this.peerId)) return;
    const bytes = encodeGossip(
      {
        type: kind,
        federationId: chain.federationId,
        charterVersion: chain.version,
        sender: this.peerId,
        seq: this.#seq++,
        sentAt: this.#now().toISOString(),
        body,
      },
      this.#seed,
    );
    try {
      await net.host.pubsub.publish(kind, bytes);
    } catch (err) {
      this.#events('federation:publish-failed', { kind, error: errorText(err) });
    }
  }

  // ---- sync ----

  async #serveSync(msg: SyncMessage, from: string): Promise<SyncMessage> {
    const chain = this.#requireChain();
    if (!this.#gate.isMember(from)) {
      if (!this.#gate.inWindow(from)) throw new GovfedError('ERR_UNKNOWN_SIGNER', `${from} is not a member`);
      this.#checkJoinerRequest(chain, msg, from);
    }
    this.#seen(from);
    switch (msg.type) {
      case 'hello':
        if (nextRequest(chain, msg) !== undefined) this.#pullSoon(from);
        return helloFor(chain);
      case 'get-charters':
        return chartersResponse(chain, msg);
      case 'proposal':
        await this.#receiveProposal(msg.envelope, 'sync', from);
        return helloFor(chain);
      case 'charters':
        for (const [i, env] of msg.envelopes.entries()) await this.#acceptCharter(env, 'sync', msg.envelopes[i + 1]);
        return helloFor(chain);
      case 'get-addresses':
        return addressesResponse(chain, this.#addressBook());
      case 'addresses':
        this.#learnAddresses(chain, msg.members);
        return helloFor(chain);
    }
  }

  /** The member addresses we know, ours included (what `get-addresses` answers). */
  #addressBook(): Record<string, readonly string[]> {
    const ours = this.#net?.host.addresses() ?? [];
    return { ...this.#addresses, ...(ours.length > 0 ? { [this.peerId]: ours } : {}) };
  }

  /** True when some other member of the charter has no known address (then we ask a member's book). */
  #missingAddresses(chain: CharterChain): boolean {
    return chain.current.members.some(
      (m) => m.peerId !== this.peerId && (this.#addresses[m.peerId]?.length ?? 0) === 0,
    );
  }

  /**
   * Addresses a member told us (hints, attacker-controlled): kept only for members of the charter we
   * have no address of — never replacing one learnt first-hand (identify, invite) — and dialled by the
   * next sync round, where Noise proves the peer id.
   */
  #learnAddresses(chain: CharterChain, members: Record<string, string[]>): void {
    let learnt = false;
    for (const [peer, addrs] of Object.entries(members)) {
      if (peer === this.peerId || !chain.isMember(peer) || (this.#addresses[peer]?.length ?? 0) > 0) continue;
      this.#addresses[peer] = addrs.slice(0, MAX_BOOTSTRAP_ADDRS);
      learnt = true;
    }
    if (learnt) void this.#persist();
  }

  /**
   * What a peer in a join window (not a member yet) may ask: only what joining needs. It holds the
   * chain its invite carries, so: `hello`, and pushing the change that admits *it* — the `proposal`
   * with its signature, or the complete `charters` version. No `get-charters` (the chain, or versions
   * past its invite, are for members), no other proposals. Throws ERR_UNKNOWN_SIGNER.
   */
  #checkJoinerRequest(chain: CharterChain, msg: SyncMessage, from: string): void {
    const admitsSender = (env: Envelope) => {
      const c = charterOf(env);
      return c.version === chain.version + 1 && c.members.some((m) => m.peerId === from);
    };
    const ok =
      msg.type === 'hello' ||
      (msg.type === 'proposal' && admitsSender(msg.envelope)) ||
      (msg.type === 'charters' && msg.envelopes.length === 1 && admitsSender(msg.envelopes[0] as Envelope));
    if (!ok) {
      throw new GovfedError(
        'ERR_UNKNOWN_SIGNER',
        `${from} is not a member: in its join window it may only send hello and its own admission (not ${msg.type})`,
      );
    }
  }

  /** One sync round with `peer`: hello, then pull charters until we hold its version. */
  async #syncWith(peer: string): Promise<void> {
    const net = this.#net;
    const chain = this.#chain;
    if (net === undefined || chain === undefined || this.#syncing.has(peer)) return;
    this.#syncing.add(peer);
    try {
      const hello = await net.sync.request(peer, helloFor(chain));
      if (hello.type !== 'hello') throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', 'expected hello');
      this.#seen(peer);
      let req = nextRequest(chain, hello);
      while (req !== undefined && !this.#stopped) {
        const reply = await net.sync.request(peer, req);
        if (reply.type !== 'charters' || reply.envelopes.length === 0) break;
        let progressed = false;
        for (const [i, env] of reply.envelopes.entries()) {
          try {
            if ((await this.#acceptCharter(env, 'sync', reply.envelopes[i + 1])) === 'accepted') progressed = true;
          } catch (err) {
            this.#reject('sync', 'charter', peer, err, 'reject');
            progressed = false;
            break;
          }
        }
        if (!progressed) break;
        req = nextRequest(chain, hello);
      }
      // Members get every pending proposal; a peer in its join window only the one that admits it.
      const member = this.#gate.isMember(peer);
      // A member we cannot dial because nobody told us where it listens (an invite names only two):
      // ask this member's address book.
      if (member && this.#missingAddresses(chain)) {
        const book = await net.sync.request(peer, { type: 'get-addresses' });
        if (book.type === 'addresses') this.#learnAddresses(chain, book.members);
      }
      for (const p of this.#proposals.live()) {
        if (this.#stopped) break;
        if (!member && !charterOf(p.envelope).members.some((m) => m.peerId === peer)) continue;
        await net.sync.request(peer, { type: 'proposal', envelope: p.envelope });
      }
    } catch (err) {
      if (!this.#stopped) this.#events('federation:sync-failed', { peer, error: errorText(err) });
    } finally {
      this.#syncing.delete(peer);
    }
  }

  #pullSoon(peer: string): void {
    setTimeout(() => void this.#syncWith(peer), 50).unref();
  }

  async #syncRound(): Promise<void> {
    const net = this.#net;
    const chain = this.#chain;
    if (net === undefined || chain === undefined || this.#stopped) return;
    if (this.#proposals.prune(chain) > 0) await this.#persist(); // expired proposals go, with their windows
    const connected = new Set(net.host.connectedPeers());
    // Re-dial members (and bootstrap peers) we know addresses of but are not connected to.
    for (const [peer, addrs] of Object.entries(this.#addresses)) {
      if (peer === this.peerId || connected.has(peer) || !this.#gate.allows(peer)) continue;
      for (const a of addrs) {
        try {
          await net.host.dial(a, 2000);
          connected.add(peer);
          break;
        } catch {
          // try the next address
        }
      }
    }
    // Anti-entropy needs a few peers per round, not all: a random SYNC_FANOUT of them (new connections
    // are synced at once anyway), so the cost per round does not grow with the federation.
    const peers = shuffle([...connected].filter((p) => this.#gate.allows(p))).slice(0, SYNC_FANOUT);
    await Promise.all(peers.map((p) => this.#syncWith(p)));
    const members = peers.filter((p) => this.#chain?.isMember(p) === true);
    for (const m of this.#modules) {
      if (this.#stopped || m.onSyncRound === undefined) continue;
      try {
        await m.onSyncRound(members);
      } catch (err) {
        this.#events('federation:module-error', { module: m.name, error: errorText(err) });
      }
    }
    this.#lastSync = this.#now();
  }

  async #startNetwork(): Promise<void> {
    const chain = this.#requireChain();
    if (this.#net !== undefined) return;
    const host = await Host.start({
      peerKey: this.#home.peerKey,
      listen: [this.#home.config.listen],
      federationId: chain.federationId,
      gate: this.#gate,
      onPeer: (e) => this.#onPeer(e),
      allow: Object.values(this.#addresses).flat(),
      registry: this.#registry,
    });
    const sync = new SyncTransport(host);
    await sync.serve(
      (msg, from) => this.#serveSync(msg, from),
      (from, err) => this.#reject('sync', 'sync', from, err, 'reject'),
    );
    host.pubsub.validate('charter', (data, from) => this.#validate('charter', data, from));
    host.pubsub.validate('proposal', (data, from) => this.#validate('proposal', data, from));
    host.pubsub.subscribe('charter', () => {});
    host.pubsub.subscribe('proposal', () => {});
    for (const m of this.#modules) {
      for (const [kind, handler] of Object.entries(m.gossip ?? {})) {
        host.pubsub.validate(kind, (data, from) => this.#validateModule(kind, handler, data, from));
        host.pubsub.subscribe(kind, () => {});
      }
      for (const [protocol, p] of Object.entries(m.protocols ?? {})) {
        await serveRequests(host, protocol, {
          maxBytes: p.maxBytes,
          handler: (req, from) => {
            this.#seen(from);
            return p.handle(req, from);
          },
          allows: (peer) => this.#chain?.isMember(peer) === true,
          onError: (from, err) => this.#reject('request', protocol, from, err, 'reject'),
        });
      }
    }
    const timer = setInterval(() => void this.#syncRound(), this.#syncIntervalMs);
    timer.unref();
    this.#net = { host, sync, timer };
    this.#events('federation:network', { peerId: host.peerId, addresses: host.addresses() });
    this.#notifyCharter();
    setTimeout(() => void this.#syncRound(), 10).unref();
  }

  #onPeer(e: PeerEvent): void {
    if (e.type === 'gossip-refused') {
      this.#reject('gossip', 'rpc', e.peerId, e.error, 'reject');
      return;
    }
    if (e.type === 'refused') {
      this.#reject(
        'connection',
        'connection',
        e.peerId,
        new GovfedError('ERR_UNKNOWN_SIGNER', 'not a member'),
        'reject',
      );
      return;
    }
    if (e.type === 'connected') {
      this.#seen(e.peerId);
      if (this.#gate.allows(e.peerId)) this.#pullSoon(e.peerId);
      if (this.#chain?.isMember(e.peerId) === true) {
        for (const m of this.#modules) {
          if (m.onPeerConnected === undefined) continue;
          setTimeout(() => {
            if (!this.#stopped) m.onPeerConnected?.(e.peerId);
          }, 100).unref();
        }
      }
      return;
    }
    if (e.type === 'identified' && this.#gate.isMember(e.peerId)) {
      const addrs = e.addrs
        .filter((a) => a.startsWith('/ip4/') || a.startsWith('/ip6/'))
        .map((a) => (a.includes('/p2p/') ? a : `${a}/p2p/${e.peerId}`))
        .slice(0, MAX_BOOTSTRAP_ADDRS);
      if (addrs.length > 0 && JSON.stringify(addrs) !== JSON.stringify(this.#addresses[e.peerId])) {
        this.#addresses[e.peerId] = addrs;
        void this.#persist();
      }
    }
  }

  /** A gossip message on a module's kind: the envelope checks here, the body's judgement by the module. */
  #validateModule(
    kind: string,
    handler: (msg: GossipMessage, from: string) => Verdict,
    data: Uint8Array,
    from: string,
  ): Verdict {
    const chain = this.#chain;
    if (chain === undefined) return { result: 'ignore', error: new GovfedError('ERR_INVALID_INPUT', 'no federation') };
    let verdict: Verdict;
    let newer = false;
    try {
      const v = decodeAndVerifyGossip(data, { chain, now: this.#now().getTime(), kind });
      this.#seen(v.message.sender);
      newer = v.needsSync;
      if (v.needsSync) this.#pullSoon(from);
      verdict = handler(v.message, from);
    } catch (err) {
      verdict = verdictOf(err);
    }
    // A sender that holds a newer charter may speak of members we do not know yet (a new member's log,
    // witness or signature): we cannot judge the body before we sync, so it is not a fault — Ignore, not
    // Reject (a Reject would lower an honest peer's gossipsub score and, repeated, graylist it).
    if (newer && verdict.result === 'reject') verdict = { result: 'ignore', error: verdict.error };
    if (verdict.result !== 'accept') this.#reject('gossip', kind, from, verdict.error, verdict.result);
    return verdict;
  }

  /** Tells every module the charter (at network start and after each accepted version). */
  #notifyCharter(): void {
    const chain = this.#chain;
    if (chain === undefined || this.#net === undefined) return;
    for (const m of this.#modules) {
      try {
        m.onCharter?.(chain);
      } catch (err) {
        this.#events('federation:module-error', { module: m.name, error: errorText(err) });
      }
    }
  }

  // ---- helpers ----

  #rememberAddress(peer: string, addr: string): void {
    const list = this.#addresses[peer] ?? [];
    if (!list.includes(addr)) this.#addresses[peer] = [addr, ...list].slice(0, MAX_BOOTSTRAP_ADDRS);
  }

  #seen(peer: string): void {
    this.#lastSeen.set(peer, this.#now().getTime());
  }

  #reject(via: string, kind: string, peer: string, err: unknown, action: string): void {
    if (err === undefined) return;
    const code = isGovfedError(err) ? err.code : 'ERR_INTERNAL';
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    this.#events('federation:rejected', { via, kind, code, action, peer, message: errorText(err) });
  }

  async #persist(): Promise<void> {
    const chain = this.#chain;
    if (chain === undefined) return;
    await this.#store.save({
      version: 1,
      federationId: chain.federationId,
      charters: chain.versions().map((e) => e.envelope),
      proposals: this.#proposals.live(),
      addresses: this.#addresses,
    });
  }

  async #audit(kind: FederationEventKind, version: number, env: Envelope, digest?: string): Promise<void> {
    const chain = this.#requireChain();
    try {
      await this.#log.append([
        federationAuditItem({
          kind,
          federationId: chain.federationId,
          version,
          envelope: env,
          time: this.#now(),
          ...(digest === undefined ? {} : { digest }),
        }),
      ]);
    } catch (err) {
      this.#events('federation:audit-failed', { kind, version, error: errorText(err) });
    }
  }

  /**
   * This node never signs two different charters with the same version: that is how forks are made.
   * Throws ERR_PROPOSAL_PENDING while a change we signed for `version` is pending (until it is accepted,
   * superseded or expires).
   */
  #assertNoConflict(version: number, digest: string): void {
    const now = this.#now().getTime();
    for (const [id, p] of this.#proposals.entries()) {
      if (id === digest || Date.parse(p.expiresAt) <= now) continue;
      const signed = p.envelope.signatures.some((x) => x.keyid === this.peerId);
      if (signed && charterOf(p.envelope).version === version) {
        throw new NodeError(
          'ERR_PROPOSAL_PENDING',
          `this node already signed change ${id} for charter version ${version}; wait until it is accepted or expires (${p.expiresAt})`,
        );
      }
    }
  }

  #expiry(ttlMs: number): string {
    return new Date(this.#now().getTime() + ttlMs).toISOString();
  }

  #requireChain(): CharterChain {
    if (this.#chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    return this.#chain;
  }

  #requireNet(): Network {
    const net = this.#net;
    if (net === undefined) throw new NodeError('ERR_NO_FEDERATION', 'the federation network is not running');
    return net;
  }

  #requireNoFederation(): void {
    if (this.#chain !== undefined) {
      throw new NodeError('ERR_FEDERATION_EXISTS', `this node is already in federation ${this.#chain.federationId}`);
    }
  }
}

function view(id: string, s: ProposalStatus, expiresAt: string): ProposalView {
  return {
    id,
    version: s.charter.version,
    rule: s.rule,
    required: s.required,
    memberSignatures: s.memberSignatures,
    signedBy: s.signedBy,
    missingNewMembers: s.missingNewMembers,
    missingChangedMembers: s.missingChangedMembers,
    complete: s.complete,
    expiresAt,
    charter: s.charter,
  };
}

/** A shuffled copy (Fisher–Yates). */
function shuffle<T>(items: readonly T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function errorText(err: unknown): string {
  if (isGovfedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
