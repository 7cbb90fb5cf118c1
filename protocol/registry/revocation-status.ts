/**
 * A model version's kill-switch state from the records that verified (revocation.ts) — a pure function of
 * the record set, the charter's rule and the time, so every node that holds the same records says the same:
 *
 *   1. Records are ordered by (issuedAt, id). Only those after the newest `reinstate` count (a reinstatement
 *      ends everything before it; `reinstatedAt` is its time: approvals signed before it stop counting).
 *   2. revoked    when `revoke` records of at least `threshold` distinct risk officers (keys) count.
 *   3. suspended  when any `suspend` or `revoke` record counts and either
 *                   - it is ratified: `suspend`/`revoke` records of at least `threshold` distinct officers, or
 *                   - the newest of them is younger than `suspensionTtlMs` (until = its time + the TTL);
 *   4. active     otherwise (a suspension that lapsed is active again, and says when it lapsed).
 */

export type KillState = 'active' | 'suspended' | 'revoked';

export interface KillRecord {
  id: string;
  action: 'suspend' | 'revoke' | 'reinstate';
  keyid: string;
  /** `org/name` of the signer, for people. */
  signer: string;
  issuedAt: string;
  reason: string;
}

export interface KillRule {
  /** Distinct risk officers whose `revoke` records revoke a version, and whose records ratify a suspension. */
  threshold: number;
  suspensionTtlMs: number;
}

export interface KillStatus {
  state: KillState;
  /** When the state began: the record that made it (revoked: the threshold-th vote). */
  since?: string;
  /** A suspension that is not ratified lapses then. */
  until?: string;
  ratified?: boolean;
  /** The signers whose records count now (people, `org/name`). */
  by: string[];
  /** The newest counting record's reason. */
  reason?: string;
  /** A lapsed suspension: when it lapsed. */
  lapsedAt?: string;
  /** The newest reinstatement. */
  reinstatedAt?: string;
}

/** Defaults of the charter's kill-switch settings. */
export const DEFAULT_REVOCATION_THRESHOLD = 2;
export const DEFAULT_SUSPENSION_TTL_S = 24 * 3600;

/**
 * The kill-switch rule of a charter: `thresholds.revocation` (default 2 — a federation with a single risk
 * officer sets 1) and `thresholds.suspensionTtl` seconds (default 24 h).
 */
export function killRuleOf(
  charter: { thresholds: { revocation?: number; suspensionTtl?: number } } | undefined,
): KillRule {
  return {
    threshold: charter?.thresholds?.revocation ?? DEFAULT_REVOCATION_THRESHOLD,
    suspensionTtlMs: (charter?.thresholds?.suspensionTtl ?? DEFAULT_SUSPENSION_TTL_S) * 1000,
  };
}

const order = (a: KillRecord, b: KillRecord) =>
  a.issuedAt < b.issuedAt ? -1 : a.issuedAt > b.issuedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function killStatus(records: readonly KillRecord[], rule: KillRule, now: number): KillStatus {
  // 1.
  const sorted = [...records].sort(order);
  let start = 0;
  let reinstatedAt: string | undefined;
  sorted.forEach((r, i) => {
    if (r.action === 'reinstate') {
      start = i + 1;
      reinstatedAt = r.issuedAt;
    }
  });
  const counting = sorted.slice(start);
  const base = reinstatedAt === undefined ? {} : { reinstatedAt };
  if (counting.length === 0) return { state: 'active', by: [], ...base };
  const newest = counting[counting.length - 1] as KillRecord;
  const by = [...new Set(counting.map((r) => r.signer))];
  // 2.
  const revokers = new Map<string, KillRecord>();
  for (const r of counting) if (r.action === 'revoke' && !revokers.has(r.keyid)) revokers.set(r.keyid, r);
  if (revokers.size >= rule.threshold) {
    const decisive = [...revokers.values()][rule.threshold - 1] as KillRecord;
    return { state: 'revoked', since: decisive.issuedAt, by, reason: newest.reason, ...base };
  }
  // 3.
  const officers = new Set(counting.map((r) => r.keyid));
  const first = counting[0] as KillRecord;
  if (officers.size >= rule.threshold) {
    return { state: 'suspended', since: first.issuedAt, ratified: true, by, reason: newest.reason, ...base };
  }
  const until = Date.parse(newest.issuedAt) + rule.suspensionTtlMs;
  if (now < until) {
    return {
      state: 'suspended',
      since: first.issuedAt,
      until: new Date(until).toISOString(),
      ratified: false,
      by,
      reason: newest.reason,
      ...base,
    };
  }
  // 4.
  return { state: 'active', by: [], lapsedAt: new Date(until).toISOString(), ...base };
}
