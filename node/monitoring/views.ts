/**
 * What the API shows of a version's monitoring (GET /v1/models/{name}/{version} `monitoring`, GET …/monitoring):
 * the latest window of each org × monitor and the flags among them, each named by its contract monitor.
 */
import { monitorName } from '../../protocol/monitoring/monitor.ts';
import type { HeldModel } from '../registry/model-book.ts';
import type { HeldWindow } from './window-book.ts';

function specOf(held: HeldModel, h: HeldWindow) {
  const c = held.contracts.find((x) => `sha256:${x.id}` === h.window.contract);
  return c?.predicate.terms.requiredMonitors?.[h.window.monitor];
}

/** What names a window in both views: whose, which monitor of the contract, which metric. */
function named(held: HeldModel, h: HeldWindow) {
  const w = h.window;
  const spec = specOf(held, h);
  return {
    org: w.org,
    monitor: w.monitor,
    ...(spec === undefined ? {} : { name: monitorName(spec), onBreach: spec.onBreach }),
    metric: w.metric,
  };
}

export function flagView(held: HeldModel, h: HeldWindow) {
  const w = h.window;
  return { ...named(held, h), value: w.value, threshold: w.threshold, seq: w.seq, to: w.to, shadow: w.shadow };
}

export function windowView(held: HeldModel, h: HeldWindow) {
  const w = h.window;
  return {
    ...named(held, h),
    seq: w.seq,
    from: w.from,
    to: w.to,
    decisions: w.decisions,
    shadow: w.shadow,
    counts: w.counts,
    value: w.value,
    threshold: w.threshold,
    breach: w.breach,
    contract: w.contract,
    ...(h.logIndex === undefined ? {} : { logIndex: h.logIndex }),
    envelope: h.envelope,
  };
}

/** The version's monitoring as the API shows it. */
export function monitoringView(held: HeldModel, view: { flags: HeldWindow[]; windows: HeldWindow[] }) {
  return {
    model: held.key,
    flags: view.flags.map((h) => flagView(held, h)),
    windows: view.windows.map((h) => windowView(held, h)),
  };
}
