/**
 * PolicyService: this node's policy — the federation's global baseline (threshold-signed bundles), its
 * own stricter local overlay, and enforcement of both on every evaluation.
 *
 * Components: the home (config: org, jurisdiction; the peer key that signs), the audit log (append
 * only), an event sink, a clock, optionally a Prometheus registry. A FederationModule: the
 * FederationService gives it the charter, gossip (`policy`, `policy-receipt`), the request protocol
 * POLICY_SYNC_PROTOCOL and its sync rounds. start() reloads DIR/policy/state.json (the local overlay at
 * once; the bundles are re-verified against the charter as soon as the federation hands it over).
 *
 * Global bundles
 *   propose   the node completes the user's {rules, expiresAt?} into bundle version n+1 (federation id,
 *             previous = digest of n, createdAt, expiresAt default +30 days), type-checks every rule, signs
 *             it and gossips it on `policy`; members co-sign with sign(id). The node never signs two
 *             different bundles for one version.
 *   apply     whoever holds a bundle with at least thresholds.policy valid member signatures applies it:
 *             PolicyChain.accept (rollback, replay, gap, wrong previous, under-threshold, non-member,
 *             fork and expiry are its typed rejections) → the compiled rule set used by enforcement is
 *             swapped in one assignment → state persisted → governance leaf `policy.bundle` → a signed
 *             receipt {org, version, bundleHash, logIndex} gossiped on `policy-receipt`.
 *   sync      on every sync round and new member connection: policy-hello both ways, pull missing
 *             versions (get-policies), push pending proposals, pull receipts. Gossip is the fast path,
 *             sync the guarantee (a node that was offline catches up here).
 * Inbound gossip and sync bodies are attacker-controlled (the sender is a member, not necessarily
 * honest): every envelope goes through protocol/policy's checks. A rejection is an event
 * `policy:rejected` {code, via, peer}, a count in status().rejected and govfed_policy_rejected_total; a
 * fork additionally raises `policy:fork`, is audited (`policy.fork`) and shows in status().forks.
 *
 * Enforcement (evaluate): the global rules, then the local ones, of the hook; a deny from either denies
 * (local rules can only add findings). An expired baseline still applies (fail closed) and every verdict
 * says `expired: true`.
 */
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { CharterChain, Envelope, GossipMessage } from '../../protocol/federation/index.ts';
import {
  addBundleSignature,
  BUNDLE_TYPE,
  type BundleStatus,
  bundleDigest,
  bundleStatus,
  type CompiledRule,
  type CostLimits,
  checkBundle,
  checkLocalPolicy,
  checkRuleSet,
  compileRules,
  decodeBundleEnvelope,
  decodePolicySyncMessage,
  encodePolicySyncMessage,
  evaluate,
  type HookName,
  hookInput,
  LOCAL_POLICY_TYPE,
  type LocalPolicy,
  MAX_POLICY_SYNC_BYTES,
  mergeBundleSignatures,
  type NodeValue,
  nodeValue,
  POLICY_SYNC_PROTOCOL,
  type PolicyBundle,
  PolicyChain,
  type PolicyReceipt,
  type PolicySyncMessage,
  policyFromGossipBody,
  RECEIPT_TYPE,
  type Rule,
  type RuleProblem,
  receiptFromGossipBody,
  receiptOf,
  signBundle,
  signReceipt,
  type Verdict,
  verifyReceipt,
} from '../../protocol/policy/index.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import type { FederationContext, FederationModule } from '../federation/module.ts';
import type { LoadedHome } from '../home/load.ts';
import type { AuditLog } from '../log/index.ts';
import type { Verdict as GossipVerdict } from '../p2p/pubsub.ts';
import { type PolicyEventKind, policyAuditItem } from './audit.ts';
import { PolicyMetrics } from './metrics.ts';
import { POLICY_STATE_VERSION, PolicyStore, type StoredPolicyProposal } from './store.ts';

/** Default lifetime of a bundle whose file names no expiresAt. */
export const DEFAULT_BUNDLE_TTL_MS = 30 * 24 * 60 * 60_000;
/** Lifetime of a pending proposal (made here or learned from a peer). */
export const POLICY_PROPOSAL_TTL_MS = 24 * 60 * 60_000;
/** Largest number of pending proposals kept (oldest dropped first). */
export const MAX_PENDING_PROPOSALS = 32;
/** Largest number of fork envelopes kept as evidence. */
export const MAX_FORKS = 16;
/** Most bundle versions one sync round pulls and takes as a run (each at most MAX_BUNDLE_BYTES). */
export const MAX_CATCH_UP = 256;
/** Rules this node already holds are compiled without the static cost limits (see #swap). */
const HELD: CostLimits = { maxCost: Number.POSITIVE_INFINITY, maxSetCost: Number.POSITIVE_INFINITY };

