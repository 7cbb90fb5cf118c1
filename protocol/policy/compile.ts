/**
 * Compiling rules: parse, check limits, type-check against the hook's environment, require a bool.
 *
 * Runs at publish time (propose, sign, apply, local set, `govfed policy check`) and once per applied
 * bundle; evaluation then reuses the compiled function. Every rejection is a PolicyRuleError
 * (ERR_INVALID_RULE) that names the rule and points at the place in the expression:
 *
 *   rule "x": undeclared reference to 'decison' at 1:1
 *   decison.model == 'a'
 *   ^
 *
 * Classes of problems, each with its own message: syntax error, unknown variable, unknown field, type
 * error, a result that is not a bool, too complex (limits.ts), unsafe or unsupported regex (regex.ts).
 * A rule whose worst-case cost (cost.ts) is over MAX_RULE_COST, or a list whose rules add up to more
 * than MAX_RULE_SET_COST (budget.ts), is ERR_RULE_TOO_COSTLY, pointed the same way:
 *
 *   rule "x": too costly: the worst case is 5.2e9 steps, over the limit of 4000000 per rule (this
 *   part: 5.2e9 steps) at 1:10
 */
import type { ParseResult } from '@marcbachmann/cel-js';
import { GovfedError, isGovfedError } from '../errors.ts';
import { MAX_RULE_COST, MAX_RULE_SET_COST } from './budget.ts';
import { estimateCost } from './cost.ts';
import { type Activation, environmentFor, type HookName, SAFE_MATCH_FUNCTION } from './hooks.ts';
import { checkLimits, LimitError } from './limits.ts';
import { meterRule } from './meter.ts';
import { checkRule, type Effect, MAX_RULES, type Rule } from './rule.ts';

/** A rule ready to evaluate. `run` may throw (evaluate.ts fails closed). */
export interface CompiledRule {
  readonly rule: Rule;
  readonly id: string;
  readonly hook: HookName;
  readonly effect: Effect;
  readonly message: string;
  /** The static worst-case cost, in steps (cost.ts): at most MAX_RULE_COST. */
  readonly cost: number;
  /** Evaluates the rule; charges the meter (budget.ts) as it goes. */
  readonly run: (input: Activation) => unknown;
}

export type PolicyRuleErrorCode = 'ERR_INVALID_RULE' | 'ERR_RULE_TOO_COSTLY';

/**
 * The static cost limits to apply (defaults: MAX_RULE_COST per rule, MAX_RULE_SET_COST per list). A
 * node lifts them only for rules it already holds (applied before an upgrade lowered the limits): the
 * runtime budget still stops each rule at MAX_RULE_COST steps, and a rule stopped fires.
 */
export interface CostLimits {
  maxCost?: number;
  maxSetCost?: number;
}

/**
 * Thrown when a rule does not compile (ERR_INVALID_RULE) or may cost too much (ERR_RULE_TOO_COSTLY);
 * `line` and `column` are 1-based (null: not about a place).
 */
export class PolicyRuleError extends GovfedError<PolicyRuleErrorCode> {
  readonly ruleId: string | null;
  readonly line: number | null;
  readonly column: number | null;
  constructor(
    message: string,
    where: { ruleId: string | null; line: number | null; column: number | null },
    code: PolicyRuleErrorCode = 'ERR_INVALID_RULE',
  ) {
    super(code, message);
    this.ruleId = where.ruleId;
    this.line = where.line;
    this.column = where.column;
  }
}

/** One problem found by checkRuleSet. */
export interface RuleProblem {
  /** ERR_INVALID_RULE, or ERR_RULE_TOO_COSTLY for a rule (or list) over the cost limit. */
  code?: PolicyRuleErrorCode;
  /** The rule id, or null when the problem is not in one rule (e.g. the list itself). */
  rule: string | null;
  message: string;
  line: number | null;
  column: number | null;
}

