/**
 * Evaluation: the verdict of the global baseline and the local overlay on one input.
 *
 *   - Only rules of the given hook run. Every rule runs (no short-circuit), so the verdict lists every
 *     rule that fired.
 *   - A rule fires when its expression is true. Fail closed: a rule whose evaluation throws (a missing
 *     map key, a division by zero, a regex error) or yields a non-bool FIRES, with `error` saying why —
 *     a deny rule then denies, a warn rule warns. Guard optional keys with `has(...)` to avoid this.
 *   - allowed = no deny finding, global or local. Local rules can only add findings, never remove a
 *     global one: the overlay is stricter by construction.
 *   - Budget (budget.ts): each rule may take MAX_RULE_COST steps, one evaluation MAX_EVALUATION_COST,
 *     counted deterministically (the same verdict on every node). A rule that runs out is stopped at
 *     once and FIRES with `error` naming the budget (fail closed); rules after the evaluation's budget
 *     is spent fire the same way. Rules that pass the static estimate never run out on a valid record.
 * Fast path: rules are compiled once (compile.ts); the caller builds the activation once per input
 * (hookInput) and passes it here; nothing is parsed or allocated per rule beyond the findings.
 */
import { MAX_EVALUATION_COST, MAX_RULE_COST, meter } from './budget.ts';
import type { CompiledRule } from './compile.ts';
import type { Activation, HookName } from './hooks.ts';

/**
 * Where a finding comes from: the global baseline, the node's local overlay, the model's trust contract,
 * or the model registry itself (the kill switch: `suspended`, `revoked`).
 */
export type Scope = 'global' | 'local' | 'contract' | 'registry';

export interface Finding {
  rule: string;
  message: string;
  scope: Scope;
  /** Set when the rule fired because its evaluation failed (fail closed). */
  error?: string;
}

export interface Verdict {
  allowed: boolean;
  deny: Finding[];
  warn: Finding[];
  /** The applied global bundle's version; null when none is applied. */
  policyVersion: number | null;
  /** True when the applied bundle is past its expiresAt (the rules still apply). */
  expired?: boolean;
}

export interface RuleSet {
  global: readonly CompiledRule[];
  local: readonly CompiledRule[];
}

function errorText(err: unknown): string {
  const e = err as { code?: unknown; summary?: unknown; message?: unknown };
  const text = typeof e?.summary === 'string' ? e.summary : typeof e?.message === 'string' ? e.message : String(err);
  const first = text.split('\n')[0] ?? text;
  return `evaluation failed: ${first.replaceAll('__match', 'matches')}`;
}

/** What one rule's evaluation gave: fired or not, why it failed (if it did), the steps it took. */
export interface RuleOutcome {
  fired: boolean;
  error?: string;
  steps: number;
}

/**
 * Runs one rule with a budget of `budget` steps (at most MAX_RULE_COST). Fails closed: an error, a
 * non-bool or a spent budget fires the rule, with `error` saying which.
 */
export function runRule(r: CompiledRule, input: Activation, budget = MAX_RULE_COST): RuleOutcome {
  const limit = Math.min(budget, MAX_RULE_COST);
  let fired = true;
  let error: string | undefined;
  meter.start(limit);
  try {
    const result = r.run(input);
    if (result === false) fired = false;
    else if (result !== true) error = 'evaluation failed: the result is not a bool';
  } catch (err) {
    error = errorText(err);
  }
  const steps = meter.steps;
  const exhausted = meter.exhausted;
  meter.stop();
  if (exhausted) {
    // Whatever the expression made of the interruption (`||` and `exists` may absorb an error), it fires.
    fired = true;
    error =
      limit === MAX_RULE_COST
        ? `evaluation stopped: over the rule's budget of ${MAX_RULE_COST} steps`
        : `evaluation stopped: the evaluation's budget of ${MAX_EVALUATION_COST} steps is spent`;
  }
  return error === undefined ? { fired, steps } : { fired, error, steps };
}

function run(
  rules: readonly CompiledRule[],
  scope: Scope,
  hook: HookName,
  input: Activation,
  out: Verdict,
  budget: { left: number },
): void {
  for (const r of rules) {
    if (r.hook !== hook || r.effect === 'score') continue; // score rules add points (protocol/registry/risk.ts)
    const { fired, error, steps } = runRule(r, input, budget.left);
    budget.left -= steps;
    if (!fired) continue;
    const f: Finding = { rule: r.id, message: r.message, scope };
    if (error !== undefined) f.error = error;
    (r.effect === 'deny' ? out.deny : out.warn).push(f);
  }
}

/** The verdict of `rules` at `hook` on `input` (an activation from hookInput). Never throws for a rule. */
export function evaluate(
  rules: RuleSet,
  hook: HookName,
  input: Activation,
  meta: { policyVersion: number | null; expired?: boolean } = { policyVersion: null },
): Verdict {
  const verdict: Verdict = { allowed: true, deny: [], warn: [], policyVersion: meta.policyVersion };
  const budget = { left: MAX_EVALUATION_COST };
  run(rules.global, 'global', hook, input, verdict, budget);
  run(rules.local, 'local', hook, input, verdict, budget);
  verdict.allowed = verdict.deny.length === 0;
  if (meta.expired === true) verdict.expired = true;
  return verdict;
}
