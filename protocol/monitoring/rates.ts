/**
 * Rates over a window (docs/monitoring.md "Rates"): the share of the window's decisions of the model
 * version that
 *
 *   shadow_ai_rate           carry the flag `shadow_ai` (this node does not run the version: unknown,
 *                            unapproved, or never deployed here)
 *   denial_rate              were denied (by the policy, the contract or the kill switch)
 *   contract_violation_rate  were denied by at least one `contract.*` finding
 *
 * hits / n, 0..1; null for an empty window.
 */
export function rate(hits: number, n: number): number | null {
  return n === 0 ? null : hits / n;
}
