/**
 * Two-sample Kolmogorov–Smirnov statistic (docs/monitoring.md "ks"): the largest distance between two
 * empirical cumulative distribution functions, D = sup_x |F_1(x) − F_2(x)|, 0..1.
 *
 * ksBinned is what a node computes on the ingest path, over the baseline's fixed bins (only counts are
 * kept): the largest distance between the two CDFs at the bin edges. It equals the exact statistic when
 * every value lies on an edge, and is never above it otherwise (a lower bound: finer bins, closer). The
 * exact ksTwoSample over raw samples is here for baselines built from samples and for tests.
 */
import { GovfedError } from '../errors.ts';

/** D at the bin edges between a baseline's proportions and a window's counts over the same bins. */
export function ksBinned(expected: readonly number[], counts: readonly number[]): number {
  if (expected.length !== counts.length || expected.length < 2) {
    throw new GovfedError('ERR_INVALID_INPUT', `ks: expected ${expected.length} bins, got ${counts.length}`);
  }
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) throw new GovfedError('ERR_INVALID_INPUT', 'ks: the window has no values');
  let fe = 0;
  let fa = 0;
  let d = 0;
  for (let i = 0; i < counts.length - 1; i++) {
    fe += expected[i] as number;
    fa += (counts[i] as number) / n;
    d = Math.max(d, Math.abs(fe - fa));
  }
  return d;
}

/** The exact two-sample statistic D of two non-empty samples (O((n + m) log(n + m))). */
export function ksTwoSample(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) throw new GovfedError('ERR_INVALID_INPUT', 'ks: empty sample');
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i] as number, y[j] as number);
    while (i < x.length && (x[i] as number) <= v) i++;
    while (j < y.length && (y[j] as number) <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}