/** 1-based line and column of a UTF-16 offset. */
function position(source: string, offset: number): { line: number; column: number; text: string } {
  const at = Math.max(0, Math.min(offset, source.length));
  const before = source.slice(0, at);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = source.indexOf('\n', at);
  return {
    line: before.split('\n').length,
    column: at - lineStart + 1,
    text: source.slice(lineStart, lineEnd === -1 ? source.length : lineEnd),
  };
}

function pointed(
  rule: Rule,
  summary: string,
  offset: number,
  code: PolicyRuleErrorCode = 'ERR_INVALID_RULE',
): PolicyRuleError {
  const p = position(rule.expression, offset);
  const caret = `${' '.repeat(p.column - 1)}^`;
  return new PolicyRuleError(
    `rule "${rule.id}": ${summary} at ${p.line}:${p.column}\n${p.text}\n${caret}`,
    { ruleId: rule.id, line: p.line, column: p.column },
    code,
  );
}

/** A step count for messages: exact when small, else like 5.2e9. */
function steps(n: number): string {
  return n < 1e7 ? String(Math.ceil(n)) : n.toExponential(1).replace('e+', 'e');
}

interface CelError {
  code?: string;
  summary?: string;
  message: string;
  range?: { start: number };
}

/** The first line of a cel-js error, in CEL's usual words where they differ. */
function summaryOf(err: CelError, source: string): string {
  const text = err.summary ?? err.message.split('\n')[0] ?? 'invalid expression';
  const unknown = /^Unknown variable: (.*)$/.exec(text);
  if (unknown !== null) return `undeclared reference to '${unknown[1]}'`;
  if (err.code === 'no_such_key') return `unknown field: ${text}`;
  if (text.includes(SAFE_MATCH_FUNCTION) && source.includes('matches'))
    return text.replaceAll(SAFE_MATCH_FUNCTION, 'matches');
  return text;
}

function celError(rule: Rule, err: unknown, source: string): PolicyRuleError {
  const e = err as CelError;
  if (typeof e?.message !== 'string') throw err;
  return pointed(rule, summaryOf(e, source), e.range?.start ?? 0);
}

function parse(rule: Rule, source: string): ParseResult {
  try {
    return environmentFor(rule.hook, rule.effect === 'score').parse(source);
  } catch (err) {
    throw celError(rule, err, rule.expression);
  }
}

/** Compiled expressions by hook and text: bundles are decoded often (gossip, sync, status), compiled once. */
const cache = new Map<string, { run: ParseResult; cost: number }>();
const MAX_CACHED = 4096;

/**
 * Compiles one rule (attacker-controlled: its shape is checked first). The expression is parsed and
 * checked against the limits; `matches(` calls are rewritten (same length) to the linear-time regex
 * function; the result is type-checked in the hook's environment and must be a bool; its worst-case
 * cost must be at most MAX_RULE_COST; the meter's charges are installed (meter.ts). `opts.maxCost`
 * raises or lowers that limit (CostLimits; tests force a costly rule past it to try the runtime budget).
 */
export function compileRule(value: unknown, opts: CostLimits = {}): CompiledRule {
  const maxCost = opts.maxCost ?? MAX_RULE_COST;
  const rule = checkRule(value);
  const key = `${rule.hook}${rule.effect === 'score' ? ':score' : ''}\n${rule.expression}`;
  const hit = cache.get(key);
  if (hit !== undefined && hit.cost <= maxCost)
    return { rule, id: rule.id, hook: rule.hook, effect: rule.effect, message: rule.message, ...hit };
  const original = parse(rule, rule.expression);
  let calls: ReturnType<typeof checkLimits>;
  try {
    calls = checkLimits(original.ast, rule.expression);
  } catch (err) {
    if (err instanceof LimitError) throw pointed(rule, err.message, err.offset);
    throw err;
  }
  let source = rule.expression;
  for (const c of calls) {
    source = source.slice(0, c.nameOffset) + SAFE_MATCH_FUNCTION + source.slice(c.nameOffset + 'matches'.length);
  }
  const compiled = calls.length === 0 ? original : parse(rule, source);
  const checked = compiled.check();
  if (!checked.valid) throw celError(rule, checked.error, rule.expression);
  if (checked.type !== 'bool') {
    const hint = checked.type?.startsWith('dyn') ? ' (compare it, e.g. `== true`)' : '';
    throw pointed(rule, `the expression must be a bool, not ${checked.type}${hint}`, 0);
  }
  const estimate = estimateCost(compiled.ast, maxCost);
  if (estimate.cost > maxCost) {
    const part = estimate.hit ?? { offset: 0, cost: estimate.cost };
    const summary = `too costly: the worst case is ${steps(estimate.cost)} steps, over the limit of ${maxCost} per rule (this part: ${steps(part.cost)} steps)`;
    throw pointed(rule, summary, part.offset, 'ERR_RULE_TOO_COSTLY');
  }
  meterRule(compiled.ast);
  const entry = { run: compiled, cost: estimate.cost };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, entry);
  return { rule, id: rule.id, hook: rule.hook, effect: rule.effect, message: rule.message, ...entry };
}

