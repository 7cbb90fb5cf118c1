/**
 * Policy events as audit-log governance leaves. Every bundle a node applies, every local overlay it
 * installs and every fork it sees becomes one leaf:
 *
 *   { v: 1, type: "governance", kind: "policy.bundle" | "policy.local" | "policy.fork", time, digest,
 *     ref: "policy/<federation id>/<version>" | "policy/local/<version>" | "policy/<federation id>/fork/<version>" }
 *
 * `digest` is the bundle digest (sha256 of its canonical bytes — what receipts name as bundleHash and
 * the next version's `previous`) for `policy.bundle` and `policy.fork`, and sha256 of the canonical local
 * policy for `policy.local`. The record beside the leaf (auditor-only) is the canonical envelope (or the
 * local policy), so the log holds the evidence itself.
 */
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import type { AppendItem } from '../log/index.ts';

export type PolicyEventKind = 'policy.bundle' | 'policy.local' | 'policy.fork';

/** The audit-log item for one policy event. */
export function policyAuditItem(input: {
  kind: PolicyEventKind;
  /** Federation id (bundle, fork); absent for local. */
  federationId?: string;
  version: number;
  /** The bundle digest for bundle/fork; for local, sha256 of the record is used. */
  digest?: string;
  /** The object recorded beside the leaf (an envelope, or the local policy). */
  object: unknown;
  time: Date;
}): AppendItem {
  const record = canonicalBytes(input.object);
  const ref =
    input.kind === 'policy.local'
      ? `policy/local/${input.version}`
      : input.kind === 'policy.fork'
        ? `policy/${input.federationId}/fork/${input.version}`
        : `policy/${input.federationId}/${input.version}`;
  const leaf: GovernanceLeaf = {
    v: 1,
    type: 'governance',
    kind: input.kind,
    time: input.time.toISOString(),
    digest: input.digest ?? `sha256:${toHex(sha256(record))}`,
    ref,
  };
  return { leaf: encodeLeaf(leaf), record };
}
