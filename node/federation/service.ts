/**
 * FederationService: this node's membership in a federation — the charter chain it pinned, pending
 * charter changes, the libp2p host that carries gossip and sync, and the audit trail of all of it.
 *
 * Components: the home (config, peer key), the audit log (append only), an event sink, a clock.
 * start() reloads DIR/federation/state.json (re-verifying every charter from the pinned genesis) and,
 * when the node is in a federation, starts the network; create() and join() start it on demand, so a
 * node that never federates opens no port. stop() stops the sync loop, the host, then flushes state.
 *
 * This file holds the operations the API calls (create, invite, join, status; the charter changes —
 * setThreshold, remove, leave, sign, withdraw — are changes.ts) and the departure (departed.ts);
 * each other job is its own part over the shared state (core.ts):
 *   charter-module.ts  the charter on the generic replicated chain (node/chain): pending changes,
 *                      co-signing, accepting (forks kept and audited), its gossip (`charter`, `proposal`)
 *   charter-object.ts  what is the charter's in that chain: acceptance with signed deadlines, admission
 *                      of received proposals, join windows, audit leaves, the /govfed/sync codec
 *   network.ts         libp2p, module protocols, the one gossip validation path, connections
 *   sync.ts            /govfed/sync: the chain's anti-entropy, address books, the sync round
 *
 * Inbound, everything is attacker-controlled and goes through protocol/federation's checks:
 *   gossip (any kind)  decodeAndVerifyGossip → the kind's module (charter: the chain's accept / offer)
 *   sync               decodeSyncMessage → the same accept / offer paths
 * A failure is an event `federation:rejected` {via, kind, code, action, peer} on stderr and a count in
 * status().rejected; a gossip failure's action decides Reject (peer penalised) or Ignore. A gap
 * (ERR_CHARTER_GAP, or a member announcing a newer version) triggers a sync pull from that peer.
 */

import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import {
  type ApprovalRule,
  addMembers,
  addSignature,
  bootstrapPeer,
  CharterChain,
  charterDigest,
  createInvite,
  type Envelope,
  encodeInvite,
  genesisCharter,
  type Invite,
  type Member,
  parseInvite,
  peerIdFromSeed,
  type RiskTier,
  type SyncMessage,
  signCharter,
  type Thresholds,
  verifyInvite,
} from '../../protocol/federation/index.ts';
import { errorText } from '../chain/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { LoadedHome } from '../home/load.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { StateStorage } from '../home/state-backend.ts';
import type { AuditLog } from '../log/index.ts';
import { CharterChanges } from './changes.ts';
import { CharterModule } from './charter-module.ts';
import { FederationCore } from './core.ts';
import { type Departure, loadDeparture, saveDeparture } from './departed.ts';
import { handOffAdmission } from './handoff.ts';
import { checkJoinJurisdiction, checkJoinKeys, inviteBootstrap } from './join-check.ts';
import type { FederationModule } from './module.ts';
import { FederationNetwork } from './network.ts';
import { KeyRotation, type RotatableKey, rotatingLog } from './rotation.ts';
import { decodable, FederationStore } from './store.ts';
import { FederationSync } from './sync.ts';
import { type FederationStatus, federationStatus, type ProposalView } from './views.ts';

/** How often the sync loop runs. */
export const SYNC_INTERVAL_MS = 5000;
/** Default lifetime of an invite (and of the join window it opens). */
export const DEFAULT_INVITE_TTL_MS = 24 * 60 * 60_000;

/** What a join answers: the status, and how many of the invite's bootstrap peers took our admission. */
export interface JoinResult {
  status: FederationStatus;
  handoff: { delivered: number; bootstrap: number };
}

export interface FederationServiceOptions {
  /** With `witnessSigner` (the daemon's home) a rotated witness key is used at once (rotation.ts). */
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'> & Partial<Pick<LoadedHome, 'witnessSigner'>>;
  /** Where its state is kept (node/home/shared-state.ts); absent: the home directory. */
  state?: ModuleState;
  /** Starts the node again with what is on disk: after a peer key rotation (rotation.ts). */
  restart?: () => void;
  /** The node's log; with lookupLeafHash and checkpointNow its log key can be rotated (log-rotation.ts). */
  log: Pick<AuditLog, 'append'> & Partial<Pick<AuditLog, 'lookupLeafHash' | 'checkpointNow'>>;
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
  readonly #charter: CharterModule;
  readonly #sync: FederationSync;
  readonly #network: FederationNetwork;
  readonly #changes: CharterChanges;
  readonly #rotation: KeyRotation;
  readonly #storage: string | StateStorage;
  #departed: Departure | undefined;
  #departing: Promise<void> = Promise.resolve();

