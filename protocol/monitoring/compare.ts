/**
 * A candidate version against the live one (docs/monitoring.md "Promoting: against the live version"):
 * whether a candidate's window of a monitor differs from the live version's latest window of the same
 * monitor beyond the monitor's threshold — what makes `model promote` refuse.
 *
 * Distribution monitors (psi, ks): the same statistic with the same threshold, taking the live version's
 * window as the reference in place of the registration's baseline — the candidate's bin counts against
 * the live window's bin proportions. Refused when that value exceeds the threshold: the candidate's
 * outputs differ from what is serving now as much as a drift alarm. Comparable only over the same bins
 * (both versions' baselines cut the field at the same edges) and with a value on both sides.
 *
 * Rate and group monitors are not compared here: their values are ≥ 0 (≤ 1 for disparate_impact_ratio),
 * so a candidate worse than the live version by more than the threshold (or, for the ratio, by more than
 * 1 − threshold) breaches its own threshold already, which the window's own breach check refuses.
 */
import { ksBinned } from './ks.ts';
import { psi } from './psi.ts';
import type { WindowCounts } from './window.ts';

export interface ComparedWindow {
  metric: string;
  threshold: number;
  counts: WindowCounts;
  /** The baseline's bin edges of the monitor's field for the window's version. */
  edges?: readonly number[] | undefined;
}

function binsOf(w: ComparedWindow): number[] | undefined {
  return 'bins' in w.counts ? w.counts.bins : undefined;
}

/** The candidate's statistic against the live window (psi, ks over the same bins); undefined: not comparable. */
export function againstLive(candidate: ComparedWindow, live: ComparedWindow): number | undefined {
  if (candidate.metric !== live.metric || (candidate.metric !== 'psi' && candidate.metric !== 'ks')) return undefined;
  const c = binsOf(candidate);
  const l = binsOf(live);
  const ce = candidate.edges;
  const le = live.edges;
  if (c === undefined || l === undefined || ce === undefined || le === undefined) return undefined;
  if (c.length < 2 || c.length !== l.length || ce.length !== le.length || ce.some((x, i) => x !== le[i]))
    return undefined;
  const liveTotal = l.reduce((a, b) => a + b, 0);
  if (liveTotal === 0 || c.reduce((a, b) => a + b, 0) === 0) return undefined;
  const reference = l.map((x) => x / liveTotal);
  return candidate.metric === 'psi' ? psi(reference, c) : ksBinned(reference, c);
}

/** The candidate's statistic against live when it exceeds the candidate monitor's threshold; else undefined. */
export function differsBeyondThreshold(candidate: ComparedWindow, live: ComparedWindow): number | undefined {
  const v = againstLive(candidate, live);
  return v !== undefined && v > candidate.threshold ? v : undefined;
}
