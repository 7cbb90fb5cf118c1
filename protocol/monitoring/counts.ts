/**
 * Checking a window's counts off the wire (attacker-controlled; statement.ts step 4): the shape its
 * metric's kind keeps (window.ts), non-negative safe integers, bounded lists, and totals that add up to
 * the window's number of decisions.
 */
import { isPlainObject } from '../audit/fields.ts';
import type { GovfedError } from '../errors.ts';
import type { RequiredMonitor } from '../registry/contract-terms.ts';
import { MAX_BASELINE_BINS } from './baseline.ts';
import { monitorKind } from './monitor.ts';
import { MAX_GROUP_CHARS } from './observe.ts';
import { MAX_WINDOW_GROUPS, type WindowCounts } from './window.ts';

function count(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function exactKeys(o: Record<string, unknown>, keys: string[]): boolean {
  const k = Object.keys(o);
  return k.length === keys.length && keys.every((x) => k.includes(x));
}

/** The counts of a window of `decisions` decisions for monitor `m`; throws `bad(...)`. */
export function checkCounts(
  v: unknown,
  m: RequiredMonitor,
  decisions: number,
  bad: (message: string) => GovfedError,
): WindowCounts {
  if (!isPlainObject(v)) throw bad('counts: expected an object');
  switch (monitorKind(m.metric)) {
    case 'binned': {
      if (!exactKeys(v, ['bins', 'missing'])) throw bad('counts: expected {bins, missing}');
      const { bins, missing } = v;
      if (!Array.isArray(bins) || bins.length > MAX_BASELINE_BINS || !bins.every(count) || !count(missing)) {
        throw bad(`counts: bins are at most ${MAX_BASELINE_BINS} counts, missing a count`);
      }
      if (bins.reduce((a: number, b: number) => a + b, 0) + missing !== decisions) {
        throw bad('counts: bins and missing do not add up to the decisions');
      }
      return { bins: [...bins], missing };
    }
    case 'groups': {
      if (!exactKeys(v, ['groups', 'missing', 'overflow'])) throw bad('counts: expected {groups, missing, overflow}');
      const { groups, missing, overflow } = v;
      if (!Array.isArray(groups) || groups.length > MAX_WINDOW_GROUPS || !count(missing) || !count(overflow)) {
        throw bad(`counts: at most ${MAX_WINDOW_GROUPS} groups, missing and overflow counts`);
      }
      const seen = new Set<string>();
      let total = missing + overflow;
      const out = groups.map((g, i) => {
        if (!isPlainObject(g) || !exactKeys(g, ['group', 'n', 'positive'])) {
          throw bad(`counts.groups[${i}]: expected {group, n, positive}`);
        }
        if (typeof g.group !== 'string' || g.group.length < 1 || g.group.length > MAX_GROUP_CHARS) {
          throw bad(`counts.groups[${i}].group: expected 1..${MAX_GROUP_CHARS} characters`);
        }
        if (seen.has(g.group)) throw bad(`counts.groups[${i}]: group "${g.group}" twice`);
        seen.add(g.group);
        if (!count(g.n) || !count(g.positive) || g.positive > g.n || g.n === 0) {
          throw bad(`counts.groups[${i}]: expected 0 ≤ positive ≤ n, n ≥ 1`);
        }
        total += g.n;
        return { group: g.group, n: g.n, positive: g.positive };
      });
      if (total !== decisions) throw bad('counts: groups, missing and overflow do not add up to the decisions');
      return { groups: out, missing, overflow };
    }
    default: {
      if (!exactKeys(v, ['n', 'hits'])) throw bad('counts: expected {n, hits}');
      const { n, hits } = v;
      if (!count(n) || !count(hits) || hits > n || n !== decisions) {
        throw bad('counts: expected 0 ≤ hits ≤ n = decisions');
      }
      return { n, hits };
    }
  }
}