export interface PolicyServiceOptions {
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now?: () => Date;
  /** Where the govfed_policy_* metrics are registered (the node's registry); none when absent. */
  registry?: Registry;
}

/** A pending or just-completed bundle proposal, as the API shows it. */
export interface PolicyProposalView {
  /** The bundle digest (`sha256:<hex>`): what `policy sign` takes. */
  id: string;
  version: number;
  signedBy: string[];
  required: number;
  complete: boolean;
  /** True once the bundle is this node's active baseline. */
  applied: boolean;
  expiresAt: string;
  bundle: PolicyBundle;
}

export interface PolicyMemberView {
  org: string;
  peerId: string;
  self: boolean;
  /** The version the member's newest receipt says it applied (null: no receipt seen). */
  version: number | null;
  bundleHash: string | null;
  /** The member's signed receipt envelope, or null. */
  receipt: Envelope | null;
}

export interface PolicyStatus {
  federated: boolean;
  self: {
    org: string;
    peerId: string;
    version: number;
    digest: string | null;
    expiresAt: string | null;
    expired: boolean;
    appliedAt: string | null;
    logIndex: number | null;
    localVersion: number;
    localRules: number;
  };
  members: PolicyMemberView[];
  pending: PolicyProposalView[];
  forks: { version: number; digest: string; signedBy: string[] }[];
  rejected: Record<string, number>;
}

export interface PolicyView {
  version: number;
  digest: string | null;
  createdAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  rules: Rule[];
  /** The bundle's envelope (with its signatures), or null. */
  envelope: Envelope | null;
  local: { version: number; updatedAt: string | null; rules: Rule[] };
}

export interface LocalView {
  version: number;
  updatedAt: string | null;
  rules: Rule[];
}

/** What enforcement uses, swapped in one assignment. */
interface ActiveRules {
  global: CompiledRule[];
  local: CompiledRule[];
  version: number;
  expiresAt: number | null;
}

export class PolicyService implements FederationModule {
  readonly name = 'policy';
  readonly #home: PolicyServiceOptions['home'];
  readonly #log: PolicyServiceOptions['log'];
  readonly #events: EventSink;
  readonly #now: () => Date;
  readonly #store: PolicyStore;
  readonly #seed: Uint8Array;
  readonly #metrics: PolicyMetrics | undefined;
  readonly #node: NodeValue;
  #ctx: FederationContext | undefined;
  #chain: PolicyChain | undefined;
  #storedBundles: Envelope[] = [];
  #pending = new Map<string, StoredPolicyProposal>();
  #local: LocalPolicy | undefined;
  #receipts = new Map<string, Envelope>();
  #forks: Envelope[] = [];
  #active: ActiveRules = { global: [], local: [], version: 0, expiresAt: null };
  #applied: { appliedAt: string; logIndex: number | null } | undefined;
  #rejected: Record<string, number> = {};
  #syncing = new Set<string>();
  #stopped = false;
  /** Serialises the async tail of applies (persist, audit, receipt) so their order is the apply order. */
  #tail: Promise<void> = Promise.resolve();

  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: FederationModule['protocols'];

  constructor(opts: PolicyServiceOptions) {
    this.#home = opts.home;
    this.#log = opts.log;
    this.#events = opts.events;
    this.#now = opts.now ?? (() => new Date());
    this.#store = new PolicyStore(opts.home.dir);
    this.#seed = privateKeyFromProtobuf(opts.home.peerKey).raw.slice(0, 32);
    this.#metrics = opts.registry === undefined ? undefined : new PolicyMetrics(opts.registry, this);
    this.#node = nodeValue({ org: opts.home.config.org, jurisdiction: opts.home.config.jurisdiction });
    this.gossip = {
      policy: (msg, from) => this.#onPolicyGossip(msg, from),
      'policy-receipt': (msg, from) => this.#onReceiptGossip(msg, from),
    };
    this.protocols = {
      [POLICY_SYNC_PROTOCOL]: {
        maxBytes: MAX_POLICY_SYNC_BYTES,
        handle: (req, from) => this.#serve(req, from),
      },
    };
  }

  get peerId(): string {
    return this.#home.config.peerId;
  }

  /** The active baseline's version (0 when none). */
  get version(): number {
    return this.#active.version;
  }

