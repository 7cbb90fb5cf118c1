/**
 * FreshnessModule (issue 12): charter freshness as a federation module — the TUF timestamp idea without
 * a central timestamp role (the rules: protocol/federation/freshness.ts).
 *
 * Every `intervalMs` (and at once on a new charter version, and when a member connects) this node signs
 * a statement {version, digest, issuedAt, expiresAt = issuedAt + lifetimeMs} of the charter it holds and
 * gossips it on kind `freshness` (body {envelope}). It keeps the latest valid statement of each current
 * member, in memory (at most one per member). Each sync round it asks the chosen members whose statement
 * it lacks or that is older than an interval for their current one over `/govfed/freshness/1.0.0`, so a
 * restarted node is confirmed within a round rather than an interval.
 *
 * Received statements are attacker-controlled (the gossip sender is a member, not necessarily honest):
 * verifyFreshness's checklist, then the statement must be the sender's own. Malformed, forged, another
 * federation's, another signer's: Reject. Expired or issued in the future (ERR_FRESHNESS_EXPIRED,
 * ERR_CLOCK_SKEW): Ignore — a slow path or a skewed clock is not malice. A statement naming a newer
 * version asks for a sync with its signer (ctx.pullSoon), as a charter gap does.
 *
 * Judgement (judgeFreshness): fresh while a majority of the current members (this node included)
 * confirms its head version and digest with an unexpired statement; stale once it has not been fresh for
 * longer than `staleAfterMs` (counted from the last fresh moment, or from when this node first held a
 * charter — a node that just started is not stale before one window passed). Transitions emit
 * `federation:stale` / `federation:fresh`; status() is under GET /v1/federation `modules.freshness`;
 * health() feeds GET /healthz; gauges in freshness-metrics.ts.
 *
 * Each statement also carries this node's kill-switch state (`revocations`, from the model registry);
 * revocation-watch.ts keeps what members state of theirs: rollbacks refused, and how old this node's
 * state is as a majority vouches for it (revocationAgeMs, read on every decision under a contract).
 */
import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import {
  type CharterChain,
  decodeFreshnessRequest,
  type Envelope,
  encodeFreshness,
  encodeFreshnessResponse,
  FRESHNESS_PAYLOAD_TYPE,
  FRESHNESS_PROTOCOL,
  FRESHNESS_TYPE,
  type FreshnessJudgement,
  type FreshnessStatement,
  type GossipMessage,
  GossipValidationError,
  judgeFreshness,
  MAX_FRESHNESS_FRAME,
  type Member,
  verifyFreshness,
} from '../../protocol/federation/index.ts';
import type { RevocationState } from '../../protocol/registry/revocation-freshness.ts';
import { errorText } from '../chain/index.ts';
import { type FreshnessConfig, resolveFreshnessConfig } from '../home/freshness-config.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { actionOf, askFreshness } from './freshness-ask.ts';
import { freshnessMetrics } from './freshness-metrics.ts';
import { GapPacer } from './gap-pacer.ts';
import type { FederationContext, FederationModule, ModuleProtocol } from './module.ts';
import { RevocationWatch } from './revocation-watch.ts';
import { charterStatementGapMs } from './statement-gap.ts';

/** How often the judgement is re-checked (for the events), at most: min(intervalMs, this). */
export const FRESHNESS_CHECK_MS = 5000;
/** Least time between two own statements signed for a connecting member or a request. */
const RESIGN_MIN_MS = 1000;
export interface FreshnessModuleOptions {
  /** config.json `freshness` (defaults for what is absent). */
  config?: Partial<FreshnessConfig>;
  now?: () => Date;
  /** The node's Prometheus registry (gauges govfed_charter_fresh, …_stale, …_fresh_members). */
  registry?: Registry;
  verify?: Ed25519Verify;
  /** Tolerated clock difference with signers (default: the protocol's). */
  skewMs?: number;
  /** The kill-switch state this node holds (the model registry's), stated in every statement. */
  revocations?: () => RevocationState | undefined;
  /**
   * The smallest maxRevocationStaleness (ms) of the contracts of high and serious tier versions held
   * (undefined: none): beyond it, health() says the node fails closed for them.
   */
  revocationWindowMs?: () => number | undefined;
}

