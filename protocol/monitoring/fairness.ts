/**
 * Group fairness over a window (docs/monitoring.md "Fairness"): each decision falls in one group (the
 * value of the monitor's `groupField`, e.g. `context.group`) and has a positive outcome or not (the
 * monitor's `positive` CEL expression). A group's selection rate is positive / n.
 *
 *   demographic_parity_difference = max_g rate_g − min_g rate_g                  (0 = parity; 0..1)
 *   disparate_impact_ratio        = min_g rate_g / max_g rate_g                  (1 = parity; 0..1)
 *
 * over the groups with at least `minCount` decisions (default 30): smaller groups are reported, not
 * judged (their rates are too noisy). Fewer than two judged groups: no value (null). A ratio whose
 * largest rate is 0 is 1 (no group is selected: no disparity). The four-fifths rule (US EEOC Uniform
 * Guidelines, 29 CFR 1607.4(D)): a ratio below 0.8 is evidence of adverse impact — the default alarm.
 */

export const FOUR_FIFTHS = 0.8;
export const DEFAULT_MIN_GROUP_COUNT = 30;

export interface GroupCount {
  group: string;
  n: number;
  positive: number;
}

export interface GroupRates {
  /** Groups with at least minCount decisions, with their rate. */
  judged: (GroupCount & { rate: number })[];
  /** Groups below minCount (reported, not judged). */
  small: GroupCount[];
}

export function groupRates(groups: readonly GroupCount[], minCount = DEFAULT_MIN_GROUP_COUNT): GroupRates {
  const out: GroupRates = { judged: [], small: [] };
  for (const g of groups) {
    if (g.n >= minCount && g.n > 0) out.judged.push({ ...g, rate: g.positive / g.n });
    else out.small.push({ ...g });
  }
  return out;
}

function extremes(groups: readonly GroupCount[], minCount: number): { min: number; max: number } | undefined {
  const { judged } = groupRates(groups, minCount);
  if (judged.length < 2) return undefined;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const g of judged) {
    min = Math.min(min, g.rate);
    max = Math.max(max, g.rate);
  }
  return { min, max };
}

/** max rate − min rate over the judged groups; null with fewer than two. */
export function demographicParityDifference(
  groups: readonly GroupCount[],
  minCount = DEFAULT_MIN_GROUP_COUNT,
): number | null {
  const e = extremes(groups, minCount);
  return e === undefined ? null : e.max - e.min;
}

/** min rate / max rate over the judged groups; null with fewer than two; 1 when no group is selected. */
export function disparateImpactRatio(groups: readonly GroupCount[], minCount = DEFAULT_MIN_GROUP_COUNT): number | null {
  const e = extremes(groups, minCount);
  if (e === undefined) return null;
  return e.max === 0 ? 1 : e.min / e.max;
}
