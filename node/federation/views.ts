/** What the federation API shows: members, pending charter proposals, the federation status. */
import type { Charter, ProposalStatus, Thresholds } from '../../protocol/federation/index.ts';

export interface MemberStatus {
  org: string;
  peerId: string;
  jurisdiction: string;
  /** The member's log verifier key and witness key, as the charter lists them (null when absent). */
  logKey: string | null;
  witnessKey: string | null;
  self: boolean;
  connected: boolean;
  /** Last time we heard from this member (RFC 3339), if ever. */
  lastSeen: string | null;
}

export interface ProposalView {
  /** The proposed charter's digest: what `sign` takes. */
  id: string;
  version: number;
  rule: string;
  required: number;
  memberSignatures: number;
  signedBy: string[];
  missingNewMembers: string[];
  /** Members whose entry the change alters (keys, jurisdiction) that have not signed yet. */
  missingChangedMembers: string[];
  complete: boolean;
  expiresAt: string;
  charter: Charter;
}

export interface FederationStatus {
  federated: boolean;
  id?: string;
  name?: string;
  charterVersion?: number;
  charterDigest?: string;
  thresholds?: Thresholds;
  members: MemberStatus[];
  proposals: ProposalView[];
  peerId: string;
  addresses: string[];
  /** Rejected federation messages since start, by error code. */
  rejected: Record<string, number>;
  /** When a sync round last completed (RFC 3339), if ever. */
  lastSync: string | null;
  /** Each federation module's own status, by module name (e.g. policy, witness). */
  modules: Record<string, Record<string, unknown>>;
}

/** The API view of a pending charter proposal. */
export function view(id: string, s: ProposalStatus, expiresAt: string): ProposalView {
  return {
    id,
    version: s.charter.version,
    rule: s.rule,
    required: s.required,
    memberSignatures: s.memberSignatures,
    signedBy: s.signedBy,
    missingNewMembers: s.missingNewMembers,
    missingChangedMembers: s.missingChangedMembers,
    complete: s.complete,
    expiresAt,
    charter: s.charter,
  };
}
