/**
 * WitnessService: a FederationModule composed of the witness's parts, each one job —
 *
 *   publisher.ts       checkpoint publishing  this node's checkpoints to its witnesses; witnessed → gossip
 *   asker.ts           asking                 add-checkpoint to each witness over /govfed/witness/1.0.0
 *   cosigner.ts        cosigning              other logs' add-checkpoint requests decided and cosigned
 *                                             (members over libp2p, external logs over HTTP)
 *   witness-server.ts  /govfed/witness/1.0.0, answering (add-checkpoint, get-witnessed)
 *   collector.ts       cosignature collection cosignatures kept per checkpoint; k of them → witnessed
 *   exchange.ts        anti-entropy           witnessed and cosigned notes compared with a peer's
 *   alerts.ts          equivocation alerts    evidence signed, gossiped, verified, stored, logged
 *   external.ts        external logs          logs outside the federation this node witnesses
 *   prover.ts          cross-org proving      entries and consistency proofs against witnessed checkpoints
 *   log-client.ts / log-server.ts            /govfed/log/1.0.0, asking a log's owner / answering
 *                                            about this node's own logs only (nobody relays)
 *
 * — over shared state: the charter's view (members.ts), the witness store and the per-origin queue
 * (queue.ts) that makes each origin's work one step at a time. Inbound gossip bodies are
 * attacker-controlled: the validators below check them synchronously (signatures included) and hand the
 * work to the origin's queue.
 */

import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { CharterChain, GossipMessage, Member } from '../../protocol/federation/index.ts';
import type { CrossOrgBundle } from '../../protocol/witness/bundle.ts';
import { checkCheckpointBody } from '../../protocol/witness/gossip.ts';
import { LOG_PROTOCOL, LOG_PROTOCOL_MAX_BYTES } from '../../protocol/witness/log-protocol.ts';
import { WITNESS_PROTOCOL, WITNESS_PROTOCOL_MAX_BYTES } from '../../protocol/witness/witness-protocol.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext, FederationModule } from '../federation/module.ts';
import { memberSinceEntry } from '../federation/state-check.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { Alerts } from './alerts.ts';
import { WitnessAsker } from './asker.ts';
import { CosignatureCollector } from './collector.ts';
import { Cosigner } from './cosigner.ts';
import { isOwnOrigin, ownLog, type WitnessDeps, type WitnessHome, type WitnessLog } from './deps.ts';
import { WitnessExchange } from './exchange.ts';
import { ExternalLogs } from './external.ts';
import { LogClient } from './log-client.ts';
import { logProtocolHandler, type ServedLog } from './log-server.ts';
import { MemberLogs } from './members.ts';
import { witnessMetrics } from './metrics.ts';
import { PgWitnessStore } from './pg-store.ts';
import { type CrossOrgConsistency, CrossOrgProver } from './prover.ts';
import { CheckpointPublisher } from './publisher.ts';
import { OriginQueue } from './queue.ts';
import { WitnessStore } from './store.ts';
import { witnessProtocolHandler } from './witness-server.ts';

export type { CrossOrgConsistency } from './prover.ts';

export interface WitnessServiceOptions {
  home: WitnessHome;
  log: WitnessLog;
  events?: EventSink;
  now?: () => Date;
  /** Where to register govfed_witness_* metrics. */
  registry?: Registry;
  /** The Ed25519 verifier (default: node/crypto's opensslVerify); tests may inject another. */
  verify?: Ed25519Verify;
  /** This node's retired logs by origin (node/home/log-rotation.ts opens them). */
  retired?: ReadonlyMap<string, ServedLog>;
  /**
   * Where the witness keeps its store (node/home/shared-state.ts): DIR/witness when absent or on the
   * embedded default; the log's PostgreSQL database (pg-store.ts) when `state.db` is given.
   */
  state?: ModuleState;
}

