/**
 * What one decision contributes to its model's monitors (docs/monitoring.md "On the ingest path"):
 * computed where the decision is sealed (node/decisions/sealer.ts — on an ingest worker, or the main
 * thread), so the main thread only adds it to its windows. One entry per monitor of the contract:
 *
 *   binned  the numeric value of `field` (a finite number, else null: counted as missing)
 *   groups  `1<group>` or `0<group>` — positive or not, then the group — or null when the decision has
 *           no usable group (a string, number or boolean of at most MAX_GROUP_CHARS characters)
 *   rate    1 when the decision counts for the rate (flag shadow_ai; denied; a contract.* finding), else 0
 *
 * The positive-outcome expression is CEL over the `decision` variable, as in a policy rule of the
 * `decision` hook (protocol/policy): compiled once per expression and cached; an expression that fails
 * on a decision counts as not positive. Pure: no I/O.
 */
import { type CompiledRule, compileRule } from '../policy/compile.ts';
import { runRule } from '../policy/evaluate.ts';
import { hookInput } from '../policy/hooks.ts';
import type { RequiredMonitor } from '../registry/contract-terms.ts';
import { monitorKind } from './monitor.ts';

export const MAX_GROUP_CHARS = 64;
const MAX_CACHED = 1024;

export type ObservedValue = number | string | null;

/** What sealing knows of a decision besides the record itself. */
export interface DecisionOutcome {
  flags: readonly string[];
  /** Deny finding names (rules), empty when allowed. */
  deny: readonly string[];
}

const compiled = new Map<string, CompiledRule>();

/** The positive-outcome expression compiled as a `decision` hook rule. Throws ERR_INVALID_RULE. */
export function compilePositive(expression: string): CompiledRule {
  let r = compiled.get(expression);
  if (r === undefined) {
    r = compileRule({ id: 'positive', hook: 'decision', effect: 'deny', expression, message: 'positive outcome' });
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(expression, r);
  }
  return r;
}

/** The value at a dotted path (`output.score`) of a record, or undefined. */
export function fieldValue(record: unknown, path: string): unknown {
  let v: unknown = record;
  for (const name of path.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, name)) return undefined;
    v = (v as Record<string, unknown>)[name];
  }
  return v;
}

function groupOf(v: unknown): string | null {
  if (typeof v === 'string') return v.length > 0 && v.length <= MAX_GROUP_CHARS ? v : null;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

/**
 * One decision's entry per monitor (see the top). `node` and `now` make the CEL activation of the
 * positive expression exactly as the policy's `decision` hook would.
 */
export function observe(
  monitors: readonly RequiredMonitor[],
  record: unknown,
  outcome: DecisionOutcome,
  env: { node: { org: string; jurisdiction: string }; now: number },
): ObservedValue[] {
  let activation: ReturnType<typeof hookInput> | undefined;
  // Monitors that share a positive expression (e.g. parity difference and impact ratio) evaluate it once.
  let positives: Map<string, boolean> | undefined;
  return monitors.map((m) => {
    switch (monitorKind(m.metric)) {
      case 'binned': {
        const v = fieldValue(record, m.field as string);
        return typeof v === 'number' && Number.isFinite(v) ? v : null;
      }
      case 'groups': {
        const g = groupOf(fieldValue(record, m.groupField as string));
        if (g === null) return null;
        const expression = m.positive as string;
        positives ??= new Map();
        let positive = positives.get(expression);
        if (positive === undefined) {
          activation ??= hookInput('decision', record, env.node, env.now);
          const o = runRule(compilePositive(expression), activation);
          positive = o.fired && o.error === undefined;
          positives.set(expression, positive);
        }
        return `${positive ? 1 : 0}${g}`;
      }
      default:
        return rateHit(m.metric, outcome) ? 1 : 0;
    }
  });
}

function rateHit(metric: string, o: DecisionOutcome): boolean {
  if (metric === 'shadow_ai_rate') return o.flags.includes('shadow_ai');
  if (metric === 'denial_rate') return o.deny.length > 0;
  return o.deny.some((r) => r.startsWith('contract.'));
}

/** One decision's entries for its model version's monitors, as sealing hands them to the node's windows. */
export interface Observation {
  /** `org/name@version`. */
  model: string;
  /** The id (hex) of the contract version the decision was checked under: its monitors. */
  contract: string;
  /** A decision of a shadow deployment (model deploy --shadow). */
  shadow: boolean;
  values: ObservedValue[];
}

/**
 * Consecutive observations of one version (same model, contract and shadow), as they cross from a
 * sealing worker to the node's windows: one object per run with every decision's entries end to end
 * (`width` per decision), so a batch of 1,000 decisions is cloned as a few arrays, not 1,000 objects
 * each repeating the model and contract.
 */
export interface ObservationRun {
  model: string;
  contract: string;
  shadow: boolean;
  /** Entries per decision (the contract's monitors). */
  width: number;
  /** `width` entries per decision, in order. */
  values: ObservedValue[];
}

/** Observations grouped into runs, order kept. */
export function runsOf(observations: Iterable<Observation>): ObservationRun[] {
  const runs: ObservationRun[] = [];
  let run: ObservationRun | undefined;
  for (const o of observations) {
    if (
      run === undefined ||
      run.model !== o.model ||
      run.contract !== o.contract ||
      run.shadow !== o.shadow ||
      run.width !== o.values.length
    ) {
      run = { model: o.model, contract: o.contract, shadow: o.shadow, width: o.values.length, values: [] };
      runs.push(run);
    }
    for (const v of o.values) run.values.push(v);
  }
  return runs;
}