  // ---- lifecycle ----

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    const state = await this.#store.load();
    if (state === undefined) return;
    this.#storedBundles = state.bundles;
    if (state.local !== null) {
      try {
        this.#local = checkLocalPolicy(state.local, HELD);
      } catch (cause) {
        throw new NodeError('ERR_INVALID_CONFIG', `${this.#store.file}: the local policy does not check`, { cause });
      }
    }
    for (const p of state.pending) this.#pending.set(bundleDigest(bundleOf(p.envelope)), p);
    for (const r of state.receipts) {
      const rec = receiptOf(r);
      this.#receipts.set(rec.peerId, r);
    }
    this.#forks = state.forks;
    // Until the charter re-verifies the chain, enforce the stored head (it was verified when applied):
    // a restart must never open a window without the baseline.
    const head = state.bundles.at(-1);
    this.#swap(head === undefined ? undefined : bundleOf(head));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#tail.catch(() => {});
    await this.#store.flush();
  }

  /** The federation's charter is known (network start) or changed. */
  onCharter(chain: CharterChain): void {
    if (this.#chain !== undefined) {
      this.#dropStalePending();
      return;
    }
    try {
      this.#chain = PolicyChain.fromEnvelopes(chain.federationId, this.#storedBundles, chain);
    } catch (err) {
      // The stored chain no longer verifies against this charter: keep enforcing the stored head (fail
      // closed) and say so loudly; a valid newer version from the federation replaces it.
      this.#events('policy:reload-failed', { error: errorText(err) });
      this.#chain = new PolicyChain(chain.federationId);
      return;
    }
    // Receipts, pending proposals: keep only what still checks.
    for (const [peer, env] of this.#receipts) {
      try {
        verifyReceipt(env, chain);
      } catch {
        this.#receipts.delete(peer);
      }
    }
    this.#dropStalePending();
    this.#swap(this.#chain.current?.bundle);
  }

  onPeerConnected(peer: string): void {
    void this.#syncWith(peer);
  }

  async onSyncRound(peers: readonly string[]): Promise<void> {
    await Promise.all(peers.map((p) => this.#syncWith(p)));
  }

  status(): Record<string, unknown> {
    const s = this.policyStatus();
    return { version: s.self.version, digest: s.self.digest, expired: s.self.expired, pending: s.pending.length };
  }

  // ---- enforcement ----

  /** Evaluates `input` against the global and local rules of `hook`. Never throws for a bad input: fail closed. */
  evaluate(hook: HookName, input: unknown): Verdict {
    const a = this.#active;
    const now = this.#now().getTime();
    const activation = hookInput(hook, input, this.#node, now);
    const verdict = evaluate(a, hook, activation, {
      policyVersion: a.version === 0 ? null : a.version,
      expired: a.expiresAt !== null && now >= a.expiresAt,
    });
    this.#metrics?.evaluated(verdict.allowed);
    return verdict;
  }

  /** Whether the active baseline is past its expiresAt. */
  get expired(): boolean {
    const e = this.#active.expiresAt;
    return e !== null && this.#now().getTime() >= e;
  }

  // ---- operations (admin API) ----

  /**
   * Proposes the next bundle from a user file `{rules, expiresAt?}`: fills federation id, version,
   * previous and createdAt, type-checks every rule (ERR_INVALID_RULE with a pointed message), signs and
   * gossips it; applies it at once when our signature meets the threshold.
   */
  async propose(file: { rules: unknown; expiresAt?: string }): Promise<PolicyProposalView> {
    const fed = this.#requireFederation();
    const chain = this.#requireChain();
    const now = this.#now();
    const head = chain.current;
    const bundle = checkBundle({
      type: BUNDLE_TYPE,
      federationId: fed.federationId,
      version: chain.version + 1,
      previous: head === undefined ? null : head.digest,
      createdAt: now.toISOString(),
      expiresAt: file.expiresAt ?? new Date(now.getTime() + DEFAULT_BUNDLE_TTL_MS).toISOString(),
      rules: file.rules,
    });
    const digest = bundleDigest(bundle);
    this.#assertNoConflict(bundle.version, digest);
    return await this.#offer(signBundle(bundle, this.#seed), 'local');
  }

  /** Co-signs a pending proposal named by its id (the bundle digest, or a unique prefix of its hex). */
  async sign(id: string): Promise<PolicyProposalView> {
    this.#requireFederation();
    const hex = id.startsWith('sha256:') ? id.slice(7) : id;
    const matches = [...this.#pending.entries()].filter(([d]) => d.slice(7).startsWith(hex));
    const p = matches.length === 1 ? matches[0]?.[1] : undefined;
    if (p === undefined) {
      throw new NodeError(
        'ERR_NOT_FOUND',
        matches.length > 1
          ? `${id} names ${matches.length} pending policy proposals`
          : `no pending policy proposal ${id}`,
      );
    }
    const bundle = bundleOf(p.envelope);
    this.#assertNoConflict(bundle.version, bundleDigest(bundle));
    return await this.#offer(addBundleSignature(p.envelope, this.#seed), 'local');
  }

  /** Offline type check of a bundle file or a rule list: every problem, with line and column. */
  check(value: unknown): { ok: boolean; errors: RuleProblem[] } {
    return checkRuleSet(value);
  }

  /** Installs the node-local overlay `{rules}` (type-checked like global rules); audited. */
  async setLocal(input: { rules: unknown }): Promise<LocalView> {
    const local = checkLocalPolicy({
      type: LOCAL_POLICY_TYPE,
      version: (this.#local?.version ?? 0) + 1,
      updatedAt: this.#now().toISOString(),
      rules: input.rules,
    });
    const compiled = compileRules(local.rules);
    this.#local = local;
    this.#active = { ...this.#active, local: compiled };
    await this.#persist();
    await this.#audit('policy.local', local.version, local);
    this.#events('policy:local', { version: local.version, rules: local.rules.length });
    return this.local();
  }

  local(): LocalView {
    const l = this.#local;
    return { version: l?.version ?? 0, updatedAt: l?.updatedAt ?? null, rules: l?.rules ?? [] };
  }

  /** The active baseline (rules, version, digest, expiry) and the local overlay. */
  show(): PolicyView {
    const cur = this.#chain?.current ?? this.#storedHead();
    return {
      version: cur?.bundle.version ?? 0,
      digest: cur?.digest ?? null,
      createdAt: cur?.bundle.createdAt ?? null,
      expiresAt: cur?.bundle.expiresAt ?? null,
      expired: this.expired,
      rules: cur?.bundle.rules ?? [],
      envelope: cur?.envelope ?? null,
      local: this.local(),
    };
  }

  /** This node's baseline, every member's receipt, pending proposals, forks and rejections. */
  policyStatus(): PolicyStatus {
    const c = this.#home.config;
    const cur = this.#chain?.current ?? this.#storedHead();
    const charter = this.#ctx?.chain()?.current;
    // Since this start, or else from our own receipt for the current version (it survives restarts).
    const own = this.#receipts.get(this.peerId);
    const ownReceipt = own === undefined ? undefined : receiptOf(own);
    const applied =
      this.#applied ??
      (ownReceipt !== undefined && ownReceipt.bundleHash === cur?.digest
        ? { appliedAt: ownReceipt.appliedAt, logIndex: ownReceipt.logIndex }
        : undefined);
    const members: PolicyMemberView[] = (charter?.members ?? []).map((m) => {
      const env = this.#receipts.get(m.peerId) ?? null;
      const r = env === null ? undefined : receiptOf(env);
      return {
        org: m.org,
        peerId: m.peerId,
        self: m.peerId === this.peerId,
        version: r?.version ?? null,
        bundleHash: r?.bundleHash ?? null,
        receipt: env,
      };
    });
    return {
      federated: charter !== undefined,
      self: {
        org: c.org,
        peerId: this.peerId,
        version: cur?.bundle.version ?? 0,
        digest: cur?.digest ?? null,
        expiresAt: cur?.bundle.expiresAt ?? null,
        expired: this.expired,
        appliedAt: applied?.appliedAt ?? null,
        logIndex: applied?.logIndex ?? null,
        localVersion: this.#local?.version ?? 0,
        localRules: this.#local?.rules.length ?? 0,
      },
      members,
      pending: this.#pendingViews(),
      forks: this.#forks.map((env) => {
        const b = bundleOf(env);
        return { version: b.version, digest: bundleDigest(b), signedBy: env.signatures.flatMap((s) => s.keyid ?? []) };
      }),
      rejected: { ...this.#rejected },
    };
  }

  // ---- proposals and applies ----

  #pendingViews(): PolicyProposalView[] {
    const charter = this.#ctx?.chain();
    if (charter === undefined) return [];
    const out: PolicyProposalView[] = [];
    for (const p of this.#pending.values()) {
      try {
        out.push(this.#view(bundleStatus(p.envelope, charter), p.expiresAt));
      } catch {
        // no longer valid under the charter: dropped on the next change
      }
    }
    return out;
  }

  #view(s: BundleStatus, expiresAt: string): PolicyProposalView {
    return {
      id: s.digest,
      version: s.bundle.version,
      signedBy: s.signedBy,
      required: s.required,
      complete: s.complete,
      applied: this.#chain?.current?.digest === s.digest,
      expiresAt,
      bundle: s.bundle,
    };
  }

  /**
   * A bundle envelope we signed or received (attacker-controlled unless `via` is local): checked
   * (bundleStatus: every signature by a current member and valid, right federation), merged with our copy;
   * applied when complete, otherwise kept pending and (when local) gossiped.
   */
  async #offer(env: Envelope, via: 'local' | 'gossip' | 'sync', from?: string): Promise<PolicyProposalView> {
    const charter = this.#requireCharter();
    const s0 = bundleStatus(env, charter);
    const chain = this.#requireChain();
    if (chain.current !== undefined && s0.digest === chain.current.digest) {
      return this.#view(s0, this.#expiry());
    }
    const prev = this.#pending.get(s0.digest);
    const merged = prev === undefined ? env : mergeBundleSignatures(prev.envelope, env);
    const s = bundleStatus(merged, charter);
    if (s.complete) {
      this.#applySync(merged, via === 'local' ? 'local' : via, from);
      // Gossip first: the audit leaf and the receipt (on #tail) can wait; members that learnt the
      // bundle some other way first would answer our gossip with `ignore` and not forward it.
      if (via === 'local') await this.#publish('policy', merged);
      await this.#tail;
      return this.#view(s, prev?.expiresAt ?? this.#expiry());
    }
    if (s.bundle.version <= chain.version) {
      throw new GovfedError(
        'ERR_POLICY_ROLLBACK',
        `bundle version ${s.bundle.version} is not newer than ${chain.version}`,
      );
    }
    const expiresAt = prev?.expiresAt ?? this.#expiry();
    const grew = prev === undefined || merged.signatures.length > prev.envelope.signatures.length;
    this.#pending.set(s.digest, { envelope: merged, expiresAt });
    this.#trimPending();
    if (grew) {
      this.#events('policy:proposal', {
        via,
        ...(from === undefined ? {} : { from }),
        id: s.digest,
        version: s.bundle.version,
        signatures: s.signedBy.length,
        required: s.required,
      });
      await this.#persist();
    }
    if (via === 'local') await this.#publish('policy', merged);
    return this.#view(s, expiresAt);
  }

  /**
   * Applies a complete bundle now: PolicyChain.accept and the swap of the enforced rule set happen
   * synchronously (atomically for every later evaluation); persistence, the audit leaf and the receipt
   * follow in order on #tail. Throws the chain's typed rejection; a fork is recorded as evidence.
   * Returns false for a duplicate.
   */
  #applySync(env: Envelope, via: string, from?: string): boolean {
    return this.#applyRunSync([env], via, from);
  }

  /**
   * Catch-up: applies versions current+1..n at once (PolicyChain.acceptRun: the newest must be fully
   * signed under today's charter and unexpired; the ones before it are authenticated by its hash chain).
   * The intermediate versions are recorded in the audit log as history; the newest is enforced.
   */
  #applyRunSync(envs: readonly Envelope[], via: string, from?: string): boolean {
    const chain = this.#requireChain();
    const charter = this.#requireCharter();
    let taken: ReturnType<PolicyChain['acceptRun']>;
    try {
      taken = chain.acceptRun(envs, charter, this.#now().getTime());
    } catch (err) {
      if (isGovfedError(err, 'ERR_POLICY_FORK')) {
        const held = chain.version;
        const fork = envs.find((e) => bundleOf(e).version === held);
        if (fork !== undefined) this.#onFork(fork, via, from);
      }
      throw err;
    }
    const head = taken.at(-1);
    if (head === undefined) return false;
    for (const e of taken.slice(0, -1)) {
      this.#queue(async () => {
        await this.#audit('policy.bundle', e.version, e.envelope, e.digest);
      });
    }
    const r = { entry: head };
    const bundle = r.entry.bundle;
    this.#swap(bundle);
    for (const [id, p] of this.#pending) if (bundleOf(p.envelope).version <= bundle.version) this.#pending.delete(id);
    const appliedAt = this.#now().toISOString();
    this.#applied = { appliedAt, logIndex: null };
    this.#events('policy:applied', {
      version: bundle.version,
      digest: r.entry.digest,
      via,
      ...(from === undefined ? {} : { from }),
      rules: bundle.rules.length,
    });
    this.#queue(async () => {
      await this.#persist();
      const logIndex = await this.#audit('policy.bundle', bundle.version, r.entry.envelope, r.entry.digest);
      if (this.#chain?.current?.digest === r.entry.digest) this.#applied = { appliedAt, logIndex: logIndex ?? null };
      if (logIndex !== undefined) await this.#issueReceipt(bundle, r.entry.digest, logIndex, appliedAt);
    });
    return true;
  }

  #onFork(env: Envelope, via: string, from?: string): void {
    const b = bundleOf(env);
    const digest = bundleDigest(b);
    if (this.#forks.some((f) => bundleDigest(bundleOf(f)) === digest)) return;
    this.#forks = [...this.#forks, env].slice(-MAX_FORKS);
    this.#events('policy:fork', {
      version: b.version,
      digest,
      current: this.#chain?.current?.digest ?? null,
      via,
      ...(from === undefined ? {} : { from }),
    });
    this.#queue(async () => {
      await this.#persist();
      await this.#audit('policy.fork', b.version, env, digest);
    });
  }

  async #issueReceipt(bundle: PolicyBundle, digest: string, logIndex: number, appliedAt: string): Promise<void> {
    const c = this.#home.config;
    const receipt: PolicyReceipt = {
      type: RECEIPT_TYPE,
      federationId: bundle.federationId,
      org: c.org,
      peerId: this.peerId,
      version: bundle.version,
      bundleHash: digest,
      logIndex,
      appliedAt,
    };
    const env = signReceipt(receipt, this.#seed);
    this.#receipts.set(this.peerId, env);
    await this.#persist();
    await this.#publish('policy-receipt', { envelope: env });
  }

  /**
   * Compiles `bundle`'s rules (or none) and swaps them in with the local rules, in one assignment. Both
   * were checked when they were accepted or set; the static cost limits are not applied again here, so
   * rules held from before an upgrade lowered them are still enforced (each stopped at its runtime
   * budget, and then firing) rather than leaving the node without its baseline.
   */
  #swap(bundle: PolicyBundle | undefined): void {
    const local = this.#local === undefined ? [] : compileRules(this.#local.rules, HELD);
    this.#active = {
      global: bundle === undefined ? [] : compileRules(bundle.rules, HELD),
      local,
      version: bundle?.version ?? 0,
      expiresAt: bundle === undefined ? null : Date.parse(bundle.expiresAt),
    };
  }

  #storedHead(): { bundle: PolicyBundle; digest: string; envelope: Envelope } | undefined {
    const env = this.#storedBundles.at(-1);
    if (env === undefined) return undefined;
    const bundle = bundleOf(env);
    return { bundle, digest: bundleDigest(bundle), envelope: env };
  }

  #dropStalePending(): void {
    const charter = this.#ctx?.chain();
    const now = this.#now().getTime();
    const version = this.#chain?.version ?? 0;
    for (const [id, p] of this.#pending) {
      let keep = Date.parse(p.expiresAt) > now;
      if (keep && charter !== undefined) {
        try {
          keep = bundleStatus(p.envelope, charter).bundle.version > version;
        } catch {
          keep = false;
        }
      }
      if (!keep) this.#pending.delete(id);
    }
  }

  #trimPending(): void {
    while (this.#pending.size > MAX_PENDING_PROPOSALS) {
      const oldest = this.#pending.keys().next().value;
      if (oldest === undefined) break;
      this.#pending.delete(oldest);
    }
  }

  /**
   * This node never signs two different bundles with the same version (that is how forks are made):
   * ERR_PROPOSAL_PENDING while a bundle we signed for `version` is pending.
   */
  #assertNoConflict(version: number, digest: string): void {
    for (const [id, p] of this.#pending) {
      if (id === digest) continue;
      if (!p.envelope.signatures.some((x) => x.keyid === this.peerId)) continue;
      if (bundleOf(p.envelope).version === version) {
        throw new NodeError(
          'ERR_PROPOSAL_PENDING',
          `this node already signed policy ${id} for version ${version}; wait until it is applied or expires (${p.expiresAt})`,
        );
      }
    }
  }

  // ---- gossip ----

  /** Gossip `policy` {envelope}: a bundle with >= 1 signature (complete or not). Synchronous verdict. */
  #onPolicyGossip(msg: GossipMessage, from: string): GossipVerdict {
    try {
      const env = policyFromGossipBody(msg.body);
      const charter = this.#requireCharter();
      const chain = this.#requireChain();
      const s = bundleStatus(env, charter); // forged or non-member signatures: reject
      if (chain.current?.digest === s.digest) return { result: 'ignore', error: undefined };
      if (s.bundle.version > chain.version + 1) {
        this.#pullSoon(from);
        throw new GovfedError('ERR_POLICY_GAP', `bundle version ${s.bundle.version}, this node holds ${chain.version}`);
      }
      if (s.complete) {
        // The chain moves now; persistence, audit and receipt follow in order.
        this.#applySync(env, 'gossip', msg.sender);
        return { result: 'accept' };
      }
      if (s.bundle.version <= chain.version) return { result: 'ignore', error: undefined }; // a stale proposal
      void this.#offer(env, 'gossip', msg.sender).catch((err) => this.#reject('gossip', from, err));
      return { result: 'accept' };
    } catch (err) {
      this.#reject('gossip', from, err);
      const code = isGovfedError(err) ? err.code : '';
      const ignore = code === 'ERR_POLICY_GAP' || code === 'ERR_POLICY_ROLLBACK' || code === 'ERR_NO_FEDERATION';
      return { result: ignore ? 'ignore' : 'reject', error: err };
    }
  }

  /** Gossip `policy-receipt` {envelope}: one member's signed receipt. */
  #onReceiptGossip(msg: GossipMessage, from: string): GossipVerdict {
    try {
      const stored = this.#takeReceipt(receiptFromGossipBody(msg.body));
      return stored ? { result: 'accept' } : { result: 'ignore', error: undefined };
    } catch (err) {
      this.#reject('gossip', from, err);
      return { result: 'reject', error: err };
    }
  }

  /** Verifies a receipt (attacker-controlled) and keeps it when it is that member's newest. */
  #takeReceipt(value: unknown): boolean {
    const charter = this.#requireCharter();
    const env = value as Envelope;
    const r = verifyReceipt(env, charter);
    const prev = this.#receipts.get(r.peerId);
    if (prev !== undefined) {
      const p = receiptOf(prev);
      if (p.version > r.version || (p.version === r.version && p.appliedAt >= r.appliedAt)) return false;
    }
    this.#receipts.set(r.peerId, env);
    this.#queue(() => this.#persist());
    return true;
  }

  // ---- sync ----

  #hello(): PolicySyncMessage {
    const cur = this.#chain?.current;
    return {
      type: 'policy-hello',
      version: this.#chain?.version ?? 0,
      digest: cur?.digest ?? null,
      pending: [...this.#pending.keys()],
    };
  }

  /** Answers one sync request (attacker-controlled bytes) from the member `from`. */
  async #serve(req: Uint8Array, from: string): Promise<Uint8Array> {
    const msg = decodePolicySyncMessage(req);
    const chain = this.#requireChain();
    let reply: PolicySyncMessage;
    switch (msg.type) {
      case 'policy-hello':
        if (msg.version > chain.version) this.#pullSoon(from);
        reply = this.#hello();
        break;
      case 'get-policies':
        reply = { type: 'policies', envelopes: chain.since(msg.from).map((e) => e.envelope) };
        break;
      case 'get-receipts':
        reply = { type: 'receipts', envelopes: [...this.#receipts.values()] };
        break;
      case 'policy-proposal':
        await this.#offerFromPeer(msg.envelope, 'sync', from);
        reply = this.#hello();
        break;
      case 'policies':
        if (msg.envelopes.length > 0) await this.#acceptRunFromPeer(msg.envelopes, 'sync', from);
        reply = this.#hello();
        break;
      case 'receipts':
        for (const env of msg.envelopes) this.#tryReceipt(env, 'sync', from);
        reply = this.#hello();
        break;
    }
    return encodePolicySyncMessage(reply);
  }

  /** A proposal or bundle from a peer by sync: rejections are counted and logged, not thrown. */
  async #offerFromPeer(env: Envelope, via: 'sync' | 'gossip', from: string): Promise<void> {
    try {
      await this.#offer(env, via, from);
    } catch (err) {
      this.#reject(via, from, err);
    }
  }

  /** Active bundles from a peer (a `policies` answer), oldest first, taken as one run. True when applied. */
  async #acceptRunFromPeer(envs: readonly Envelope[], via: 'sync', from: string): Promise<boolean> {
    try {
      const applied = this.#applyRunSync(envs, via, from);
      await this.#tail;
      return applied;
    } catch (err) {
      this.#reject(via, from, err);
      return false;
    }
  }

  #tryReceipt(env: Envelope, via: string, from: string): void {
    try {
      this.#takeReceipt(env);
    } catch (err) {
      this.#reject(via, from, err);
    }
  }

  async #request(peer: string, msg: PolicySyncMessage): Promise<PolicySyncMessage> {
    const ctx = this.#requireCtx();
    const bytes = await ctx.request(peer, POLICY_SYNC_PROTOCOL, encodePolicySyncMessage(msg), MAX_POLICY_SYNC_BYTES);
    return decodePolicySyncMessage(bytes);
  }

  /** One sync exchange with `peer`: hello; pull missing versions; push pending proposals; pull receipts. */
  async #syncWith(peer: string): Promise<void> {
    if (this.#chain === undefined || this.#ctx?.chain() === undefined || this.#syncing.has(peer) || this.#stopped) {
      return;
    }
    this.#syncing.add(peer);
    try {
      const hello = await this.#request(peer, this.#hello());
      if (hello.type !== 'policy-hello') throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', 'expected policy-hello');
      // Pull every version we lack up to the peer's newest, then take them as one run (only the newest
      // must be fully signed under today's charter: old versions may have expired or predate a change of
      // members or threshold). At most MAX_CATCH_UP versions per round.
      const run: Envelope[] = [];
      let next = (this.#chain?.version ?? 0) + 1;
      while (!this.#stopped && next <= hello.version && run.length < MAX_CATCH_UP) {
        const reply = await this.#request(peer, { type: 'get-policies', from: next });
        if (reply.type !== 'policies' || reply.envelopes.length === 0) break;
        run.push(...reply.envelopes);
        next += reply.envelopes.length;
      }
      if (run.length > 0) await this.#acceptRunFromPeer(run, 'sync', peer);
      for (const [id, p] of this.#pending) {
        if (this.#stopped) break;
        const theirs = hello.pending.includes(id);
        const ours = p.envelope.signatures.length;
        // Push what the peer lacks, and what may carry more signatures than its copy.
        if (!theirs || ours > 1) await this.#request(peer, { type: 'policy-proposal', envelope: p.envelope });
      }
      const receipts = await this.#request(peer, { type: 'get-receipts' });
      if (receipts.type === 'receipts') for (const env of receipts.envelopes) this.#tryReceipt(env, 'sync', peer);
    } catch (err) {
      if (!this.#stopped) this.#events('policy:sync-failed', { peer, error: errorText(err) });
    } finally {
      this.#syncing.delete(peer);
    }
  }

  #pullSoon(peer: string): void {
    setTimeout(() => void this.#syncWith(peer), 50).unref();
  }

  // ---- helpers ----

  #queue(fn: () => Promise<void>): void {
    this.#tail = this.#tail.then(fn).catch((err) => this.#events('policy:error', { error: errorText(err) }));
  }

  async #publish(kind: 'policy' | 'policy-receipt', body: Record<string, unknown> | Envelope): Promise<void> {
    const payload = kind === 'policy' ? { envelope: body } : (body as Record<string, unknown>);
    await this.#ctx?.publish(kind, payload);
  }

  #reject(via: string, peer: string, err: unknown): void {
    if (err === undefined) return;
    const code = isGovfedError(err) ? err.code : 'ERR_INTERNAL';
    this.#rejected[code] = (this.#rejected[code] ?? 0) + 1;
    this.#metrics?.rejected(code);
    this.#events('policy:rejected', { code, via, peer, message: errorText(err) });
  }

  async #persist(): Promise<void> {
    const chain = this.#chain;
    await this.#store.save({
      version: POLICY_STATE_VERSION,
      federationId: chain?.federationId ?? this.#ctx?.chain()?.federationId ?? null,
      // A chain that holds nothing yet (not loaded, or the stored one failed to re-verify) keeps what is stored.
      bundles:
        chain === undefined || chain.version === 0 ? this.#storedBundles : chain.versions().map((e) => e.envelope),
      pending: [...this.#pending.values()],
      local: this.#local ?? null,
      receipts: [...this.#receipts.values()],
      forks: this.#forks,
    });
    if (chain !== undefined && chain.version > 0) this.#storedBundles = chain.versions().map((e) => e.envelope);
  }

  /** Appends one governance leaf; returns its log index (undefined when the append failed, which is logged). */
  async #audit(kind: PolicyEventKind, version: number, object: unknown, digest?: string): Promise<number | undefined> {
    const federationId = this.#chain?.federationId;
    try {
      const [appended] = await this.#log.append([
        policyAuditItem({
          kind,
          version,
          object,
          time: this.#now(),
          ...(federationId === undefined ? {} : { federationId }),
          ...(digest === undefined ? {} : { digest }),
        }),
      ]);
      return appended?.index;
    } catch (err) {
      this.#events('policy:audit-failed', { kind, version, error: errorText(err) });
      return undefined;
    }
  }

  #expiry(): string {
    return new Date(this.#now().getTime() + POLICY_PROPOSAL_TTL_MS).toISOString();
  }

  #requireCtx(): FederationContext {
    if (this.#ctx === undefined) throw new NodeError('ERR_NO_FEDERATION', 'the policy service is not attached');
    return this.#ctx;
  }

  #requireFederation(): CharterChain {
    const chain = this.#ctx?.chain();
    if (chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    if (!chain.isMember(this.peerId)) throw new NodeError('ERR_NO_FEDERATION', 'this node is not a member yet');
    return chain;
  }

  /** The federation's charter chain (bundle and receipt checks use its current charter and its id). */
  #requireCharter(): CharterChain {
    const chain = this.#ctx?.chain();
    if (chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    return chain;
  }

  #requireChain(): PolicyChain {
    if (this.#chain === undefined) {
      const fed = this.#ctx?.chain();
      if (fed === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
      this.onCharter(fed);
    }
    return this.#chain as PolicyChain;
  }
}

const decoded = new WeakMap<Envelope, PolicyBundle>();

/**
 * The bundle inside an envelope we hold (decoding compiles every rule, so it is cached per envelope
 * object; envelopes are never mutated, merges make new ones).
 */
function bundleOf(env: Envelope): PolicyBundle {
  let b = decoded.get(env);
  if (b === undefined) {
    b = decodeBundleEnvelope(env).bundle;
    decoded.set(env, b);
  }
  return b;
}

function errorText(err: unknown): string {
  if (isGovfedError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