export interface WitnessOriginStatus {
  origin: string;
  org: string;
  /** The size this node last cosigned (null for its own log or when never). */
  cosignedSize: number | null;
  /** The newest witnessed checkpoint's size this node holds (null when none). */
  witnessedSize: number | null;
  /** How many cosignatures that checkpoint carries, and how many are needed. */
  cosignatures: number;
  k: number;
  misbehaving: boolean;
}

export class WitnessService implements FederationModule {
  readonly name = 'witness';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: FederationModule['protocols'];

  readonly #d: WitnessDeps;
  readonly #external: ExternalLogs;
  readonly #collector: CosignatureCollector;
  readonly #alerts: Alerts;
  readonly #cosigner: Cosigner;
  readonly #publisher: CheckpointPublisher;
  readonly #prover: CrossOrgProver;
  readonly #exchange: WitnessExchange;
  #ctx: FederationContext | undefined;
  #started = false;

  constructor(opts: WitnessServiceOptions) {
    const events = opts.events ?? (() => {});
    const store =
      opts.state?.db === undefined ? new WitnessStore(opts.home.paths.witness) : new PgWitnessStore(opts.state.db);
    const verify = opts.verify ?? opensslVerify;
    this.#d = {
      home: opts.home,
      log: opts.log,
      store,
      members: new MemberLogs(opts.home.config.origin, verify),
      queue: new OriginQueue((origin, error) => events('witness:error', { origin, error })),
      events,
      now: opts.now ?? (() => new Date()),
      metrics: opts.registry === undefined ? undefined : witnessMetrics(opts.registry),
      verify,
      retired: opts.retired ?? new Map(),
      federation: () => this.#ctx,
      running: () => this.#started,
    };
    const client = new LogClient(this.#d);
    this.#external = new ExternalLogs(store);
    this.#collector = new CosignatureCollector(this.#d);
    this.#alerts = new Alerts(this.#d);
    this.#cosigner = new Cosigner(this.#d, {
      collector: this.#collector,
      alerts: this.#alerts,
      external: this.#external,
    });
    this.#publisher = new CheckpointPublisher(this.#d, this.#collector, new WitnessAsker(this.#d, this.#collector));
    this.#prover = new CrossOrgProver(this.#d, this.#collector, client);
    this.#exchange = new WitnessExchange(this.#d, this.#collector, this.#cosigner);
    this.gossip = {
      checkpoint: (msg) => this.#onCheckpointGossip(msg),
      alert: (msg) => {
        this.#alerts.onGossip(msg);
        return { result: 'accept' };
      },
    };
    this.protocols = {
      // Requests about this node's own logs only; another log's, a member's included, is refused.
      [LOG_PROTOCOL]: {
        maxBytes: LOG_PROTOCOL_MAX_BYTES,
        handle: logProtocolHandler(opts.home.config.origin, (origin) => ownLog(this.#d, origin)),
      },
      [WITNESS_PROTOCOL]: {
        maxBytes: WITNESS_PROTOCOL_MAX_BYTES,
        handle: witnessProtocolHandler(this.#cosigner, this.#exchange),
      },
    };
  }

  // ---- lifecycle ----

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  /** Opens the store, loads what it holds (external logs, witnessed checkpoints, alerts), starts publishing. */
  async start(): Promise<void> {
    // In a federation (the log says so) the store has held cosigned state: a missing one is refused.
    await this.#d.store.open({ mustExist: (await memberSinceEntry(this.#d.log)) !== undefined });
    await this.#external.start();
    await this.#collector.start();
    await this.#alerts.start();
    this.#started = true;
    this.#publisher.start();
  }

  /** Stops publishing, lets queued work finish, closes the store. */
  async stop(): Promise<void> {
    this.#publisher.stop();
    this.#started = false;
    await this.#d.queue.settled();
    await this.#d.store.close();
  }

  // ---- federation hooks ----

  onCharter(chain: CharterChain): void {
    this.#d.members.update(chain);
  }

  onPeerConnected(peer: string): void {
    this.#publisher.onPeerConnected(peer);
  }

  async onSyncRound(peers: readonly string[] = []): Promise<void> {
    this.#publisher.onSyncRound();
    await this.#exchange.onSyncRound(peers);
  }

  /**
   * A witnessed checkpoint a member's node gossiped (attacker-controlled): its log signature and its
   * cosignatures are verified here, synchronously (a bad one rejects the message); then, in the
   * origin's queue, it is compared with what this node cosigned and collected (a split view raises the
   * alert) and its cosignatures are kept.
   */
  #onCheckpointGossip(msg: GossipMessage): GossipVerdict {
    const v = this.#collector.open(checkCheckpointBody(msg.body).note);
    if (isOwnOrigin(this.#d, v.origin)) return { result: 'accept' };
    void this.#d.queue.enqueue(v.origin, async () => {
      if (await this.#cosigner.checkConflicts(v.origin, v.ml, v.checkpoint, v.logNote)) return;
      this.#collector.add(v);
    });
    return { result: 'accept' };
  }

  // ---- status ----

  memberStatus(member: Member): Record<string, unknown> {
    const origin = member.logKey === undefined ? undefined : this.#d.members.originOfKey(member.logKey);
    return { misbehaving: origin !== undefined && this.isMisbehaving(origin) };
  }

  status(): Record<string, unknown> {
    return {
      origins: this.origins(),
      alerts: this.#alerts.count,
      misbehaving: this.#alerts.misbehaving(),
      witnessedLagMs: this.#collector.lagMs,
    };
  }

  /** One row per member log, by org. */
  origins(): WitnessOriginStatus[] {
    const out: WitnessOriginStatus[] = [];
    for (const [origin, { member }] of this.#d.members.entries()) {
      const w = this.#collector.witnessed(origin);
      out.push({
        origin,
        org: member.org,
        cosignedSize: this.#cosigner.cosignedSize(origin),
        witnessedSize: w?.size ?? null,
        cosignatures: w?.count ?? 0,
        k: this.#d.members.k(member),
        misbehaving: this.isMisbehaving(origin),
      });
    }
    return out.sort((a, b) => (a.org < b.org ? -1 : a.org > b.org ? 1 : 0));
  }

  isMisbehaving(origin: string): boolean {
    return this.#alerts.isMisbehaving(origin);
  }

  // ---- the API routes' port ----

  /** The latest checkpoint of this node's log with the cosignatures collected for it (GET /v1/log/checkpoint). */
  checkpointWithCosignatures(): string {
    const cp = this.#d.log.checkpoint();
    return this.#collector.withCosignatures(cp.note, cp);
  }

  /** POST /v1/witness/add-checkpoint (see Cosigner.addCheckpoint). */
  addCheckpoint(body: Uint8Array): Promise<string> {
    return this.#cosigner.addCheckpoint(body);
  }

  /** Verifier keys of the logs outside the federation this node witnesses. */
  externalLogs(): string[] {
    return this.#external.list();
  }

  /** Replaces the list of logs outside the federation (each key must be an Ed25519 log verifier key). */
  setExternalLogs(keys: readonly string[]): Promise<string[]> {
    return this.#external.set(keys);
  }

  /** The cross-org proof bundle of entry `index` of `origin`'s log (see CrossOrgProver). */
  proveInclusion(origin: string, index: number): Promise<CrossOrgBundle> {
    return this.#prover.proveInclusion(origin, index);
  }

  /** The cross-org bundle of the entry of `origin`'s log with that decision id or leaf hash (CrossOrgProver). */
  lookup(origin: string, q: { decisionId: string } | { leafHash: Uint8Array }): Promise<CrossOrgBundle> {
    return this.#prover.lookup(origin, q);
  }

  /** A consistency proof of `origin`'s log up to its newest witnessed checkpoint (see CrossOrgProver). */
  proveConsistency(origin: string, from: number, to?: number): Promise<CrossOrgConsistency> {
    return this.#prover.proveConsistency(origin, from, to);
  }
}
