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
 * Global bundles run on the generic replicated chain (node/chain, with object.ts saying what a bundle is):
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
 * Enforcement (evaluate) is PolicyEnforcer's (enforcement.ts): the global rules, then the local ones, of
 * the hook; a deny from either denies. The status view is computed in status.ts.
 */

import { privateKeyFromProtobuf } from '@libp2p/crypto/keys';
import type { Registry } from 'prom-client';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import type { CharterChain, GossipMessage, Head } from '../../protocol/federation/index.ts';
import {
  BASELINE_TYPE,
  baselineDigest,
  checkBaseline,
  checkLocalPolicy,
  checkRuleSet,
  compileRules,
  type HookExtra,
  type HookName,
  LOCAL_POLICY_TYPE,
  type LocalPolicy,
  MAX_POLICY_SYNC_BYTES,
  nodeValue,
  POLICY_SYNC_PROTOCOL,
  type PolicyBaseline,
  type RuleProblem,
  signBaseline,
  type Verdict,
} from '../../protocol/policy/index.ts';
import { ChainSync, errorText, objectGossipVerdict, ReplicatedChain, receiptGossipVerdict } from '../chain/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';
import { NodeError } from '../errors.ts';
import type { EventSink } from '../events.ts';
import { sameHead } from '../federation/heads.ts';
import type { FederationContext, FederationModule } from '../federation/module.ts';
import type { LoadedHome } from '../home/load.ts';
import type { ModuleState } from '../home/shared-state.ts';
import type { AuditLog } from '../log/index.ts';
import type { GossipVerdict } from '../p2p/pubsub.ts';
import { policyAuditItem } from './audit.ts';
import { HELD, PolicyEnforcer } from './enforcement.ts';
import { PolicyMetrics } from './metrics.ts';
import { policyObject } from './object.ts';
import { policyStatusOf } from './status.ts';
import { POLICY_STATE_VERSION, PolicyStore } from './store.ts';
import { type LocalView, type PolicyProposalView, type PolicyStatus, type PolicyView, view } from './views.ts';

/** Default lifetime of a bundle whose file names no expiresAt. */
export const DEFAULT_BUNDLE_TTL_MS = 30 * 24 * 60 * 60_000;
export { MAX_CATCH_UP, MAX_FORKS, MAX_PENDING_PROPOSALS, POLICY_PROPOSAL_TTL_MS } from './object.ts';

export interface PolicyServiceOptions {
  home: Pick<LoadedHome, 'dir' | 'config' | 'peerKey'>;
  /**
   * Where the module keeps its state (node/home/shared-state.ts): the home directory when absent; the
   * log's PostgreSQL database on a home whose log is there (the daemon passes openHomeState's).
   */
  state?: ModuleState;
  log: Pick<AuditLog, 'append'>;
  events: EventSink;
  now?: () => Date;
  /** Where the govfed_policy_* metrics are registered (the node's registry); none when absent. */
  registry?: Registry;
  /** The Ed25519 verifier (default: node/crypto's opensslVerify); tests may inject another. */
  verify?: Ed25519Verify;
}

export type { LocalView, PolicyMemberView, PolicyProposalView, PolicyStatus, PolicyView } from './views.ts';

/** The rules a node enforces: the applied global baseline and the local overlay. */
export interface EnforcedRules {
  baseline: PolicyBaseline | undefined;
  local: LocalPolicy | undefined;
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
  readonly #enforcer: PolicyEnforcer;
  readonly #rc: ReplicatedChain<PolicyBaseline>;
  readonly #sync: ChainSync<PolicyBaseline>;
  #ctx: FederationContext | undefined;
  #local: LocalPolicy | undefined;
  #baseline: PolicyBaseline | undefined;
  readonly #rulesListeners: ((rules: EnforcedRules) => void)[] = [];

  readonly gossip: Readonly<Record<string, (msg: GossipMessage, from: string) => GossipVerdict>>;
  readonly protocols: FederationModule['protocols'];

