/** What the policy API shows: proposals, members' receipts, status, the active baseline, the overlay. */
import type { Envelope } from '../../protocol/federation/index.ts';
import type { PolicyBaseline, Rule } from '../../protocol/policy/index.ts';
import type { ProposalInfo } from '../chain/index.ts';

/** A pending or just-completed bundle proposal, as the API shows it. */
export interface PolicyProposalView {
  /** The bundle digest (`sha256:<hex>`): what `policy sign` takes. */
  id: string;
  version: number;
  signedBy: string[];
  required: number;
  complete: boolean;
  /** True once the bundle is this node's active baseline. */
  applied: boolean;
  expiresAt: string;
  bundle: PolicyBaseline;
}

export interface PolicyMemberView {
  org: string;
  peerId: string;
  self: boolean;
  /** The version the member's newest receipt says it applied (null: no receipt seen). */
  version: number | null;
  bundleHash: string | null;
  /** The member's signed receipt envelope, or null. */
  receipt: Envelope | null;
}

export interface PolicyStatus {
  federated: boolean;
  self: {
    org: string;
    peerId: string;
    version: number;
    digest: string | null;
    expiresAt: string | null;
    expired: boolean;
    appliedAt: string | null;
    logIndex: number | null;
    localVersion: number;
    localRules: number;
  };
  members: PolicyMemberView[];
  pending: PolicyProposalView[];
  forks: { version: number; digest: string; signedBy: string[] }[];
  rejected: Record<string, number>;
}

export interface PolicyView {
  version: number;
  digest: string | null;
  createdAt: string | null;
  expiresAt: string | null;
  expired: boolean;
  rules: Rule[];
  /** The bundle's envelope (with its signatures), or null. */
  envelope: Envelope | null;
  local: { version: number; updatedAt: string | null; rules: Rule[] };
}

export interface LocalView {
  version: number;
  updatedAt: string | null;
  rules: Rule[];
}

/** The API view of a proposal the chain holds. */
export function view(p: ProposalInfo<PolicyBaseline>): PolicyProposalView {
  const s = p.status;
  return {
    id: s.digest,
    version: s.version,
    signedBy: s.signedBy,
    required: s.required,
    complete: s.complete,
    applied: p.applied,
    expiresAt: p.expiresAt,
    bundle: s.object,
  };
}