  constructor(opts: FederationServiceOptions) {
    const now = opts.now ?? (() => new Date());
    const key = privateKeyFromProtobuf(opts.home.peerKey);
    const seed = key.raw.slice(0, 32);
    if (peerIdFromSeed(seed) !== opts.home.config.peerId) {
      throw new NodeError('ERR_KEY_MISMATCH', 'keys/peer.key does not match config.json peerId');
    }
    const core = new FederationCore({
      home: opts.home,
      log: opts.log,
      events: opts.events,
      now,
      syncIntervalMs: opts.syncIntervalMs ?? SYNC_INTERVAL_MS,
      registry: opts.registry,
      store: new FederationStore(opts.state?.storage ?? opts.home.dir),
      seed,
      verify: opts.verify ?? opensslVerify,
    });
    this.#c = core;
    this.#storage = opts.state?.storage ?? opts.home.dir;
    // The charter is a module like the others, on the same replicated chain as policy baselines: its
    // gossip goes through the one validation path.
    this.#charter = new CharterModule(core);
    core.pendingProposals = () => this.#charter.rc.pending.values();
    core.withdrawals = () => this.#charter.withdrawals.list();
    core.departed = (version) => this.#depart(version);
    this.#changes = new CharterChanges(core, this.#charter, {
      status: () => this.status(),
      departure: () => this.#departing,
    });
    const log = rotatingLog(opts.log);
    this.#rotation = new KeyRotation(core, this.#changes, this.#charter, {
      home: opts.home,
      restart: opts.restart,
      state: opts.state,
      ...(log === undefined ? {} : { log }),
    });
    core.rotatedAway = (charter) => this.#rotation.rotatedAway(charter);
    this.#sync = new FederationSync(core, this.#charter);
    this.#network = new FederationNetwork(core, this.#sync);
    core.modules.push(this.#charter);
    core.charterHooks.push((chain) => this.#rotation.onCharter(chain));
    this.#charter.attach(this.#c.context());
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
    module.attach(this.#c.context());
  }

  /** The current chain (for tests and embedding), if in a federation. */
  get chain(): CharterChain | undefined {
    return this.#c.chain;
  }

  async start(): Promise<void> {
    this.#c.stopped = false;
    this.#departed = await loadDeparture(this.#storage);
    const state = await this.#c.store.load();
    if (state === undefined) return;
    this.#c.chain = CharterChain.fromEnvelopes(state.federationId, state.charters, {
      verify: this.#c.verify,
    });
    this.#c.addresses = state.addresses;
    this.#charter.withdrawals.restore(state.withdrawals ?? [], this.#c.chain, this.#c.verify);
    await this.#rotation.load();
    // Pending changes made or received before the restart: those no longer valid or past their
    // lifetime are dropped when the chain is checked at network start; the rest re-open their windows.
    this.#charter.rc.restore({ objects: [], pending: state.proposals.filter(decodable), receipts: [], forks: [] });
    this.#charter.sync.start();
    await this.#network.start();
  }

  async stop(): Promise<void> {
    this.#c.stopped = true;
    this.#charter.sync.stop();
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
    const chain = new CharterChain(env, undefined, { verify: this.#c.verify });
    this.#c.chain = chain;
    await this.#startOrUndo();
    await this.#c.audit('federation.charter', 1, env, chain.head.digest);
    this.#c.events('federation:created', { federationId: chain.federationId, name: input.name });
    this.#charter.sync.start();
    return this.status();
  }

  /**
   * The second half of create and join: state.json, then the network. Nothing is left half-made: when
   * either fails (a full disk, a listen address in use) the node is again in no federation — no state
   * file, no network, no audit leaf (those follow only once both worked) — and the typed error is thrown.
   */
  async #startOrUndo(): Promise<void> {
    try {
      await this.#c.persist();
      await this.#network.start();
    } catch (err) {
      await this.#teardown();
      throw err;
    }
  }

  /** In no federation again: network stopped, state forgotten and its file removed. */
  async #teardown(): Promise<void> {
    this.#charter.sync.stop();
    const net = this.#c.net;
    this.#c.net = undefined;
    if (net !== undefined) {
      clearInterval(net.timer);
      await net.host.stop().catch(() => {});
    }
    this.#c.chain = undefined;
    this.#c.bootstrap = [];
    this.#c.addresses = {};
    await this.#c.store.remove().catch(() => {});
  }

  /**
   * Version `version` no longer lists us (on the chain's tail, after persist and audit): we left or were
   * removed. Recorded (departed.json); the network stops, the state goes; the node runs on, federation-less.
   */
  async #depart(version: number): Promise<void> {
    const chain = this.#c.requireChain();
    const d: Departure = {
      federationId: chain.federationId,
      name: chain.current.name,
      version,
      reason: this.#changes.leaving ? 'left' : 'removed',
      at: this.#c.now().toISOString(),
    };
    this.#changes.leaving = false;
    await this.#c.audit('federation.departed', version, chain.head.envelope, chain.head.digest);
    await saveDeparture(this.#storage, d).catch((err) =>
      this.#c.events('federation:error', { error: `departed.json: ${errorText(err)}` }),
    );
    this.#departed = d;
    // Not awaited here: this runs on the charter chain's tail, which teardown's sync.stop() may wait on.
    this.#departing = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.#teardown())
      .then(() => this.#c.events('federation:departed', d));
  }

  /** Proposes a threshold change (a charter change): changes.ts. */
  setThreshold(t: Partial<Thresholds>): Promise<ProposalView | FederationStatus> {
    return this.#changes.setThreshold(t);
  }

  /** Proposes removing the member `org` (at the admission threshold): changes.ts. */
  remove(org: string): Promise<ProposalView | FederationStatus> {
    return this.#changes.remove(org);
  }

  /** Leaves the federation (our own removal, complete with our signature): changes.ts. */
  leave(): Promise<FederationStatus> {
    return this.#changes.leave();
  }

  /** Takes back our signature from a pending change: changes.ts. */
  withdraw(id: string): Promise<FederationStatus> {
    return this.#changes.withdraw(id);
  }

  /** Proposes a new witness or peer key for this member (a charter change; rotation.ts). */
  rotateKey(key: RotatableKey): Promise<ProposalView | FederationStatus> {
    return this.#rotation.rotate(key);
  }

  /** Proposes the approval rule of a risk tier, or its removal (`null`): a charter change, changes.ts. */
  setApprovalRule(tier: RiskTier, rule: ApprovalRule | null): Promise<ProposalView | FederationStatus> {
    return this.#changes.setApprovalRule(tier, rule);
  }

  /** Co-signs a pending proposal, given by id (charter digest) or as an envelope: changes.ts. */
  sign(ref: string | Envelope): Promise<ProposalView | FederationStatus> {
    return this.#changes.sign(ref);
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
    this.#charter.rc.assertNoConflict(next.version, charterDigest(next));
    const proposal = signCharter(next, this.#c.seed);
    const bootstrap = inviteBootstrap(this.#c, chain, net.host.addresses());
    const invite: Invite = createInvite({ chain, proposal, invitee, bootstrap });
    const bytes = encodeInvite(invite);
    await this.#changes.propose(proposal);
    this.#c.events('federation:invited', { invitee: input.org, peerId: input.peerId, expiresAt });
    return bytes;
  }

  /**
   * Joins with an invite file: verifies it, signs the proposal admitting us, hands it to the bootstrap
   * peers. The answer says how many took it: none (all timed out, say) leaves a joined node that no
   * member knows of yet — it offers the admission again whenever a sync round reaches one (a member
   * that hears a newer charter in our hello pulls it), and the caller is told so rather than "joined".
   */
  async join(bytes: Uint8Array): Promise<JoinResult> {
    this.#requireNoFederation();
    const invite = parseInvite(bytes);
    const { chain } = verifyInvite(invite, {
      now: this.#c.now().getTime(),
      self: this.#c.peerId,
      verify: this.#c.verify,
    });
    // The charter we are about to sign speaks for us: it must name our own keys (or none), our jurisdiction.
    checkJoinKeys(invite.invitee, this.#c.home.config);
    checkJoinJurisdiction(invite.invitee, this.#c.home.config, this.#c.home.dir);
    const env = addSignature(invite.proposal, this.#c.seed, { verify: this.#c.verify });
    this.#c.chain = chain;
    this.#c.bootstrap = invite.bootstrap.map(bootstrapPeer);
    for (const a of invite.bootstrap) this.#c.rememberAddress(bootstrapPeer(a), a);
    await this.#startOrUndo();
    for (const e of chain.versions()) await this.#c.audit('federation.charter', e.version, e.envelope, e.digest);
    this.#c.events('federation:joining', { federationId: chain.federationId, version: chain.version + 1 });
    this.#charter.sync.start();
    const status = chain.proposalStatus(env);
    const rc = this.#charter.rc;
    let push: SyncMessage;
    if (status.complete) {
      // Not gossiped by us: members do not know us until they accept it, so hand it to them by sync.
      rc.applyRun([env], 'join');
      await rc.tail.idle();
      push = { type: 'charters', envelopes: [env] };
    } else {
      await rc.hold(env);
      push = { type: 'proposal', envelope: env };
    }
    const delivered = await handOffAdmission(this.#c, this.#sync, invite.bootstrap, push);
    return { status: this.status(), handoff: { delivered, bootstrap: invite.bootstrap.length } };
  }

  status(): FederationStatus {
    const s = federationStatus(this.#c, this.#charter.rc.pending);
    return s.federated || this.#departed === undefined ? s : { ...s, departed: this.#departed };
  }

  #requireNoFederation(): void {
    if (this.#c.chain !== undefined) {
      throw new NodeError('ERR_FEDERATION_EXISTS', `this node is already in federation ${this.#c.chain.federationId}`);
    }
  }
}
