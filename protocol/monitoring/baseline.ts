/**
 * A monitoring baseline: the reference distribution of numeric decision fields (e.g. `output.score`)
 * that `psi` and `ks` compare live windows against (docs/monitoring.md "Baselines"). It is committed
 * with the model version at registration (`govfed model register … --baseline FILE`): the registration
 * predicate carries it, so it is signed by the submitter with the registration and every member holds
 * the same one.
 *
 *   {"fields": {"output.score": {"edges": [e1, …, e(k-1)], "proportions": [p1, …, pk]}}}
 *
 * k bins (2..MAX_BASELINE_BINS) cut by k − 1 strictly increasing finite edges: bin 0 is (−∞, e1], bin i
 * is (e_i, e_(i+1)], bin k − 1 is (e_(k-1), +∞). Proportions are ≥ 0 and sum to 1 (± 1e-6). A baseline
 * file may give sample values instead (`{"values": [...]}`); baselineFromSamples cuts them into
 * DEFAULT_BASELINE_BINS quantile bins (10 by default, fewer when values repeat) before signing.
 */
import { isPlainObject } from '../audit/fields.ts';
import { GovfedError } from '../errors.ts';
import { MONITOR_FIELD_PATTERN } from '../registry/contract-terms.ts';

export const DEFAULT_BASELINE_BINS = 10;
export const MAX_BASELINE_BINS = 100;
export const MAX_BASELINE_FIELDS = 8;
/** Most sample values a baseline file may give for one field. */
export const MAX_BASELINE_SAMPLES = 1_000_000;
const SUM_TOLERANCE = 1e-6;
const FIELD_RE = new RegExp(MONITOR_FIELD_PATTERN);

export interface FieldBaseline {
  edges: number[];
  proportions: number[];
}

export interface Baseline {
  fields: Record<string, FieldBaseline>;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_BASELINE', `baseline: ${message}`);
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Checks one field's bins (attacker-controlled). Returns a fresh copy; throws ERR_INVALID_BASELINE. */
export function checkFieldBaseline(v: unknown, where: string): FieldBaseline {
  if (!isPlainObject(v)) throw bad(`${where}: expected {edges, proportions}`);
  for (const k of Object.keys(v)) if (k !== 'edges' && k !== 'proportions') throw bad(`${where}: unknown field "${k}"`);
  const { edges, proportions } = v;
  if (!Array.isArray(proportions) || proportions.length < 2 || proportions.length > MAX_BASELINE_BINS) {
    throw bad(`${where}.proportions: expected 2..${MAX_BASELINE_BINS} bins`);
  }
  if (!Array.isArray(edges) || edges.length !== proportions.length - 1) {
    throw bad(`${where}.edges: expected ${proportions.length - 1} edges for ${proportions.length} bins`);
  }
  let sum = 0;
  for (const [i, p] of proportions.entries()) {
    if (!finite(p) || p < 0 || p > 1) throw bad(`${where}.proportions[${i}]: expected a number 0..1`);
    sum += p;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) throw bad(`${where}.proportions: sum to ${sum}, expected 1`);
  for (const [i, e] of edges.entries()) {
    if (!finite(e)) throw bad(`${where}.edges[${i}]: expected a finite number`);
    if (i > 0 && e <= (edges[i - 1] as number)) throw bad(`${where}.edges[${i}]: edges must increase strictly`);
  }
  return { edges: [...(edges as number[])], proportions: [...(proportions as number[])] };
}

/** Checks a committed baseline (attacker-controlled). Returns a fresh copy; throws ERR_INVALID_BASELINE. */
export function checkBaseline(v: unknown): Baseline {
  if (!isPlainObject(v)) throw bad('expected {fields}');
  for (const k of Object.keys(v)) if (k !== 'fields') throw bad(`unknown field "${k}"`);
  const f = v.fields;
  if (!isPlainObject(f)) throw bad('fields: expected an object of decision fields');
  const names = Object.keys(f);
  if (names.length < 1 || names.length > MAX_BASELINE_FIELDS) throw bad(`fields: expected 1..${MAX_BASELINE_FIELDS}`);
  const out: Baseline = { fields: {} };
  for (const name of names) {
    if (!FIELD_RE.test(name)) throw bad(`fields: "${name}" is not a decision field like output.score`);
    out.fields[name] = checkFieldBaseline(f[name], `fields.${name}`);
  }
  return out;
}

/** The bin of `x` among `edges` (see the top): binary search, O(log k). */
export function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= (edges[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Quantile bins of sample values: edges at the i/k empirical quantiles (the value of rank ⌈i·n/k⌉ in
 * sorted order, i = 1..k − 1), repeated edges merged, then each bin's share of the samples. Throws
 * ERR_INVALID_BASELINE for fewer than two distinct values, a non-finite value, or too many values.
 */
export function baselineFromSamples(values: readonly unknown[], bins = DEFAULT_BASELINE_BINS): FieldBaseline {
  if (!Number.isInteger(bins) || bins < 2 || bins > MAX_BASELINE_BINS) {
    throw bad(`bins: expected an integer 2..${MAX_BASELINE_BINS}`);
  }
  if (values.length > MAX_BASELINE_SAMPLES) throw bad(`values: at most ${MAX_BASELINE_SAMPLES}`);
  const sorted = new Float64Array(values.length);
  for (const [i, v] of values.entries()) {
    if (!finite(v)) throw bad(`values[${i}]: expected a finite number`);
    sorted[i] = v;
  }
  sorted.sort();
  const n = sorted.length;
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = sorted[Math.max(0, Math.ceil((i * n) / bins) - 1)] as number;
    if (edges.length === 0 || e > (edges[edges.length - 1] as number)) edges.push(e);
  }
  // The last edge must leave something above it, else the top bin is empty by construction.
  while (edges.length > 0 && (edges[edges.length - 1] as number) >= (sorted[n - 1] as number)) edges.pop();
  if (edges.length === 0) throw bad('values: expected at least two distinct values');
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const x of sorted) {
    const i = binOf(edges, x);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return { edges, proportions: counts.map((c) => c / n) };
}

/**
 * A baseline file (`model register --baseline FILE`, docs/monitoring.md): `{"bins"?: k, "fields": {FIELD:
 * {"values": [...]} | {"edges": [...], "proportions": [...]}}}` — sample values are cut into k quantile
 * bins (default 10), bins are taken as given. Returns the baseline to commit; throws ERR_INVALID_BASELINE.
 */
export function baselineFromFile(v: unknown): Baseline {
  if (!isPlainObject(v)) throw bad('expected {fields, bins?}');
  for (const k of Object.keys(v)) if (k !== 'fields' && k !== 'bins') throw bad(`unknown field "${k}"`);
  const bins = v.bins ?? DEFAULT_BASELINE_BINS;
  if (typeof bins !== 'number') throw bad(`bins: expected an integer 2..${MAX_BASELINE_BINS}`);
  const f = v.fields;
  if (!isPlainObject(f)) throw bad('fields: expected an object of decision fields');
  const fields: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(f)) {
    if (isPlainObject(spec) && 'values' in spec) {
      if (Object.keys(spec).length !== 1 || !Array.isArray(spec.values)) {
        throw bad(`fields.${name}: expected {values: [numbers]} or {edges, proportions}`);
      }
      fields[name] = baselineFromSamples(spec.values, bins);
    } else fields[name] = spec;
  }
  return checkBaseline({ fields });
}
