/**
 * Federation objects as audit-log governance events. Every charter version a node accepts, every
 * pending change it makes or signs (not every one it receives: those are bounded in memory and
 * state.json only, node/federation/pending.ts) and every fork it sees becomes one leaf:
 *
 *   { v: 1, type: "governance", kind: "federation.charter" | "federation.proposal" | "federation.fork" |
 *     "federation.withdrawal" | "federation.departed",
 *     time, digest, ref: "federation/<id>/<kind>/<version>" }
 *
 * `digest` is the charter digest (sha256 of its canonical bytes) for `federation.charter` — the same
 * digest the next version's `previous` names — and sha256 of the canonical envelope for proposals and
 * forks (whose signature sets matter). The record stored beside the leaf (auditor-only) is the
 * canonical envelope, so the log holds the evidence, not only a hash of it.
 */
import { encodeLeaf, type GovernanceLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import type { Envelope } from '../../protocol/federation/index.ts';
import type { AppendItem } from '../log/index.ts';

export type FederationEventKind =
  | 'federation.charter'
  | 'federation.proposal'
  | 'federation.fork'
  | 'federation.withdrawal'
  | 'federation.departed';

/** `sha256:` + hex of the canonical (JCS) envelope. */
export function envelopeDigest(env: Envelope): string {
  return `sha256:${toHex(sha256(canonicalBytes(env)))}`;
}

/** The audit-log item for one accepted federation object. */
export function federationAuditItem(input: {
  kind: FederationEventKind;
  federationId: string;
  version: number;
  /** For charters: the charter digest; otherwise envelopeDigest(envelope) is used. */
  digest?: string;
  envelope: Envelope;
  time: Date;
}): AppendItem {
  const record = canonicalBytes(input.envelope);
  const leaf: GovernanceLeaf = {
    v: 1,
    type: 'governance',
    kind: input.kind,
    time: input.time.toISOString(),
    digest: input.digest ?? `sha256:${toHex(sha256(record))}`,
    ref: `federation/${input.federationId}/${input.kind.slice('federation.'.length)}/${input.version}`,
  };
  return { leaf: encodeLeaf(leaf), record };
}
