/**
 * The read side of the audit log: entries, raw records, lookups and Merkle proofs over the committed tree
 * of one store session (AuditLog delegates here; appends, checkpoints and fault recovery stay there).
 *
 * Every function reads a `CommittedView` — the DB, its stored-hash reader and the committed size taken
 * when the call began — so a read never sees entries that are staged but not yet durable. The numbers and
 * strings come from API clients (attacker-controlled): each is checked first, with a protocol error code
 * (ERR_INDEX_OUT_OF_RANGE, ERR_INVALID_TREE_SIZE, ERR_INVALID_INPUT, ERR_NOT_FOUND).
 */
import { GovfedError } from '../../protocol/errors.ts';
import { type HashReader, proveConsistency, proveInclusion, treeHash } from '../../protocol/log/index.ts';
import { NodeError } from '../errors.ts';
import { assertIndexArg, assertSizeArg, plain } from './args.ts';
import { leafKey, recordKey } from './keys.ts';
import { decisionIndexKey, governanceIndexKey, leafHashIndexKey, readLookup } from './lookup.ts';
import type { LogDb } from './store.ts';

/** What a read sees: the store, its stored hashes and the committed (durable) size. */
export interface CommittedView {
  db: LogDb;
  reader: HashReader;
  size: number;
}

function assertInLog(view: CommittedView, index: unknown): asserts index is number {
  assertIndexArg(index, 'index');
  if (index >= view.size) throw new NodeError('ERR_NOT_FOUND', `no entry ${index} (size ${view.size})`);
}

/** The exact leaf bytes at `index`; ERR_NOT_FOUND when index >= size. */
export async function readEntry(view: CommittedView, index: number): Promise<Uint8Array> {
  assertInLog(view, index);
  const leaf = await view.db.get(leafKey(index));
  if (leaf === undefined) throw new GovfedError('ERR_LOG_CORRUPT', `entry ${index} is missing from the store`);
  return plain(leaf);
}

/** The raw record stored with entry `index`, if any; ERR_NOT_FOUND when index >= size. */
export async function readRecord(view: CommittedView, index: number): Promise<Uint8Array | undefined> {
  assertInLog(view, index);
  const rec = await view.db.get(recordKey(index));
  return rec === undefined ? undefined : plain(rec);
}

/** The index of the (latest) entry whose RFC 6962 leaf hash is `leafHash` (32 bytes), or undefined. */
export async function lookupLeafHash(view: CommittedView, leafHash: Uint8Array): Promise<number | undefined> {
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== 32) {
    throw new GovfedError('ERR_INVALID_INPUT', 'leafHash: expected 32 bytes');
  }
  return readLookup(view.db, leafHashIndexKey(leafHash), view.size);
}

/** The index of the (latest) decision entry with this decisionId, or undefined. */
export async function lookupDecision(view: CommittedView, decisionId: string): Promise<number | undefined> {
  if (typeof decisionId !== 'string' || decisionId.length === 0 || decisionId.length > 1024) {
    throw new GovfedError('ERR_INVALID_INPUT', 'decisionId: expected 1..1024 characters');
  }
  return readLookup(view.db, decisionIndexKey(decisionId), view.size);
}

/** The index of the latest governance entry of `kind` (e.g. `federation.charter`), or undefined. */
export async function lookupGovernance(view: CommittedView, kind: string): Promise<number | undefined> {
  if (typeof kind !== 'string' || kind.length === 0 || kind.length > 64) {
    throw new GovfedError('ERR_INVALID_INPUT', 'kind: expected 1..64 characters');
  }
  return readLookup(view.db, governanceIndexKey(kind), view.size);
}

/** Root of the tree of the first `size` entries (size <= committed size). */
export async function rootAt(view: CommittedView, size: number): Promise<Uint8Array> {
  assertSizeArg(size, view.size, 'tree size');
  return treeHash(size, view.reader);
}

/** Inclusion proof of entry `index` in the tree of `treeSize` entries (1 <= treeSize <= size). */
export async function inclusionProof(view: CommittedView, index: number, treeSize: number): Promise<Uint8Array[]> {
  assertSizeArg(treeSize, view.size, 'treeSize');
  return proveInclusion(index, treeSize, view.reader);
}

/** Consistency proof from the tree of `from` entries to the tree of `to` entries (from <= to <= size). */
export async function consistencyProof(view: CommittedView, from: number, to: number): Promise<Uint8Array[]> {
  assertSizeArg(to, view.size, 'to');
  assertSizeArg(from, to, 'from');
  return proveConsistency(from, to, view.reader);
}
