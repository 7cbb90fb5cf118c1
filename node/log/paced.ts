/**
 * Which appends may wait for a paced checkpoint (checkpointer.ts `pacedGapMs`): those made only of
 * governance entries — the records a node's modules log (a charter version, a policy, a model's
 * registration…), one per event, which nobody is waiting on a checkpoint for within a second. Decisions
 * are never paced: an item that carries a decision's facts or keys (made by ingest), a shared log's
 * sequenced entry, or any leaf that is not a governance leaf is checkpointed at the next interval. Leaves
 * are decoded only for items without those fields (modules' appends: a few per event, not ingest's).
 */
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import type { AppendItem } from './appender.ts';

/**
 * The daemon's gap for governance-only growth, in checkpoint intervals (default interval 1 s: 5 s). A
 * charter version is one governance entry in every member's log, so versions back to back would each
 * make N checkpoints, each witnessed by k members and verified by N − 1 (issue 17, docs/benchmarks.md).
 */
export const GOVERNANCE_CHECKPOINT_INTERVALS = 5;

export function isPacedItem(item: AppendItem): boolean {
  if (item.decision !== undefined || item.keys !== undefined || item.leafHash !== undefined || item.del !== undefined)
    return false;
  try {
    return decodeLeaf(item.leaf).type === 'governance';
  } catch {
    return false; // not a leaf this version reads: not known to be governance
  }
}
