/**
 * How often a member states new charter versions (node/federation/freshness.ts paces its statements with
 * a GapPacer of this gap): a federation-wide bound on the statements a burst of versions costs.
 */
/**
 * Least time between two statements published for new charter versions: the first version after a
 * quiet gap is confirmed at once; a burst (versions back to back) is confirmed once more per gap, for the
 * head at that moment, instead of once per version by every member (N(N − 1) validations each). The gap
 * grows with the federation (charterStatementGapMs), so that a burst costs the whole federation at most
 * one statement per CHARTER_STATEMENT_GAP_PER_MEMBER_MS, whatever its size.
 */
export const CHARTER_STATEMENT_GAP_MS = 2000;
/** Per member of the charter: 20 members state the head of a burst every 5 s, 4 statements a second. */
export const CHARTER_STATEMENT_GAP_PER_MEMBER_MS = 250;

/** The gap between two statements of new charter versions in a federation of `members`. */
export function charterStatementGapMs(members: number): number {
  return Math.max(CHARTER_STATEMENT_GAP_MS, members * CHARTER_STATEMENT_GAP_PER_MEMBER_MS);
}
