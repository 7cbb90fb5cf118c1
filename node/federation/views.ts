/** What the federation API shows: members, pending charter proposals, the federation status. */
import type {
  ApprovalRules,
  Charter,
  CharterChain,
  ProposalStatus,
  Thresholds,
} from '../../protocol/federation/index.ts';
import type { PendingSet } from '../chain/index.ts';
import type { FederationCore } from './core.ts';
import type { Departure } from './departed.ts';

export interface MemberStatus {
  org: string;
  peerId: string;
  jurisdiction: string;
  /** The member's log verifier key and witness key, as the charter lists them (null when absent). */
  logKey: string | null;
  witnessKey: string | null;
  /** Its earlier log keys, oldest first (`keys rotate --log`): logs still provable under them. */
  retiredLogKeys: string[];
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
  /** Members the change removes (rule `removal`, or a `charter` change that also removes). */
  removed: string[];
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
  /** The charter's approval rules by risk tier (empty: no tier needs approval). */
  approvals?: ApprovalRules;
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
  /** When in no federation: the last one this node left or was removed from (departed.ts). */
  departed?: Departure;
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
    removed: s.removed,
    complete: s.complete,
    expiresAt,
    charter: s.charter,
  };
}

/** The federation status (GET /v1/federation): the charter, its members as this node sees them, pending changes. */
export function federationStatus(core: FederationCore, pending: PendingSet): FederationStatus {
  const chain = core.chain;
  const connected = new Set(core.net?.host.connectedPeers() ?? []);
  const base = {
    peerId: core.peerId,
    addresses: core.net?.host.addresses() ?? [],
    rejected: core.rejections.snapshot(),
    lastSync: core.lastSync?.toISOString() ?? null,
    proposals: proposalViews(core.chain, pending),
    modules: Object.fromEntries(core.modules.flatMap((m) => (m.status ? [[m.name, m.status()]] : []))),
  };
  if (chain === undefined) return { federated: false, members: [], ...base };
  const c = chain.current;
  return {
    federated: true,
    id: chain.federationId,
    name: c.name,
    charterVersion: chain.version,
    charterDigest: chain.head.digest,
    thresholds: { ...c.thresholds },
    approvals: { ...c.approvals },
    members: c.members.map((m) => {
      const seen = core.lastSeen.get(m.peerId);
      const extra = Object.assign({}, ...core.modules.map((x) => x.memberStatus?.(m) ?? {}));
      return {
        ...extra,
        org: m.org,
        peerId: m.peerId,
        jurisdiction: m.jurisdiction,
        logKey: m.logKey ?? null,
        witnessKey: m.witnessKey ?? null,
        retiredLogKeys: m.retiredLogKeys ?? [],
        self: m.peerId === core.peerId,
        connected: connected.has(m.peerId),
        lastSeen: seen === undefined ? null : new Date(seen).toISOString(),
      };
    }),
    ...base,
  };
}

/** The pending charter changes that still check under the charter. */
function proposalViews(chain: CharterChain | undefined, pending: PendingSet): ProposalView[] {
  if (chain === undefined) return [];
  const out: ProposalView[] = [];
  for (const [id, p] of pending.entries()) {
    try {
      out.push(view(id, chain.proposalStatus(p.envelope), p.expiresAt));
    } catch {
      // stale: dropped on the next change
    }
  }
  return out;
}