/** Compiles a rule list (shape-checked as in checkRules: unique ids, at most MAX_RULES). First error wins. */
export function compileRules(value: unknown, opts: CostLimits = {}): CompiledRule[] {
  const problems = collect(value, true, opts);
  if (problems.errors.length > 0) throw problems.errors[0] as unknown as Error;
  return problems.compiled;
}

function toProblem(err: unknown): RuleProblem {
  if (err instanceof PolicyRuleError) {
    return { code: err.code, rule: err.ruleId, message: err.message, line: err.line, column: err.column };
  }
  if (isGovfedError(err))
    return { code: 'ERR_INVALID_RULE', rule: null, message: err.message, line: null, column: null };
  throw err;
}

function collect(
  value: unknown,
  stopAtFirst: boolean,
  opts: CostLimits = {},
): { compiled: CompiledRule[]; errors: unknown[] } {
  const maxSetCost = opts.maxSetCost ?? MAX_RULE_SET_COST;
  const errors: unknown[] = [];
  const compiled: CompiledRule[] = [];
  if (!Array.isArray(value) || value.length > MAX_RULES) {
    errors.push(new PolicyRuleError(`rules: expected an array of at most ${MAX_RULES} rules`, noPlace));
    return { compiled, errors };
  }
  const seen = new Set<string>();
  let total = 0;
  let overReported = false;
  for (let i = 0; i < value.length && !(stopAtFirst && errors.length > 0); i++) {
    try {
      const r = compileRule(checkRule(value[i], `rules[${i}]`), opts);
      if (seen.has(r.id))
        throw new PolicyRuleError(`rules: rule id "${r.id}" used twice`, { ...noPlace, ruleId: r.id });
      seen.add(r.id);
      total += r.cost;
      if (total > maxSetCost && !overReported) {
        overReported = true;
        const message = `rules: too costly together: with rule "${r.id}" the worst case is ${steps(total)} steps, over the limit of ${maxSetCost} per rule list`;
        throw new PolicyRuleError(message, { ...noPlace, ruleId: r.id }, 'ERR_RULE_TOO_COSTLY');
      }
      compiled.push(r);
    } catch (err) {
      if (err instanceof PolicyRuleError) errors.push(err);
      else if (isGovfedError(err, 'ERR_INVALID_RULE')) {
        const id = (value[i] as { id?: unknown } | null)?.id;
        errors.push(new PolicyRuleError(err.message, { ...noPlace, ruleId: typeof id === 'string' ? id : null }));
      } else throw err;
    }
  }
  return { compiled, errors };
}

const noPlace = { ruleId: null, line: null, column: null };

/**
 * Every problem of a rule set, for `govfed policy check` (nothing thrown for bad rules). `value` is a
 * rule array or an object with `rules` (a bundle file, a bundle, a local policy).
 */
export function checkRuleSet(value: unknown): { ok: boolean; errors: RuleProblem[] } {
  const rules =
    typeof value === 'object' && value !== null && !Array.isArray(value) && 'rules' in value
      ? (value as { rules: unknown }).rules
      : value;
  const { errors } = collect(rules, false);
  const problems = errors.map(toProblem);
  return { ok: problems.length === 0, errors: problems };
}
