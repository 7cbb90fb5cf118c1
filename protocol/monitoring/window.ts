/**
 * A monitoring window's counts and the metric they give (docs/monitoring.md "Windows"). Only fixed bins
 * and counts are kept — never a decision — so adding a decision is O(log bins) or O(1), a window's size
 * is bounded whatever the traffic, and the counts are what a node signs and gossips (statement.ts):
 * anyone holding them and the baseline recomputes the value (windowValue).
 *
 *   binned  {bins: [count per baseline bin], missing}            no numeric value: `missing`
 *   groups  {groups: [{group, n, positive}], missing, overflow}  at most MAX_WINDOW_GROUPS groups, in
 *                                                               order of first sight; decisions of
 *                                                               further groups: `overflow`
 *   rate    {n, hits}
 */
import type { RequiredMonitor } from '../registry/contract-terms.ts';
import { type Baseline, binOf } from './baseline.ts';
import {
  DEFAULT_MIN_GROUP_COUNT,
  demographicParityDifference,
  disparateImpactRatio,
  type GroupCount,
} from './fairness.ts';
import { ksBinned } from './ks.ts';
import { monitorKind } from './monitor.ts';
import type { ObservedValue } from './observe.ts';
import { psi } from './psi.ts';
import { rate } from './rates.ts';

export const MAX_WINDOW_GROUPS = 64;

export type BinnedCounts = { bins: number[]; missing: number };
export type GroupCounts = { groups: GroupCount[]; missing: number; overflow: number };
export type RateCounts = { n: number; hits: number };
export type WindowCounts = BinnedCounts | GroupCounts | RateCounts;

/** The metric's value from a window's counts (null: nothing to judge — see fairness.ts, rates.ts). */
export function windowValue(m: RequiredMonitor, counts: WindowCounts, baseline: Baseline | undefined): number | null {
  switch (monitorKind(m.metric)) {
    case 'binned': {
      const c = counts as BinnedCounts;
      const b = baseline?.fields[m.field as string];
      if (b === undefined || b.proportions.length !== c.bins.length) return null;
      if (c.bins.every((x) => x === 0)) return null;
      return m.metric === 'psi' ? psi(b.proportions, c.bins) : ksBinned(b.proportions, c.bins);
    }
    case 'groups': {
      const c = counts as GroupCounts;
      return m.metric === 'disparate_impact_ratio'
        ? disparateImpactRatio(c.groups, DEFAULT_MIN_GROUP_COUNT)
        : demographicParityDifference(c.groups, DEFAULT_MIN_GROUP_COUNT);
    }
    default: {
      const c = counts as RateCounts;
      return rate(c.hits, c.n);
    }
  }
}

/** The counts of one open window of one monitor. */
export class WindowAccumulator {
  readonly monitor: RequiredMonitor;
  readonly #edges: readonly number[] | undefined;
  #decisions = 0;
  #bins: number[] = [];
  #missing = 0;
  #overflow = 0;
  #groups = new Map<string, GroupCount>();
  #hits = 0;

  /** `baseline`: the version's committed baseline (binned monitors have no bins without its field). */
  constructor(monitor: RequiredMonitor, baseline: Baseline | undefined) {
    this.monitor = monitor;
    const b = monitor.field === undefined ? undefined : baseline?.fields[monitor.field];
    this.#edges = b?.edges;
    if (b !== undefined) this.#bins = new Array<number>(b.proportions.length).fill(0);
  }

  /** Decisions added since the window opened. */
  get decisions(): number {
    return this.#decisions;
  }

  /** Adds one decision's entry for this monitor (observe.ts). */
  add(v: ObservedValue): void {
    this.#decisions++;
    switch (monitorKind(this.monitor.metric)) {
      case 'binned':
        if (typeof v !== 'number' || this.#edges === undefined) this.#missing++;
        else {
          const i = binOf(this.#edges, v);
          this.#bins[i] = (this.#bins[i] ?? 0) + 1;
        }
        return;
      case 'groups': {
        if (typeof v !== 'string' || v.length < 2) {
          this.#missing++;
          return;
        }
        const group = v.slice(1);
        let g = this.#groups.get(group);
        if (g === undefined) {
          if (this.#groups.size >= MAX_WINDOW_GROUPS) {
            this.#overflow++;
            return;
          }
          g = { group, n: 0, positive: 0 };
          this.#groups.set(group, g);
        }
        g.n++;
        if (v.charCodeAt(0) === 0x31) g.positive++;
        return;
      }
      default:
        if (v === 1) this.#hits++;
    }
  }

  /** The window's counts (a fresh copy). */
  counts(): WindowCounts {
    switch (monitorKind(this.monitor.metric)) {
      case 'binned':
        return { bins: [...this.#bins], missing: this.#missing };
      case 'groups':
        return {
          groups: [...this.#groups.values()].map((g) => ({ ...g })),
          missing: this.#missing,
          overflow: this.#overflow,
        };
      default:
        return { n: this.#decisions, hits: this.#hits };
    }
  }
}
