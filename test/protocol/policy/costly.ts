/**
 * Costly rules and the biggest records they can meet, for the cost tests (cost.test.ts, budget.test.ts).
 *
 * ATTACK is issue 10's rule, rebuilt: `exists` over `dataClasses` many times, each matching a regex on
 * 32 concatenated copies of a context string (doubled with cel.bind: 30 written-out copies do not fit
 * the 256-node limit). Before the cost limit it passed `govfed policy check` and took ~11 s per decision
 * on an 8-class record with a 30,000-character context string.
 */
import { MAX_RECORD_BYTES } from '../../../protocol/audit/decision.ts';
import { hookInput } from '../../../protocol/policy/hooks.ts';
import type { Rule } from '../../../protocol/policy/rule.ts';
import { rule } from './fixtures.ts';

export const NODE = { org: 'acme', jurisdiction: 'EU' };

function attackExpression(exists: number): string {
  let body = Array.from({ length: exists }, (_, i) => `d.exists(c,t.matches('x${i % 10}y'))`).join('||');
  for (let i = 0; i < 4; i++) body = `cel.bind(t,t+t,${body})`;
  return `cel.bind(s,decision.context.s,cel.bind(d,decision.dataClasses,cel.bind(t,s+s,${body})))`;
}

/** 30 `exists`, each over 32 copies of `decision.context.s`. */
export const ATTACK: Rule = rule(attackExpression(30), { id: 'attack' });

/** String repetition: each cel.bind doubles `t` (2^20 copies of the model id). */
export const DOUBLING: Rule = rule(
  `cel.bind(t,decision.model,${'cel.bind(t,t+t,'.repeat(20)}size(t) > 0${')'.repeat(21)}`,
  { id: 'doubling' },
);

/** Concatenation inside a comprehension: the whole context string again for every item. */
export const CONCAT_IN_LOOP: Rule = rule(
  "decision.context.items.exists(x, (decision.context.s + x).matches('a.*b.*c'))",
  { id: 'concat-in-loop' },
);

/** A big list built by map (every element the whole list), then walked. */
export const BIG_LIST: Rule = rule('decision.context.items.map(x, decision.context.items).exists(y, y == [1.0])', {
  id: 'big-list',
});

/** The decision hook's input for a record; asserts the record is within the record limit. */
export function record(fields: Record<string, unknown>) {
  const raw = { model: 'm', output: null, ...fields };
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_RECORD_BYTES) throw new Error(`fixture record of ${bytes} bytes is over the record limit`);
  return hookInput('decision', raw, NODE);
}

/** `n` data classes of 64 characters (the most a record may carry is 64). */
export function dataClasses(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `c${i}`.padEnd(64, 'x'));
}
