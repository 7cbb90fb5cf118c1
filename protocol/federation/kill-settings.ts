/**
 * The kill switch's charter settings (docs/contracts.md "The kill switch"), kept in the charter's
 * `thresholds` beside the other thresholds so that they change the same way — by a charter change at the
 * charter threshold (`govfed federation set-threshold --revocation K --suspension-ttl SECONDS`):
 *
 *   revocation     distinct risk officers whose revoke votes revoke a model version (1..MAX_MEMBERS;
 *                  absent: 2), and whose suspensions ratify a suspension;
 *   suspensionTtl  seconds an unratified suspension lasts (MIN..MAX_SUSPENSION_TTL_S; absent: 24 h).
 *
 * Both are optional, so charters made before them keep their bytes.
 */
import { GovfedError } from '../errors.ts';

export const MIN_SUSPENSION_TTL_S = 10;
export const MAX_SUSPENSION_TTL_S = 30 * 24 * 3600;
/** Most risk officers a revocation threshold may name. */
export const MAX_REVOCATION_THRESHOLD = 256;
/** The optional keys of `thresholds` these settings add. */
export const KILL_SETTING_KEYS = ['revocation', 'suspensionTtl'] as const;

export interface KillSettings {
  revocation?: number;
  suspensionTtl?: number;
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

/** The settings present in `v` (a thresholds object), checked; ERR_MALFORMED_CHARTER for a bad one. */
export function checkKillSettings(v: Record<string, unknown>): KillSettings {
  const out: KillSettings = {};
  if (v.revocation !== undefined) {
    if (!isInt(v.revocation, 1, MAX_REVOCATION_THRESHOLD)) {
      throw new GovfedError(
        'ERR_MALFORMED_CHARTER',
        `charter: thresholds.revocation: expected 1..${MAX_REVOCATION_THRESHOLD}`,
      );
    }
    out.revocation = v.revocation;
  }
  if (v.suspensionTtl !== undefined) {
    if (!isInt(v.suspensionTtl, MIN_SUSPENSION_TTL_S, MAX_SUSPENSION_TTL_S)) {
      throw new GovfedError(
        'ERR_MALFORMED_CHARTER',
        `charter: thresholds.suspensionTtl: expected ${MIN_SUSPENSION_TTL_S}..${MAX_SUSPENSION_TTL_S} seconds`,
      );
    }
    out.suspensionTtl = v.suspensionTtl;
  }
  return out;
}

/** The settings of the next charter version: the change's, else the previous version's. */
export function nextKillSettings(prev: KillSettings, change: KillSettings | undefined): KillSettings {
  const out: KillSettings = {};
  const revocation = change?.revocation ?? prev.revocation;
  if (revocation !== undefined) out.revocation = revocation;
  const ttl = change?.suspensionTtl ?? prev.suspensionTtl;
  if (ttl !== undefined) out.suspensionTtl = ttl;
  return out;
}
