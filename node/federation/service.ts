/**
 * FederationService: this node's membership in a federation — the charter chain it pinned, pending
 * charter changes, the libp2p host that carries gossip and sync, and the audit trail of all of it.
 *
 * Components: the home (config, peer key), the audit log (append only), an event sink, a clock.
 * start() reloads DIR/federation/state.json (re-verifying every charter from the pinned genesis) and,
 * when the node is in a federation, starts the network; create() and join() start it on demand, so a
 * node that never federates opens no port. stop() stops the sync loop, the host, then flushes state.
 *
 * This file holds the operations the API calls (create, setThreshold, invite, sign, join, status);
 * each other job is its own part over the shared state (core.ts):
 *   charters.ts        proposing, co-signing and accepting charter versions (forks audited)
 *   charter-module.ts  the charter's gossip (`charter`, `proposal`) as a module like the others
 *   network.ts         libp2p, module protocols, the one gossip validation path, connections
 *   sync.ts            hello/pull/push anti-entropy, address books, the sync round
 *
 * Inbound, everything is attacker-controlled and goes through protocol/federation's checks:
 *   gossip (any kind)  decodeAndVerifyGossip → the kind's module (charter: accept / proposalStatus → merge)
 *   sync               decodeSyncMessage → the same accept / merge paths
 * A failure is an event `federation:rejected` {via, kind, code, action, peer} on stderr and a count in
 * status().rejected; a gossip failure's action decides Reject (peer penalised) or Ignore. A gap
 * (ERR_CHARTER_GAP, or a member announcing a newer version) triggers a sync pull from that peer.
 */

import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { GovfedError } from '../../protocol/errors.ts';
import {
  addMembers,
  addSignature,
  BOOTSTRAP_PATTERN,
  bootstrapPeer,
  CharterChain,
  charterDigest,
  checkNotExpired,
  createInvite,
  type Envelope,
  encodeInvite,
  genesisCharter,
  type Invite,
  MAX_BOOTSTRAP_ADDRS,
  type Member,
  nextCharter,
  parseInvite,
  peerIdFromSeed,
  type SyncMessage,
  signAsPeer,
  signCharter,
  type Thresholds,
  verifyInvite,
} from '../../protocol/federation/index.ts';
import { errorText, shuffle } from '../chain/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { LoadedHome } from '../home/load.ts';
import type { AuditLog } from '../log/index.ts';
import { MemberGate } from '../p2p/gate.ts';
import { requestOnce } from '../p2p/request.ts';
import { CharterModule } from './charter-module.ts';
import { Charters } from './charters.ts';
import { FederationCore } from './core.ts';
import type { FederationContext, FederationModule } from './module.ts';
import { FederationNetwork } from './network.ts';
import { PendingProposals, PROPOSAL_TTL_MS } from './pending.ts';
import { FederationStore } from './store.ts';
import { FederationSync } from './sync.ts';
import type { FederationStatus, ProposalView } from './views.ts';

/** How often the sync loop runs. */
export const SYNC_INTERVAL_MS = 5000;
/** Members besides the inviter named as bootstrap peers in an invite. */
export const INVITE_EXTRA_PEERS = 1;
/** Default lifetime of an invite (and of the join window it opens). */
export const DEFAULT_INVITE_TTL_MS = 24 * 60 * 60_000;

const MULTIADDR_RE = new RegExp(BOOTSTRAP_PATTERN);

export interface FederationServiceOptions {
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now?: () => Date;
  syncIntervalMs?: number;
  /** The node's Prometheus registry: the network's metrics (node/p2p/metrics.ts) go there. */
  registry?: Registry;
  /** The Ed25519 verifier (default: node/crypto's opensslVerify); tests may inject another. */
  verify?: Ed25519Verify;
}

export { SYNC_FANOUT } from './sync.ts';
export type { FederationStatus, MemberStatus, ProposalView } from './views.ts';

