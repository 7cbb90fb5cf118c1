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
 * Fast path: rules are compiled once (compile.ts); the caller builds the activation once per input
 * (hookInput) and passes it here; nothing is parsed or allocated per rule beyond the findings.
 */
import type { CompiledRule } from './compile.ts';
import type { Activation, HookName } from './hooks.ts';

export type Scope = 'global' | 'local';

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

function run(rules: readonly CompiledRule[], scope: Scope, hook: HookName, input: Activation, out: Verdict): void {
  for (const r of rules) {
    if (r.hook !== hook) continue;
    let fired: boolean;
    let error: string | undefined;
    try {
      const result = r.run(input);
      if (result === true) fired = true;
      else if (result === false) fired = false;
      else {
        fired = true;
        error = 'evaluation failed: the result is not a bool';
      }
    } catch (err) {
      fired = true;
      error = errorText(err);
    }
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
  run(rules.global, 'global', hook, input, verdict);
  run(rules.local, 'local', hook, input, verdict);
  verdict.allowed = verdict.deny.length === 0;
  if (meta.expired === true) verdict.expired = true;
  return verdict;
}
