/**
 * Percentiles for the benches, two conventions kept apart on purpose (each bench reports with the one
 * its earlier results in docs/benchmarks.md used, so numbers stay comparable run to run):
 *   - percentile(sorted, p), p in 0..1: the element at floor(p × (n − 1)) — throughput benches;
 *   - nearestRank(sorted, p), p in 0..100: the element at ceil(p/100 × n) − 1 (nearest-rank, the
 *     conservative one: with 50 samples p99 is the maximum) — latency benches over few samples.
 */

/** The element at floor(p × (n − 1)) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))] as number;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; NaN when empty. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** p50 / p99 (floor convention) and mean of unsorted samples. */
export function summary(times: readonly number[]): { p50: number; p99: number; mean: number } {
  const s = [...times].sort((a, b) => a - b);
  return { p50: percentile(s, 0.5), p99: percentile(s, 0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}
