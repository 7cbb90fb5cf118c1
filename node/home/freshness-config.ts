/**
 * Charter freshness timing: config.json's optional `freshness` object (issue 12; node/federation/freshness.ts).
 *
 *   intervalMs    how often this node signs and gossips a statement of the charter version it holds
 *   lifetimeMs    how long one statement counts (its expiresAt − issuedAt); more than intervalMs, at most 1 h
 *   staleAfterMs  the window: the node reports itself stale once no majority of the members has confirmed
 *                 its charter version for longer than this (0: as soon as the confirmations lapse)
 *
 * Every field is optional; DEFAULT_FRESHNESS fills the rest. Unknown fields are rejected, like the rest of
 * config.json. Worst case, a node cut off from everyone reports stale lifetimeMs + staleAfterMs (+ one
 * check, at most 5 s) after it last heard a majority.
 */
import { MAX_FRESHNESS_LIFETIME_MS } from '../../protocol/federation/freshness.ts';
import { NodeError } from '../errors.ts';

export interface FreshnessConfig {
  intervalMs: number;
  lifetimeMs: number;
  staleAfterMs: number;
}

export const DEFAULT_FRESHNESS: Readonly<FreshnessConfig> = Object.freeze({
  // Every few seconds: the statement also vouches for the kill-switch state (a contract's
  // maxRevocationStaleness is counted against it), so it must come well within such a window.
  intervalMs: 10_000,
  lifetimeMs: 5 * 60_000,
  staleAfterMs: 60_000,
});

/** Allowed range of each field. */
const RANGES: Record<keyof FreshnessConfig, [number, number]> = {
  intervalMs: [100, 3_600_000],
  lifetimeMs: [200, MAX_FRESHNESS_LIFETIME_MS],
  staleAfterMs: [0, 86_400_000],
};

/** Checks config.json's `freshness` object (absent: {}). Throws ERR_INVALID_CONFIG. */
export function checkFreshnessConfig(value: unknown): Partial<FreshnessConfig> {
  const fail = (msg: string) => new NodeError('ERR_INVALID_CONFIG', `config.json: freshness.${msg}`);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NodeError('ERR_INVALID_CONFIG', 'config.json: freshness must be a JSON object');
  }
  const v = value as Record<string, unknown>;
  for (const [k, x] of Object.entries(v)) {
    if (!Object.hasOwn(RANGES, k)) throw fail(`${k} is not a known setting`);
    const range = RANGES[k as keyof FreshnessConfig];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < range[0] || x > range[1]) {
      throw fail(`${k} must be an integer from ${range[0]} to ${range[1]}`);
    }
  }
  const c = resolveFreshnessConfig(v as Partial<FreshnessConfig>);
  if (c.lifetimeMs <= c.intervalMs) {
    throw fail(`lifetimeMs (${c.lifetimeMs}) must be more than intervalMs (${c.intervalMs}), or statements lapse`);
  }
  return v as Partial<FreshnessConfig>;
}

/** The timing in force: the configured fields over the defaults. */
export function resolveFreshnessConfig(partial: Partial<FreshnessConfig> | undefined): FreshnessConfig {
  return { ...DEFAULT_FRESHNESS, ...partial };
}
