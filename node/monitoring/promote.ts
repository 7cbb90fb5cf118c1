/**
 * Promoting a shadow deployment (`govfed model promote NAME@VERSION`, POST /v1/deployments {action:
 * "promote"}; docs/monitoring.md "Shadow deployments"): a candidate runs on mirrored traffic in shadow
 * mode (model deploy --shadow) while its monitors fill windows; promoting deploys it live through the
 * ordinary deployment gate — refused (ERR_PROMOTE_REFUSED, nothing deployed) while
 *   1. it is not deployed in shadow mode on this node, or
 *   2. any latest window of it, of any org, live or shadow, breaches its contract.
 */
import { NodeError } from '../errors.ts';
import type { HeldModel } from '../registry/model-book.ts';
import type { Deployed } from '../registry/model-deploy.ts';
import type { HeldWindow } from './window-book.ts';

export interface PromoteDeps {
  /** This node's mode for the version: live, shadow or not deployed. */
  mode(held: HeldModel): 'live' | 'shadow' | undefined;
  /** The version's flags: its latest windows that breach. */
  flags(held: HeldModel): HeldWindow[];
  deployLive(held: HeldModel): Promise<Deployed>;
}

/** Why `held` may not be promoted here now (empty: it may). */
export function promoteReasons(held: HeldModel, d: Pick<PromoteDeps, 'mode' | 'flags'>): string[] {
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
  return out;
}

export async function promote(held: HeldModel, d: PromoteDeps): Promise<Deployed> {
  const reasons = promoteReasons(held, d);
  if (reasons.length > 0) {
    throw new NodeError('ERR_PROMOTE_REFUSED', `${held.key} is not promoted: ${reasons.join('; ')}`);
  }
  return await d.deployLive(held);
}
