/**
 * A policy rule: `{id, hook, effect, expression, message}`, and `points` for a `score` rule.
 *
 * The expression is CEL (compile.ts) and is true when the rule fires. `deny` rules block (a decision
 * is denied when any fires), `warn` rules only report, `score` rules (hook `register` only) add their
 * `points` (a non-zero integer, −1000..1000) to a model version's risk score (protocol/registry/risk.ts). `hook` names the moment of evaluation and so the
 * typed variables the expression may use (hooks.ts). This file checks the shape only; compile.ts
 * parses and type-checks. All values here are attacker-controlled (bundles arrive by gossip, local
 * rules by HTTP): every rejection is ERR_INVALID_RULE with a message saying where.
 */
import { isPlainObject, isText } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { type HookName, isHookName } from './hooks.ts';

export type Effect = 'deny' | 'warn' | 'score';

export interface Rule {
  id: string;
  hook: HookName;
  effect: Effect;
  expression: string;
  message: string;
  /** Only on a `score` rule: what it adds to the risk score when it fires. */
  points?: number;
}

export const MAX_POINTS = 1000;

export const RULE_ID_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,63}$';
const RULE_ID_RE = new RegExp(RULE_ID_PATTERN);
export const MAX_EXPRESSION_CHARS = 2048;
export const MAX_MESSAGE_CHARS = 512;
export const MAX_RULES = 256;

const RULE_FIELDS = ['id', 'hook', 'effect', 'expression', 'message'];
const OPTIONAL_FIELDS = ['points'];

function invalid(where: string, message: string): GovfedError {
  return new GovfedError('ERR_INVALID_RULE', `${where}: ${message}`);
}

/** Checks one rule's shape; `where` names it in messages (e.g. `rules[3]`). Returns a fresh Rule. */
export function checkRule(value: unknown, where = 'rule'): Rule {
  if (!isPlainObject(value)) throw invalid(where, 'expected an object');
  for (const k of RULE_FIELDS) if (!Object.hasOwn(value, k)) throw invalid(where, `missing "${k}"`);
  for (const k of Object.keys(value)) {
    if (!RULE_FIELDS.includes(k) && !OPTIONAL_FIELDS.includes(k)) throw invalid(where, `unknown field "${k}"`);
  }
  const { id, hook, effect, expression, message, points } = value;
  if (typeof id !== 'string' || !RULE_ID_RE.test(id)) throw invalid(`${where}.id`, `expected ${RULE_ID_PATTERN}`);
  const at = `${where} "${id}"`;
  if (!isHookName(hook)) throw invalid(`${at}.hook`, `unknown hook ${JSON.stringify(hook)}`);
  if (effect !== 'deny' && effect !== 'warn' && effect !== 'score') {
    throw invalid(`${at}.effect`, 'expected "deny", "warn" or "score"');
  }
  if (effect === 'score') {
    if (hook !== 'register') throw invalid(`${at}.effect`, '"score" rules are of hook "register" only');
    if (typeof points !== 'number' || !Number.isSafeInteger(points) || points === 0 || Math.abs(points) > MAX_POINTS) {
      throw invalid(`${at}.points`, `a score rule adds points: a non-zero integer of −${MAX_POINTS}..${MAX_POINTS}`);
    }
  } else if (points !== undefined) {
    throw invalid(`${at}.points`, 'only a "score" rule has points');
  }
  if (typeof expression !== 'string' || expression.length < 1 || expression.length > MAX_EXPRESSION_CHARS) {
    throw invalid(`${at}.expression`, `expected 1..${MAX_EXPRESSION_CHARS} characters`);
  }
  if (!isText(message, MAX_MESSAGE_CHARS)) {
    throw invalid(`${at}.message`, `expected 1..${MAX_MESSAGE_CHARS} printable characters`);
  }
  return effect === 'score'
    ? { id, hook, effect, expression, message, points: points as number }
    : { id, hook, effect, expression, message };
}

/** Checks a rule list: 0..MAX_RULES rules with unique ids. */
export function checkRules(value: unknown, where = 'rules'): Rule[] {
  if (!Array.isArray(value) || value.length > MAX_RULES) {
    throw invalid(where, `expected an array of at most ${MAX_RULES} rules`);
  }
  const rules = value.map((r, i) => checkRule(r, `${where}[${i}]`));
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw invalid(where, `rule id "${r.id}" used twice`);
    seen.add(r.id);
  }
  return rules;
}
