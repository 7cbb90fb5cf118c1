/**
 * Population stability index (docs/monitoring.md "psi"): how far a window's distribution of a numeric
 * field has moved from the baseline's, over the baseline's bins:
 *
 *   PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
 *
 * with e_i the baseline proportion of bin i and a_i the window's (count_i / n). A bin with no mass on
 * one side would make the term infinite, so both proportions are floored at PSI_EPSILON (1e-4) first —
 * the usual convention (e.g. Yurdakul 2018, "Statistical properties of population stability index").
 * Reading, by convention: < 0.1 stable, 0.1–0.25 a moderate shift (warn), ≥ 0.25 a significant shift
 * (critical). Symmetric, ≥ 0, 0 exactly when the proportions are equal.
 */
import { GovfedError } from '../errors.ts';

export const PSI_EPSILON = 1e-4;
export const PSI_WARN = 0.1;
export const PSI_CRITICAL = 0.25;

/** PSI of `counts` (a window's count per bin) against `expected` (the baseline's proportions). */
export function psi(expected: readonly number[], counts: readonly number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== counts.length || expected.length < 2) {
    throw new GovfedError('ERR_INVALID_INPUT', `psi: expected ${expected.length} bins, got ${counts.length}`);
  }
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) throw new GovfedError('ERR_INVALID_INPUT', 'psi: the window has no values');
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = Math.max(expected[i] as number, epsilon);
    const a = Math.max((counts[i] as number) / n, epsilon);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