  constructor(opts: PolicyServiceOptions) {
    this.#home = opts.home;
    this.#log = opts.log;
    this.#events = opts.events;
    this.#now = opts.now ?? (() => new Date());
    this.#store = new PolicyStore(opts.state?.storage ?? opts.home.dir);
    this.#seed = privateKeyFromProtobuf(opts.home.peerKey).raw.slice(0, 32);
    this.#metrics = opts.registry === undefined ? undefined : new PolicyMetrics(opts.registry, this);
    this.#enforcer = new PolicyEnforcer({
      node: nodeValue({ org: opts.home.config.org, jurisdiction: opts.home.config.jurisdiction }),
      now: this.#now,
      onEvaluated: (allowed) => this.#metrics?.evaluated(allowed),
    });
    this.#rc = new ReplicatedChain({
      object: policyObject(opts.home.config.org, opts.home.config.peerId, opts.verify ?? opensslVerify),
      self: opts.home.config.peerId,
      seed: this.#seed,
      log: opts.log,
      events: opts.events,
      now: this.#now,
      persist: () => this.#persist(),
      onHead: (head) => {
        this.#baseline = head?.object;
        this.#enforcer.swap(this.#baseline, this.#local);
        this.#rulesChanged();
      },
      onRejected: (code) => this.#metrics?.rejected(code),
    });
    this.#sync = new ChainSync(this.#rc, opts.events);
    this.gossip = {
      policy: (msg, from) => objectGossipVerdict(this.#rc, msg, from, (p, v) => this.#sync.pullSoon(p, v)),
      'policy-receipt': (msg, from) => receiptGossipVerdict(this.#rc, msg, from),
    };
    this.protocols = {
      [POLICY_SYNC_PROTOCOL]: {
        maxBytes: MAX_POLICY_SYNC_BYTES,
        handle: (req, from) => this.#sync.serve(req, from),
      },
    };
  }

  get peerId(): string {
    return this.#home.config.peerId;
  }

  /** The active baseline's version (0 when none). */
  get version(): number {
    return this.#enforcer.version;
  }

  // ---- lifecycle ----

  attach(ctx: FederationContext): void {
    this.#ctx = ctx;
    this.#rc.attach(ctx);
  }

  async start(): Promise<void> {
    this.#sync.start();
    const state = await this.#store.load();
    if (state === undefined) return;
    if (state.local !== null) {
      try {
        this.#local = checkLocalPolicy(state.local, HELD);
      } catch (cause) {
        throw new NodeError('ERR_INVALID_CONFIG', `${this.#store.where}: the local policy does not check`, { cause });
      }
    }
    // Until the charter re-verifies the chain, enforce the stored head (it was verified when applied):
    // a restart must never open a window without the baseline.
    this.#rc.restore({ objects: state.bundles, pending: state.pending, receipts: state.receipts, forks: state.forks });
  }

  async stop(): Promise<void> {
    this.#sync.stop();
    await this.#rc.tail.idle();
    await this.#store.flush();
  }

  /** The federation's charter is known (network start) or changed. */
  onCharter(chain: CharterChain): void {
    this.#rc.onCharter(chain);
  }

  onPeerConnected(peer: string): void {
    void this.#sync.syncWith(peer);
  }

  /** A round with each of `peers` but those whose head says we hold the same (heads.ts). */
  async onSyncRound(peers: readonly string[]): Promise<void> {
    const ours = this.#sync.head();
    const differ = peers.filter((p) => !sameHead(this.#ctx?.peerHead?.(p, 'policy'), ours));
    await Promise.all(differ.map((p) => this.#sync.syncWith(p)));
  }

  syncHeads(): Record<string, Head> {
    return { policy: this.#sync.head() };
  }

  status(): Record<string, unknown> {
    const s = this.policyStatus();
    return { version: s.self.version, digest: s.self.digest, expired: s.self.expired, pending: s.pending.length };
  }

  // ---- enforcement ----

  /**
   * Evaluates `input` against the global and local rules of `hook`. A rule that errors or runs out of
   * budget fires (fail closed); an input that is not a record of the hook's shape is ERR_INVALID_RECORD.
   */
  evaluate(hook: HookName, input: unknown, extra?: HookExtra): Verdict {
    return this.#enforcer.evaluate(hook, input, extra);
  }

  /** Whether the active baseline is past its expiresAt. */
  get expired(): boolean {
    return this.#enforcer.expired;
  }

  /** The baseline and local overlay enforced now (what evaluate() runs; the ingest workers copy them). */
  get enforced(): EnforcedRules {
    return { baseline: this.#baseline, local: this.#local };
  }

  /** Calls `fn` with the rules, synchronously, each time the enforced rules change (swapped in). */
  onRulesChanged(fn: (rules: EnforcedRules) => void): void {
    this.#rulesListeners.push(fn);
  }

  /** Counts verdicts reached elsewhere (the ingest workers' evaluations) in this node's metrics. */
  countEvaluations(allowed: number, denied: number): void {
    this.#metrics?.evaluated(true, allowed);
    this.#metrics?.evaluated(false, denied);
  }

  #rulesChanged(): void {
    const rules = this.enforced;
    for (const fn of this.#rulesListeners) fn(rules);
  }

  // ---- operations (admin API) ----

  /**
   * Proposes the next bundle from a user file `{rules, expiresAt?, riskTiers?}`: fills federation id, version,
   * previous and createdAt, type-checks every rule (ERR_INVALID_RULE with a pointed message), signs and
   * gossips it; applies it at once when our signature meets the threshold.
   */
  async propose(file: { rules: unknown; expiresAt?: string; riskTiers?: unknown }): Promise<PolicyProposalView> {
    const fed = this.#requireFederation();
    const chain = this.#rc.requireChain();
    const now = this.#now();
    const head = chain.current;
    const bundle = checkBaseline({
      type: BASELINE_TYPE,
      federationId: fed.federationId,
      version: chain.version + 1,
      previous: head === undefined ? null : head.digest,
      createdAt: now.toISOString(),
      expiresAt: file.expiresAt ?? new Date(now.getTime() + DEFAULT_BUNDLE_TTL_MS).toISOString(),
      rules: file.rules,
      ...(file.riskTiers === undefined ? {} : { riskTiers: file.riskTiers }),
    });
    this.#rc.assertNoConflict(bundle.version, baselineDigest(bundle));
    return view(await this.#rc.offer(signBaseline(bundle, this.#seed), 'local'));
  }

  /** Co-signs a pending proposal named by its id (the bundle digest, or a unique prefix of its hex). */
  async sign(id: string): Promise<PolicyProposalView> {
    this.#requireFederation();
    return view(await this.#rc.sign(id));
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
    this.#enforcer.setLocal(compiled);
    this.#rulesChanged();
    await this.#rc.persist();
    try {
      await this.#log.append([
        policyAuditItem({ kind: 'policy.local', version: local.version, object: local, time: this.#now() }),
      ]);
    } catch (err) {
      this.#events('policy:audit-failed', { kind: 'policy.local', version: local.version, error: errorText(err) });
    }
    this.#events('policy:local', { version: local.version, rules: local.rules.length });
    return this.local();
  }

  local(): LocalView {
    const l = this.#local;
    return { version: l?.version ?? 0, updatedAt: l?.updatedAt ?? null, rules: l?.rules ?? [] };
  }

  /**
   * Baseline `version` of the active chain with its digest, or undefined when this node does not hold it
   * (the model registry recomputes a risk score under the version that scored it).
   */
  baselineAt(version: number): { baseline: PolicyBaseline; digest: string } | undefined {
    const e = this.#rc.chain?.versions().find((v) => v.version === version);
    return e === undefined ? undefined : { baseline: e.object, digest: e.digest };
  }

  /** The active baseline's version and digest (version 0, digest null when none). */
  head(): { version: number; digest: string | null } {
    const cur = this.#rc.head();
    return { version: cur?.version ?? 0, digest: cur?.digest ?? null };
  }

  /** The active baseline (rules, version, digest, expiry) and the local overlay. */
  show(): PolicyView {
    const cur = this.#rc.head();
    return {
      version: cur?.object.version ?? 0,
      digest: cur?.digest ?? null,
      createdAt: cur?.object.createdAt ?? null,
      expiresAt: cur?.object.expiresAt ?? null,
      expired: this.expired,
      rules: cur?.object.rules ?? [],
      envelope: cur?.envelope ?? null,
      local: this.local(),
    };
  }

  /** This node's baseline, every member's receipt, pending proposals, forks and rejections. */
  policyStatus(): PolicyStatus {
    return policyStatusOf({
      org: this.#home.config.org,
      peerId: this.peerId,
      chain: this.#rc,
      charter: this.#ctx?.chain()?.current,
      local: this.#local,
      expired: this.expired,
    });
  }

  // ---- helpers ----

  async #persist(): Promise<void> {
    const s = this.#rc.snapshot();
    await this.#store.save({
      version: POLICY_STATE_VERSION,
      federationId: s.federationId,
      bundles: s.objects,
      pending: s.pending,
      local: this.#local ?? null,
      receipts: s.receipts,
      forks: s.forks,
    });
  }

  #requireFederation(): CharterChain {
    const chain = this.#ctx?.chain();
    if (chain === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node is not in a federation');
    if (!chain.isMember(this.peerId)) throw new NodeError('ERR_NO_FEDERATION', 'this node is not a member yet');
    return chain;
  }
}
