/**
 * Asking members for their current freshness statement (`/govfed/freshness/1.0.0`): what a sync round of
 * the FreshnessModule (freshness.ts) does for the members whose statement it lacks or that is old. Each
 * answer is attacker-controlled and handed to `take` (the module's checklist); a coded error judges the
 * answer against the peer, anything else is the exchange failing (unreachable, timeout).
 */

import { isGovfedError } from '../../protocol/errors.ts';
import {
  decodeFreshnessResponse,
  type Envelope,
  encodeFreshnessRequest,
  FRESHNESS_PROTOCOL,
  MAX_FRESHNESS_FRAME,
} from '../../protocol/federation/index.ts';
import { errorText } from '../chain/index.ts';
import type { FederationContext } from './module.ts';

/** Timeout of one freshness request. */
const REQUEST_TIMEOUT_MS = 5000;

export async function askFreshness(
  ctx: FederationContext,
  peers: readonly string[],
  take: (env: Envelope, peer: string) => void,
): Promise<void> {
  await Promise.all(
    peers.map(async (peer) => {
      try {
        const bytes = await ctx.request(
          peer,
          FRESHNESS_PROTOCOL,
          encodeFreshnessRequest(),
          MAX_FRESHNESS_FRAME,
          REQUEST_TIMEOUT_MS,
        );
        const env = decodeFreshnessResponse(bytes);
        if (env !== undefined) take(env, peer);
      } catch (err) {
        if (isGovfedError(err)) ctx.reject('request', 'freshness', peer, err, actionOf(err));
        else ctx.events('federation:freshness-failed', { peer, error: errorText(err) });
      }
    }),
  );
}

/** Expired or from the future: a slow path or a skewed clock, not malice (ignore); anything else: reject. */
export function actionOf(err: unknown): 'ignore' | 'reject' {
  return isGovfedError(err, 'ERR_FRESHNESS_EXPIRED') || isGovfedError(err, 'ERR_CLOCK_SKEW') ? 'ignore' : 'reject';
}
