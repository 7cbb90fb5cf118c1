/**
 * Which of this node's logs a request names by `origin` (GET /v1/decisions, /v1/decisions/{index},
 * /v1/decisions/proofs, /v1/log/lookup, /v1/log/checkpoint): the current log when absent or its own origin, else a log it retired (`govfed keys
 * rotate --log`, node/home RetiredLogs), read-only; any other origin is ERR_UNKNOWN_ORIGIN. Indices are
 * per log: entry N of a retired log is not entry N of the current one, so every answer names its log.
 *
 * otherLogs: the origins of this node's logs a request did not read (the current one and every retired
 * one, less the one it read), for the list answers (`otherLogs`): a search that finds nothing from
 * before a rotation says where else to ask.
 *
 * findInRetired: where a decision (or leaf hash) not in the current log is, among the retired logs —
 * so that a lookup without `origin` can say where to ask instead of a bare "not found".
 */
import { GovfedError } from '../../protocol/errors.ts';
import type { RetiredLog } from '../log/index.ts';
import type { ApiContext, LogPort } from './context.ts';

/** What the routes read of either kind of log. */
export type ReadLog = Pick<
  LogPort,
  | 'size'
  | 'checkpoint'
  | 'entry'
  | 'record'
  | 'proveInclusion'
  | 'lookupDecision'
  | 'lookupLeafHash'
  | 'searchDecisions'
>;

export function logOf(
  ctx: Pick<ApiContext, 'log' | 'home' | 'retiredLogs'>,
  origin: string | undefined,
): { origin: string; log: ReadLog } {
  const current = ctx.home.config.origin;
  if (origin === undefined || origin === current) return { origin: current, log: ctx.log };
  const retired = ctx.retiredLogs?.get(origin);
  if (retired === undefined) {
    throw new GovfedError(
      'ERR_UNKNOWN_ORIGIN',
      `${origin} is neither this node's log (${current}) nor one it retired and holds open`,
    );
  }
  return { origin, log: retired };
}

/** This node's logs other than `origin`: the current one first, then the retired ones oldest first. */
export function otherLogs(ctx: Pick<ApiContext, 'home' | 'retiredLogs'>, origin: string): string[] {
  return [ctx.home.config.origin, ...(ctx.retiredLogs?.keys() ?? [])].filter((o) => o !== origin);
}

/** The retired log (newest first) holding `key`, with its index there; undefined when none does. */
export async function findInRetired(
  ctx: Pick<ApiContext, 'retiredLogs'>,
  key: { decisionId: string } | { leafHash: Uint8Array },
): Promise<{ origin: string; index: number } | undefined> {
  const logs: RetiredLog[] = [...(ctx.retiredLogs?.values() ?? [])].reverse();
  for (const log of logs) {
    const index =
      'decisionId' in key ? await log.lookupDecision(key.decisionId) : await log.lookupLeafHash(key.leafHash);
    if (index !== undefined) return { origin: log.origin, index };
  }
  return undefined;
}
