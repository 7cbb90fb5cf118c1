/**
 * A model version's approval status, computed identically on every node from the signed records: the
 * charter's rule for its risk tier (protocol/federation/approval-rules.ts) and the approvals that
 * verified (approval.ts: in a current roster, with the claimed role, not the submitter, not expired).
 *
 *   - one vote per person (keyid): their newest (issuedAt, then the statement id) counts;
 *   - `rejected` when any counted vote is a rejection by a person holding a role the rule lists (any
 *     role when the tier has no rule);
 *   - otherwise `approved` when the approvals can fill the rule: for every role, as many distinct people
 *     holding it as the rule lists it, and among them people of at least `orgs` distinct orgs — decided
 *     exactly (a bipartite matching of the rule's role slots to orgs), not greedily;
 *   - a tier without a rule needs no approval: `approved`;
 *   - else `pending`, with what is missing.
 */
import type { ApprovalRule } from '../federation/approval-rules.ts';
import type { ApprovalDecision } from './approval.ts';

export type ApprovalState = 'pending' | 'approved' | 'rejected';

/** One verified vote (approval.ts VerifiedApproval, reduced). */
export interface Vote {
  keyid: string;
  org: string;
  name: string;
  role: string;
  decision: ApprovalDecision;
  issuedAt: string;
  /** The statement id: breaks ties between two votes of one person issued at the same time. */
  id: string;
}

export interface ApprovalStatus {
  status: ApprovalState;
  /** The votes that count (one per person), sorted by keyid. */
  counted: Vote[];
  /** Roles still needed (with repeats), when pending for want of people. */
  missingRoles: string[];
  /** Distinct orgs the approvals can reach, and how many the rule needs (0: no rule). */
  orgs: { have: number; need: number };
  /** The rejections that decided a `rejected` status. */
  rejectedBy: Vote[];
}

function newest(a: Vote, b: Vote): Vote {
  if (a.issuedAt !== b.issuedAt) return Date.parse(a.issuedAt) > Date.parse(b.issuedAt) ? a : b;
  return a.id > b.id ? a : b;
}

/** One vote per person: their newest. */
export function countedVotes(votes: readonly Vote[]): Vote[] {
  const by = new Map<string, Vote>();
  for (const v of votes) {
    const held = by.get(v.keyid);
    by.set(v.keyid, held === undefined ? v : newest(held, v));
  }
  return [...by.values()].sort((x, y) => (x.keyid < y.keyid ? -1 : x.keyid > y.keyid ? 1 : 0));
}

/** The most distinct orgs the rule's role slots can be filled from (bipartite matching slots → orgs). */
function matchOrgs(rule: ApprovalRule, approvals: readonly Vote[]): number {
  const slots = rule.roles;
  const orgsOf = slots.map((role) => [...new Set(approvals.filter((v) => v.role === role).map((v) => v.org))].sort());
  const owner = new Map<string, number>(); // org → slot
  const augment = (slot: number, seen: Set<string>): boolean => {
    for (const org of orgsOf[slot] ?? []) {
      if (seen.has(org)) continue;
      seen.add(org);
      const other = owner.get(org);
      if (other === undefined || augment(other, seen)) {
        owner.set(org, slot);
        return true;
      }
    }
    return false;
  };
  let matched = 0;
  for (let s = 0; s < slots.length; s++) if (augment(s, new Set())) matched++;
  return matched;
}

/** The status of one model version given its tier's rule (undefined: none) and its verified votes. */
export function approvalStatus(rule: ApprovalRule | undefined, votes: readonly Vote[]): ApprovalStatus {
  const counted = countedVotes(votes);
  const relevant = (v: Vote) => rule === undefined || rule.roles.includes(v.role);
  const rejectedBy = counted.filter((v) => v.decision === 'reject' && relevant(v));
  const need = rule?.orgs ?? 0;
  const approvals = counted.filter((v) => v.decision === 'approve');
  if (rejectedBy.length > 0) {
    return { status: 'rejected', counted, missingRoles: [], orgs: { have: 0, need }, rejectedBy };
  }
  if (rule === undefined) return { status: 'approved', counted, missingRoles: [], orgs: { have: 0, need }, rejectedBy };
  const missingRoles: string[] = [];
  const needed = new Map<string, number>();
  for (const r of rule.roles) needed.set(r, (needed.get(r) ?? 0) + 1);
  for (const [role, n] of needed) {
    const have = approvals.filter((v) => v.role === role).length;
    for (let i = have; i < n; i++) missingRoles.push(role);
  }
  const have = matchOrgs(rule, approvals);
  const status: ApprovalState = missingRoles.length === 0 && have >= need ? 'approved' : 'pending';
  return { status, counted, missingRoles, orgs: { have, need }, rejectedBy };
}
