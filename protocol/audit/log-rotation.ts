/**
 * The `log.rotated` governance entry: how a log key rotation (`govfed keys rotate --log`) is written into
 * both logs, so that anyone reading either one finds the other.
 *
 *   record  { "type": "govfed-log-rotation/v1",
 *             "from": { "origin", "verifierKey", "size"?, "rootHash"? },
 *             "to":   { "origin", "verifierKey" } }
 *   leaf    { v: 1, type: "governance", kind: "log.rotated", time, digest: sha256 of the canonical record,
 *             ref: <the other log's origin> }
 *
 * The old log's last entries include one (ref = the new origin; `from` without size and root, which the
 * entry itself changes). The new log's entries after `node.init` include one (ref = the old origin;
 * `from.size` and `from.rootHash` = the old log's final signed tree: the new log commits to it).
 */
import { canonicalBytes } from '../canonical/jcs.ts';
import { sha256 } from '../crypto/sha256.ts';
import { toBase64, toHex } from '../encoding/bytes.ts';
import type { GovernanceLeaf } from './leaf.ts';

export const LOG_ROTATION_TYPE = 'govfed-log-rotation/v1';
export const LOG_ROTATED_KIND = 'log.rotated';

export interface LogRotationRecord {
  type: typeof LOG_ROTATION_TYPE;
  from: { origin: string; verifierKey: string; size?: number; rootHash?: string };
  to: { origin: string; verifierKey: string };
}

export interface LogRotationInput {
  from: { origin: string; verifierKey: string; tree?: { size: number; rootHash: Uint8Array } };
  to: { origin: string; verifierKey: string };
}

/** The record and its leaf for the log named by `inLog` ('old': ref = to.origin; 'new': ref = from.origin). */
export function logRotationEntry(
  input: LogRotationInput,
  inLog: 'old' | 'new',
  time: string,
): { leaf: GovernanceLeaf; record: Uint8Array } {
  const { tree, ...from } = input.from;
  const value: LogRotationRecord = {
    type: LOG_ROTATION_TYPE,
    from: tree === undefined ? from : { ...from, size: tree.size, rootHash: toBase64(tree.rootHash) },
    to: { ...input.to },
  };
  const record = canonicalBytes(value);
  const leaf: GovernanceLeaf = {
    v: 1,
    type: 'governance',
    kind: LOG_ROTATED_KIND,
    time,
    digest: `sha256:${toHex(sha256(record))}`,
    ref: inLog === 'old' ? input.to.origin : input.from.origin,
  };
  return { leaf, record };
}
