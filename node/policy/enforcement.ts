/**
 * Enforcement: the compiled rules this node applies to every decision and every POST /v1/evaluate.
 *
 * The active rule set — the global baseline's rules, the local overlay's rules, the baseline's version
 * and expiry — is one object, swapped in one assignment when a baseline is applied or the overlay is
 * set, so an evaluation never sees half of a change. evaluate() runs the global rules, then the local
 * ones, of the hook; a deny from either denies (local rules can only add findings). An expired baseline
 * still applies (fail closed) and every verdict says `expired: true`. The input is the caller's
 * (attacker-controlled): a rule that errors on it fires (protocol/policy); an input not of the hook's
 * shape is a typed ERR_INVALID_RECORD.
 */
import {
  type CompiledRule,
  type CostLimits,
  compileRules,
  evaluate,
  type HookExtra,
  type HookName,
  hookInput,
  type LocalPolicy,
  type NodeValue,
  type PolicyBaseline,
  type Verdict,
} from '../../protocol/policy/index.ts';

/** Rules this node already holds are compiled without the static cost limits (see PolicyEnforcer.swap). */
export const HELD: CostLimits = { maxCost: Number.POSITIVE_INFINITY, maxSetCost: Number.POSITIVE_INFINITY };

/** What enforcement uses, swapped in one assignment. */
interface ActiveRules {
  global: CompiledRule[];
  local: CompiledRule[];
  version: number;
  expiresAt: number | null;
}

export interface PolicyEnforcerOptions {
  /** This node's `node` variable ({org, jurisdiction}) in every hook. */
  node: NodeValue;
  now: () => Date;
  /** Called with each verdict's outcome (the govfed_policy_evaluations_total counter). */
  onEvaluated?: (allowed: boolean) => void;
}

export class PolicyEnforcer {
  readonly #node: NodeValue;
  readonly #now: () => Date;
  readonly #onEvaluated: ((allowed: boolean) => void) | undefined;
  #active: ActiveRules = { global: [], local: [], version: 0, expiresAt: null };

  constructor(opts: PolicyEnforcerOptions) {
    this.#node = opts.node;
    this.#now = opts.now;
    this.#onEvaluated = opts.onEvaluated;
  }

  /** The active baseline's version (0 when none). */
  get version(): number {
    return this.#active.version;
  }

  /** Whether the active baseline is past its expiresAt. */
  get expired(): boolean {
    const e = this.#active.expiresAt;
    return e !== null && this.#now().getTime() >= e;
  }

  /**
   * Evaluates `input` against the global and local rules of `hook`. A rule that errors or runs out of
   * budget fires (fail closed); an input that is not a record of the hook's shape is ERR_INVALID_RECORD.
   */
  evaluate(hook: HookName, input: unknown, extra?: HookExtra): Verdict {
    const a = this.#active;
    const now = this.#now().getTime();
    const activation = hookInput(hook, input, this.#node, now, extra);
    const verdict = evaluate(a, hook, activation, {
      policyVersion: a.version === 0 ? null : a.version,
      expired: a.expiresAt !== null && now >= a.expiresAt,
    });
    this.#onEvaluated?.(verdict.allowed);
    return verdict;
  }

  /**
   * Compiles `bundle`'s rules (or none) and `local`'s and swaps them in, in one assignment. Both were
   * checked when they were accepted or set; the static cost limits are not applied again here, so rules
   * held from before an upgrade lowered them are still enforced (each stopped at its runtime budget, and
   * then firing) rather than leaving the node without its baseline.
   */
  swap(bundle: PolicyBaseline | undefined, local: LocalPolicy | undefined): void {
    const localRules = local === undefined ? [] : compileRules(local.rules, HELD);
    this.#active = {
      global: bundle === undefined ? [] : compileRules(bundle.rules, HELD),
      local: localRules,
      version: bundle?.version ?? 0,
      expiresAt: bundle === undefined ? null : Date.parse(bundle.expiresAt),
    };
  }

  /** Replaces the local rules only (already compiled, with the static cost limits, by the caller). */
  setLocal(compiled: CompiledRule[]): void {
    this.#active = { ...this.#active, local: compiled };
  }
}
