/**
 * Promoting a shadow deployment (`govfed model promote NAME@VERSION`, POST /v1/deployments {action:
 * "promote"}; docs/monitoring.md "Shadow deployments"): a candidate runs on mirrored traffic in shadow
 * mode (model deploy --shadow) while its monitors fill windows; promoting deploys it live through the
 * ordinary deployment gate — refused (ERR_PROMOTE_REFUSED, nothing deployed) while
 *   1. it is not deployed in shadow mode on this node, or
 *   2. any latest window of it, of any org, live or shadow, breaches its contract, or
 *   3. any latest window of it differs from the live version's latest window of the same org and monitor
 *      (same name: metric and field) beyond the monitor's threshold (protocol/monitoring compare.ts: psi
 *      and ks of the candidate's bins against the live window's) — the live versions being the other
 *      versions of the same model this node runs live.
 */
import { differsBeyondThreshold } from '../../protocol/monitoring/compare.ts';
import { NodeError } from '../errors.ts';
import type { HeldModel } from '../registry/model-book.ts';
import type { Deployed } from '../registry/model-deploy.ts';
import type { HeldWindow } from './window-book.ts';

/** A latest window with its monitor's name (`psi:output.score`, what pairs windows across versions) and bins. */
export interface NamedWindow extends HeldWindow {
  name: string;
  /** The version's baseline edges of the monitor's field (psi, ks). */
  edges?: readonly number[] | undefined;
}

export interface PromoteDeps {
  /** This node's mode for the version: live, shadow or not deployed. */
  mode(held: HeldModel): 'live' | 'shadow' | undefined;
  /** The version's flags: its latest windows that breach. */
  flags(held: HeldModel): HeldWindow[];
  /** The version's latest window of every org × monitor, named. */
  latest?(held: HeldModel): NamedWindow[];
  /** The other versions of the same model this node runs live. */
  live?(held: HeldModel): HeldModel[];
  deployLive(held: HeldModel): Promise<Deployed>;
}

/** Why `held` may not be promoted here now (empty: it may). */
export function promoteReasons(held: HeldModel, d: Omit<PromoteDeps, 'deployLive'>): string[] {
  const out: string[] = [];
  const mode = d.mode(held);
  if (mode !== 'shadow') {
    out.push(`${held.key} is ${mode === 'live' ? 'live already' : 'not deployed here'}: deploy it with --shadow first`);
  }
  for (const h of d.flags(held)) {
    const w = h.window;
    out.push(
      `${w.org}'s ${w.shadow ? 'shadow ' : ''}window ${w.seq} of monitor ${w.monitor} (${w.metric}) breaches: ${w.value} against ${w.threshold}`,
    );
  }
  if (d.latest === undefined || d.live === undefined) return out;
  const candidate = d.latest(held);
  for (const live of d.live(held)) {
    const theirs = d.latest(live);
    for (const c of candidate) {
      const w = c.window;
      const l = theirs.find((x) => x.name === c.name && x.window.org === w.org);
      if (l === undefined) continue;
      const v = differsBeyondThreshold({ ...w, edges: c.edges }, { ...l.window, edges: l.edges });
      if (v === undefined) continue;
      out.push(
        `monitor ${c.name} on ${w.org}: the candidate differs from live ${live.key} beyond the threshold — ${w.metric} of its window ${w.seq} against live's window ${l.window.seq} is ${v} > ${w.threshold} (against the baseline: candidate ${w.value}, live ${l.window.value})`,
      );
    }
  }
  return out;
}

export async function promote(held: HeldModel, d: PromoteDeps): Promise<Deployed> {
  const reasons = promoteReasons(held, d);
  if (reasons.length > 0) {
    throw new NodeError('ERR_PROMOTE_REFUSED', `${held.key} is not promoted: ${reasons.join('; ')}`);
  }
  return await d.deployLive(held);
}