export class FederationService {
  readonly #c: FederationCore;
  readonly #charters: Charters;
  readonly #sync: FederationSync;
  readonly #network: FederationNetwork;

  constructor(opts: FederationServiceOptions) {
    const now = opts.now ?? (() => new Date());
    const key = privateKeyFromProtobuf(opts.home.peerKey);
    const seed = key.raw.slice(0, 32);
    if (peerIdFromSeed(seed) !== opts.home.config.peerId) {
      throw new NodeError('ERR_KEY_MISMATCH', 'keys/peer.key does not match config.json peerId');
    }
    let core: FederationCore | undefined;
    const gate = new MemberGate({
      isMember: (p) => core?.chain?.isMember(p) === true || core?.bootstrap.includes(p) === true,
      now: () => now().getTime(),
    });
    core = new FederationCore({
      home: opts.home,
      log: opts.log,
      events: opts.events,
      now,
      syncIntervalMs: opts.syncIntervalMs ?? SYNC_INTERVAL_MS,
      registry: opts.registry,
      store: new FederationStore(opts.home.dir),
      seed,
      gate,
      verify: opts.verify ?? opensslVerify,
      proposals: new PendingProposals({ self: opts.home.config.peerId, gate, now: () => now().getTime() }),
    });
    this.#c = core;
    this.#charters = new Charters(core, () => this.status());
    this.#sync = new FederationSync(core, this.#charters);
    this.#network = new FederationNetwork(core, this.#sync);
    // The charter is a module like the others: its gossip goes through the one validation path.
    core.modules.push(new CharterModule(core, this.#charters));
  }

  get peerId(): string {
    return this.#c.peerId;
  }

  /**
   * Adds a federation module (node/federation/module.ts). Call before start(): its gossip kinds and
   * protocols are installed whenever the network starts.
   */
  use(module: FederationModule): void {
    if (this.#c.net !== undefined) throw new Error('FederationService.use: call before the network starts');
    this.#c.modules.push(module);
    module.attach(this.#context());
  }

  #context(): FederationContext {
    return {
      peerId: this.#c.peerId,
      events: this.#c.events,
      chain: () => this.#c.chain,
      publish: (kind, body) => this.#c.publishBody(kind, body),
      request: async (peer, protocol, bytes, maxBytes, timeoutMs) => {
        const net = this.#c.requireNet();
        return await requestOnce(net.host, peer, protocol, bytes, maxBytes, timeoutMs);
      },
      connectedMembers: () => {
        const chain = this.#c.chain;
        if (chain === undefined || this.#c.net === undefined) return [];
        return this.#c.net.host.connectedPeers().filter((p) => chain.isMember(p));
      },
      signAsPeer: (payloadType, payload) => signAsPeer(payloadType, payload, this.#c.seed),
      reject: (via, kind, peer, err, action) => this.#c.reject(via, kind, peer, err, action),
    };
  }

  /** The current chain (for tests and embedding), if in a federation. */
  get chain(): CharterChain | undefined {
    return this.#c.chain;
  }

  async start(): Promise<void> {
    this.#c.stopped = false;
    const state = await this.#c.store.load();
    if (state === undefined) return;
    this.#c.chain = CharterChain.fromEnvelopes(state.federationId, state.charters, {
      verify: this.#c.verify,
    });
    this.#c.addresses = state.addresses;
    for (const p of state.proposals) this.#c.proposals.restore(this.#c.chain, p); // false: no longer applies
    await this.#network.start();
  }

  async stop(): Promise<void> {
    this.#c.stopped = true;
    const net = this.#c.net;
    this.#c.net = undefined;
    if (net !== undefined) {
      clearInterval(net.timer);
      await net.host.stop();
    }
    await this.#c.store.flush();
  }

  /** Founds a federation with this node as its only member. */
  async create(input: { name: string; thresholds?: Partial<Thresholds> }): Promise<FederationStatus> {
    this.#requireNoFederation();
    const genesis = genesisCharter({
      name: input.name,
      createdAt: this.#c.now().toISOString(),
      members: [this.#c.selfMember()],
      thresholds: {
        admission: input.thresholds?.admission ?? 1,
        policy: input.thresholds?.policy ?? 1,
        charter: input.thresholds?.charter ?? 1,
      },
    });
    const env = signCharter(genesis, this.#c.seed);
    this.#c.chain = new CharterChain(env, undefined, { verify: this.#c.verify });
    await this.#c.persist();
    await this.#c.audit('federation.charter', 1, env, this.#c.chain.head.digest);
    this.#c.events('federation:created', { federationId: this.#c.chain.federationId, name: input.name });
    await this.#network.start();
    return this.status();
  }

  /** Proposes a threshold change (a charter change); completes it at once when our signature suffices. */
  async setThreshold(t: Partial<Thresholds>): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    const cur = chain.current.thresholds;
    const admission = t.admission ?? cur.admission;
    const charter = t.charter ?? Math.max(cur.charter, admission);
    const next = nextCharter(chain.current, {
      createdAt: this.#c.now().toISOString(),
      expiresAt: this.#c.expiry(PROPOSAL_TTL_MS),
      thresholds: {
        admission,
        charter,
        policy: t.policy ?? cur.policy,
        ...(t.witness === undefined ? {} : { witness: t.witness }),
      },
    });
    this.#charters.assertNoConflict(next.version, charterDigest(next));
    return await this.#charters.propose(signCharter(next, this.#c.seed));
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
    const chain = this.#c.requireChain();
    const net = this.#c.requireNet();
    const invitee: Member = { org: input.org, peerId: input.peerId, jurisdiction: input.jurisdiction };
    if (input.logKey !== undefined) invitee.logKey = input.logKey;
    if (input.witnessKey !== undefined) invitee.witnessKey = input.witnessKey;
    // The deadline goes inside the charter change we sign: the invite's expiry is what we signed.
    const expiresAt = this.#c.expiry(input.ttlMs ?? DEFAULT_INVITE_TTL_MS);
    const next = addMembers(chain.current, [invitee], this.#c.now().toISOString(), expiresAt);
    this.#charters.assertNoConflict(next.version, charterDigest(next));
    const proposal = signCharter(next, this.#c.seed);
    // Our addresses first, then up to INVITE_EXTRA_PEERS other members we know (random), so newcomers
    // join a mesh rather than a star, without every node connecting to every other.
    const others = Object.entries(this.#c.addresses).filter(([p]) => p !== this.#c.peerId && chain.isMember(p));
    const known = shuffle(others)
      .slice(0, INVITE_EXTRA_PEERS)
      .flatMap(([, addrs]) => addrs.slice(0, 2));
    const bootstrap = [...new Set([...net.host.addresses(), ...known])]
      .filter((a) => MULTIADDR_RE.test(a) && !a.includes('/ip4/0.0.0.0/'))
      .slice(0, MAX_BOOTSTRAP_ADDRS);
    const invite: Invite = createInvite({ chain, proposal, invitee, bootstrap });
    const bytes = encodeInvite(invite);
    await this.#charters.propose(proposal);
    this.#c.events('federation:invited', { org: input.org, peerId: input.peerId, expiresAt });
    return bytes;
  }

  /** Co-signs a pending proposal, given by id (charter digest) or as an envelope. */
  async sign(ref: string | Envelope): Promise<ProposalView | FederationStatus> {
    const chain = this.#c.requireChain();
    let env: Envelope;
    if (typeof ref === 'string') {
      const p = this.#c.proposals.resolve(ref);
      env = p.envelope;
    } else {
      chain.proposalStatus(ref); // throws for anything that is not a valid next version
      env = ref;
    }
    const s = chain.proposalStatus(env);
    // We never sign a change past the deadline its signers set (an expired invite stays expired).
    checkNotExpired(s.charter, this.#c.now().getTime());
    this.#charters.assertNoConflict(s.charter.version, s.digest);
    return await this.#charters.propose(addSignature(env, this.#c.seed, { verify: this.#c.verify }));
  }

  /** Joins with an invite file: verifies it, signs the proposal admitting us, hands it to the bootstrap peers. */
  async join(bytes: Uint8Array): Promise<FederationStatus> {
    this.#requireNoFederation();
    const invite = parseInvite(bytes);
    const { chain } = verifyInvite(invite, {
      now: this.#c.now().getTime(),
      self: this.#c.peerId,
      verify: this.#c.verify,
    });
    // The charter we are about to sign speaks for us: it must name our own keys, or none.
    const c = this.#c.home.config;
    if (
      (invite.invitee.logKey !== undefined && invite.invitee.logKey !== c.verifierKey) ||
      (invite.invitee.witnessKey !== undefined && invite.invitee.witnessKey !== c.witnessKey)
    ) {
      throw new GovfedError('ERR_MALFORMED_INVITE', "the invite lists a log or witness key that is not this node's");
    }
    const env = addSignature(invite.proposal, this.#c.seed, { verify: this.#c.verify });
    this.#c.chain = chain;
    this.#c.bootstrap = invite.bootstrap.map(bootstrapPeer);
    for (const a of invite.bootstrap) this.#c.rememberAddress(bootstrapPeer(a), a);
    await this.#c.persist();
    for (const e of chain.versions()) await this.#c.audit('federation.charter', e.version, e.envelope, e.digest);
    this.#c.events('federation:joining', { federationId: chain.federationId, version: chain.version + 1 });
    await this.#network.start();
    const status = chain.proposalStatus(env);
    let push: SyncMessage;
    if (status.complete) {
      // Not gossiped by us: members do not know us until they accept it, so hand it to them by sync.
      await this.#charters.acceptCharter(env, 'join');
      push = { type: 'charters', envelopes: [env] };
    } else {
      this.#c.proposals.offer(chain, env, true);
      await this.#c.persist();
      push = { type: 'proposal', envelope: env };
    }
    await Promise.all(
      invite.bootstrap.map(async (addr) => {
        try {
          const peer = await this.#c.requireNet().host.dial(addr);
          await this.#c.requireNet().sync.request(peer, push);
        } catch (err) {
          this.#c.events('federation:bootstrap-failed', { addr, error: errorText(err) });
        }
      }),
    );
    return this.status();
  }

  status(): FederationStatus {
    const chain = this.#c.chain;
    const connected = new Set(this.#c.net?.host.connectedPeers() ?? []);
    const base = {
      peerId: this.#c.peerId,
      addresses: this.#c.net?.host.addresses() ?? [],
      rejected: this.#c.rejections.snapshot(),
      lastSync: this.#c.lastSync?.toISOString() ?? null,
      proposals: this.#charters.proposalViews(),
      modules: Object.fromEntries(this.#c.modules.flatMap((m) => (m.status ? [[m.name, m.status()]] : []))),
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
        const seen = this.#c.lastSeen.get(m.peerId);
        const extra = Object.assign({}, ...this.#c.modules.map((x) => x.memberStatus?.(m) ?? {}));
        return {
          ...extra,
          org: m.org,
          peerId: m.peerId,
          jurisdiction: m.jurisdiction,
          logKey: m.logKey ?? null,
          witnessKey: m.witnessKey ?? null,
          self: m.peerId === this.#c.peerId,
          connected: connected.has(m.peerId),
          lastSeen: seen === undefined ? null : new Date(seen).toISOString(),
        };
      }),
      ...base,
    };
  }

  #requireNoFederation(): void {
    if (this.#c.chain !== undefined) {
      throw new NodeError('ERR_FEDERATION_EXISTS', `this node is already in federation ${this.#c.chain.federationId}`);
    }
  }
}
