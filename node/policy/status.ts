/**
 * The policy status (GET /v1/policy/status, `govfed policy status`): this node's baseline and local
 * overlay, every member's receipt as this node holds it, pending proposals, forks kept as evidence and
 * rejection counts — read from the replicated chain (node/chain) and the charter, never stored apart.
 */
import type { Charter } from '../../protocol/federation/index.ts';
import { baselineDigest, type LocalPolicy, type PolicyBaseline, receiptOf } from '../../protocol/policy/index.ts';
import type { ReplicatedChain } from '../chain/index.ts';
import { bundleOf } from './object.ts';
import { type PolicyMemberView, type PolicyStatus, view } from './views.ts';

export interface PolicyStatusSource {
  org: string;
  peerId: string;
  chain: ReplicatedChain<PolicyBaseline>;
  /** The current charter, when this node is in a federation. */
  charter: Charter | undefined;
  local: LocalPolicy | undefined;
  expired: boolean;
}

/** This node's baseline, every member's receipt, pending proposals, forks and rejections. */
export function policyStatusOf(s: PolicyStatusSource): PolicyStatus {
  const rc = s.chain;
  const cur = rc.head();
  const receipts = rc.receipts();
  // Since this start, or else from our own receipt for the current version (it survives restarts).
  const own = receipts.get(s.peerId);
  const ownReceipt = own === undefined ? undefined : receiptOf(own);
  const applied =
    rc.applied ??
    (ownReceipt !== undefined && ownReceipt.bundleHash === cur?.digest
      ? { appliedAt: ownReceipt.appliedAt, logIndex: ownReceipt.logIndex }
      : undefined);
  const members: PolicyMemberView[] = (s.charter?.members ?? []).map((m) => {
    const env = receipts.get(m.peerId) ?? null;
    const r = env === null ? undefined : receiptOf(env);
    return {
      org: m.org,
      peerId: m.peerId,
      self: m.peerId === s.peerId,
      version: r?.version ?? null,
      bundleHash: r?.bundleHash ?? null,
      receipt: env,
    };
  });
  return {
    federated: s.charter !== undefined,
    self: {
      org: s.org,
      peerId: s.peerId,
      version: cur?.object.version ?? 0,
      digest: cur?.digest ?? null,
      expiresAt: cur?.object.expiresAt ?? null,
      expired: s.expired,
      appliedAt: applied?.appliedAt ?? null,
      logIndex: applied?.logIndex ?? null,
      localVersion: s.local?.version ?? 0,
      localRules: s.local?.rules.length ?? 0,
    },
    members,
    pending: rc.pendingInfos().map(view),
    forks: rc.forks().map((env) => {
      const b = bundleOf(env);
      return {
        version: b.version,
        digest: baselineDigest(b),
        signedBy: env.signatures.flatMap((sig) => sig.keyid ?? []),
      };
    }),
    rejected: rc.rejected(),
  };
}