/** What this node thinks of its own charter's freshness (status(), health(), the gauges). */
export interface FreshnessState extends FreshnessJudgement {
  federated: boolean;
  stale: boolean;
  version: number;
  lastFreshAt: string | null;
}

interface Held {
  statement: FreshnessStatement;
  envelope: Envelope;
}

export class FreshnessModule implements FederationModule {
  readonly name = 'freshness';
  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: Readonly<Record<string, ModuleProtocol>>;
  readonly config: FreshnessConfig;
  readonly #now: () => Date;
  readonly #verify: Ed25519Verify | undefined;
  readonly #skewMs: number | undefined;
  readonly #latest = new Map<string, Held>();
  #ctx: FederationContext | undefined;
  #own: Held | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Statements for new charter versions: at once after a quiet gap, then once per gap. */
  readonly #charterPacer: GapPacer;
  /** Members of the charter last taken (the statement gap grows with them). */
  #members = 0;
  #watchSince: number | undefined;
  /** Until when the last fresh judgement holds without new statements (Infinity: it always does). */
  #freshUntil: number | undefined;
  #stale = false;
  readonly #watch: RevocationWatch;
  readonly #revocationWindowMs: () => number | undefined;

  constructor(opts: FreshnessModuleOptions = {}) {
    this.config = resolveFreshnessConfig(opts.config);
    this.#watch = new RevocationWatch(opts.revocations ?? (() => undefined));
    this.#revocationWindowMs = opts.revocationWindowMs ?? (() => undefined);
    this.#now = opts.now ?? (() => new Date());
    this.#verify = opts.verify;
    this.#skewMs = opts.skewMs;
    this.#charterPacer = new GapPacer(
      () => charterStatementGapMs(this.#members),
      () => this.#ms(),
      () => this.#publish(),
    );
    this.gossip = { freshness: (msg, from) => this.#judgeGossip(msg, from) };
    this.protocols = {
      [FRESHNESS_PROTOCOL]: { maxBytes: MAX_FRESHNESS_FRAME, handle: async (req) => this.#serve(req) },
    };
    if (opts.registry !== undefined) {
      freshnessMetrics(opts.registry, () => ({ ...this.state(), revocationAgeMs: this.revocationAgeMs() }));
    }
  }

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  /** Signs and gossips every intervalMs; re-judges at least every FRESHNESS_CHECK_MS. */
  start(): void {
    if (this.#timer !== undefined) return;
    const every = Math.min(this.config.intervalMs, FRESHNESS_CHECK_MS);
    this.#timer = setInterval(() => this.#tick(), every);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#charterPacer.stop();
  }

  onCharter(chain: CharterChain): void {
    // Bounded by the member count: statements of peers no longer members are dropped.
    for (const peer of this.#latest.keys()) if (!chain.isMember(peer)) this.#latest.delete(peer);
    this.#watch.retain((p) => chain.isMember(p));
    this.#own = undefined; // a new head: the next statement names it
    // A new member list: what made the old one fresh (this node alone, say) says nothing of the new.
    if (this.#freshUntil !== undefined) this.#freshUntil = Math.min(this.#freshUntil, this.#ms());
    this.#members = chain.current.members.length;
    this.#charterPacer.request(); // names the head of the moment it runs
  }

  onPeerConnected(): void {
    const own = this.#own;
    if (own === undefined || this.#ms() - Date.parse(own.statement.issuedAt) >= RESIGN_MIN_MS) this.#own = undefined;
    this.#publish();
  }

  /** Asks the round's members whose statement is missing, not of our head, or older than an interval. */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ctx = this.#ctx;
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) return;
    const now = this.#ms();
    const wanted = peers.filter((p) => {
      const s = this.#latest.get(p)?.statement;
      return (
        s === undefined ||
        s.version !== chain.version ||
        s.digest !== chain.head.digest ||
        now - Date.parse(s.issuedAt) >= this.config.intervalMs
      );
    });
    await askFreshness(ctx, wanted, (env, peer) => this.#take(env, peer));
    this.#evaluate();
  }

  memberStatus(member: Member): Record<string, unknown> {
    if (member.peerId === this.#ctx?.peerId) return { statedVersion: this.#ctx.chain()?.version ?? null };
    return { statedVersion: this.#latest.get(member.peerId)?.statement.version ?? null };
  }

  status(): Record<string, unknown> {
    const s = this.state();
    const members: Record<string, { version: number; issuedAt: string; expiresAt: string; confirms: boolean }> = {};
    const chain = this.#ctx?.chain();
    for (const { statement: x } of this.#latest.values()) {
      const confirms =
        x.version === chain?.version && x.digest === chain.head.digest && Date.parse(x.expiresAt) > this.#ms();
      members[x.org] = { version: x.version, issuedAt: x.issuedAt, expiresAt: x.expiresAt, confirms };
    }
    return {
      fresh: s.fresh,
      stale: s.stale,
      behind: s.behind,
      freshFrom: s.freshFrom,
      needed: s.needed,
      newestSeen: s.newestSeen,
      reason: s.reason,
      lastFreshAt: s.lastFreshAt,
      intervalMs: this.config.intervalMs,
      lifetimeMs: this.config.lifetimeMs,
      staleAfterMs: this.config.staleAfterMs,
      members,
      revocations: this.#watch.status(this.#ms(), chain?.current.members.length ?? 1),
    };
  }

  /** How old this node's kill-switch state is, as a majority of the members vouches for it (ms). */
  revocationAgeMs(): number {
    const chain = this.#ctx?.chain();
    if (chain === undefined) return 0;
    return this.#watch.ageMs(this.#ms(), chain.current.members.length);
  }

  /**
   * For GET /healthz: stale or not, and why — the charter (ERR_FEDERATION_STALE), or the kill-switch
   * state older than a contract allows, so decisions of its high-tier versions fail closed (ERR_REVOCATIONS_STALE).
   */
  health(): { stale: boolean; reason: string; code?: 'ERR_FEDERATION_STALE' | 'ERR_REVOCATIONS_STALE' } {
    const s = this.state();
    if (s.stale) return { stale: true, reason: s.reason, code: 'ERR_FEDERATION_STALE' };
    const window = this.#revocationWindowMs();
    if (window !== undefined && this.revocationAgeMs() > window) {
      return {
        stale: true,
        reason: `no majority confirmed this node's kill-switch state within ${window / 1000} s`,
        code: 'ERR_REVOCATIONS_STALE',
      };
    }
    return { stale: false, reason: s.reason };
  }

  /** The current judgement (emits the transition events when it changes). */
  state(): FreshnessState {
    return this.#evaluate();
  }

  #ms(): number {
    return this.#now().getTime();
  }

  #tick(): void {
    const own = this.#own;
    if (own === undefined || this.#ms() - Date.parse(own.statement.issuedAt) >= this.config.intervalMs) {
      this.#own = undefined;
      this.#publish();
    }
    this.#evaluate();
  }

  /** Our statement of the head we hold (signed now when there is none yet), or undefined when not a member. */
  #ownStatement(): Held | undefined {
    const ctx = this.#ctx;
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) return undefined;
    const me = chain.current.members.find((m) => m.peerId === ctx.peerId);
    if (me === undefined) return undefined;
    const own = this.#own;
    const revocations = this.#watch.state;
    if (
      own !== undefined &&
      own.statement.version === chain.version &&
      own.statement.digest === chain.head.digest &&
      own.statement.revocations?.digest === revocations?.digest
    ) {
      return own;
    }
    const now = this.#ms();
    const statement: FreshnessStatement = {
      type: FRESHNESS_TYPE,
      federationId: chain.federationId,
      org: me.org,
      peerId: me.peerId,
      version: chain.version,
      digest: chain.head.digest,
      issuedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.config.lifetimeMs).toISOString(),
      ...(revocations === undefined ? {} : { revocations }),
    };
    this.#own = { statement, envelope: ctx.signAsPeer(FRESHNESS_PAYLOAD_TYPE, encodeFreshness(statement)) };
    return this.#own;
  }

  #publish(): void {
    const ctx = this.#ctx;
    const own = this.#ownStatement();
    if (ctx === undefined || own === undefined) return;
    void ctx
      .publish('freshness', { envelope: own.envelope })
      .catch((err) => ctx.events('federation:publish-failed', { kind: 'freshness', error: errorText(err) }));
  }

  /** Answers a member's request (attacker-controlled bytes) with our current statement. */
  #serve(req: Uint8Array): Uint8Array {
    decodeFreshnessRequest(req);
    const own = this.#own;
    if (own !== undefined && this.#ms() - Date.parse(own.statement.issuedAt) >= RESIGN_MIN_MS) {
      // Not re-signed more often than RESIGN_MIN_MS, however often members ask.
      const half = this.config.lifetimeMs / 2;
      if (Date.parse(own.statement.expiresAt) - this.#ms() < half) this.#own = undefined;
    }
    return encodeFreshnessResponse(this.#ownStatement()?.envelope);
  }

  /** A `freshness` gossip body (attacker-controlled; the sender is a member). */
  #judgeGossip(msg: GossipMessage, _from: string): GossipVerdict {
    try {
      const keys = Object.keys(msg.body);
      if (keys.length !== 1 || keys[0] !== 'envelope') {
        throw new GossipValidationError('ERR_MALFORMED_GOSSIP', 'reject', 'freshness body must be {envelope}');
      }
      const taken = this.#take(msg.body.envelope as Envelope, msg.sender);
      this.#evaluate();
      return taken ? { result: 'accept' } : { result: 'ignore', error: undefined };
    } catch (err) {
      return { result: actionOf(err), error: err };
    }
  }

  /**
   * Verifies `env` (attacker-controlled) as `from`'s own statement and keeps it when it is newer than
   * the one held. Throws the checklist's coded error; returns false for one not newer (a duplicate).
   */
  #take(env: Envelope, from: string): boolean {
    const ctx = this.#ctx;
    const chain = ctx?.chain();
    if (ctx === undefined || chain === undefined) return false;
    const s = verifyFreshness(env, chain, { now: this.#ms(), verify: this.#verify, skewMs: this.#skewMs });
    if (s.peerId !== from) {
      throw new GossipValidationError('ERR_UNKNOWN_SIGNER', 'reject', `${from} relayed the statement of ${s.peerId}`);
    }
    if (s.peerId === ctx.peerId || !chain.isMember(s.peerId)) return false; // a former member's: not counted
    const held = this.#latest.get(s.peerId)?.statement;
    if (held !== undefined) {
      const [a, b] = [Date.parse(held.issuedAt), Date.parse(s.issuedAt)];
      // Newer only; within one millisecond, the higher version (a member that just accepted one).
      if (a > b || (a === b && held.version >= s.version)) return false;
    }
    const watched = this.#watch.observe(s.peerId, s);
    this.#latest.set(s.peerId, { statement: s, envelope: env });
    if (watched === 'behind') ctx.pullSoon?.(s.peerId);
    else if (s.version > chain.version) ctx.pullSoon?.(s.peerId, s.version);
    return true;
  }

  #evaluate(): FreshnessState {
    const ctx = this.#ctx;
    const chain = ctx?.chain();
    const now = this.#ms();
    if (ctx === undefined || chain === undefined) {
      const reason = 'not in a federation';
      const j = { fresh: true, freshFrom: 0, needed: 0, newestSeen: 0, behind: false, freshUntil: 0, reason };
      return { ...j, federated: false, stale: false, version: 0, lastFreshAt: null };
    }
    this.#watchSince ??= now;
    const j = judgeFreshness({
      head: { version: chain.version, digest: chain.head.digest },
      members: chain.current.members.map((m) => m.peerId),
      self: ctx.peerId,
      statements: [...this.#latest.values()].map((h) => h.statement),
      now,
    });
    // The last fresh moment: now, or when the confirmations of the last fresh judgement expired — not
    // when we happened to look, so staleness does not depend on how often the node checks.
    if (j.fresh) this.#freshUntil = Math.max(j.freshUntil, this.#freshUntil ?? 0);
    const lastFresh = this.#freshUntil === undefined ? undefined : Math.min(this.#freshUntil, now);
    const stale = !j.fresh && now - (lastFresh ?? this.#watchSince) > this.config.staleAfterMs;
    const lastFreshAt = lastFresh === undefined ? null : new Date(lastFresh).toISOString();
    const facts = { version: chain.version, freshFrom: j.freshFrom, needed: j.needed, reason: j.reason };
    if (stale && !this.#stale) ctx.events('federation:stale', { ...facts, lastFreshAt });
    if (!stale && this.#stale) ctx.events('federation:fresh', facts);
    this.#stale = stale;
    return { ...j, federated: true, stale, version: chain.version, lastFreshAt };
  }
}
