/**
 * The reads every audit log answers the same way, whatever its role: entries, records, lookups, decision
 * search, roots, proofs and tiles of the committed tree (log-reads.ts, decision-search.ts,
 * tile-reader.ts). AuditLog extends it and says what "the committed tree" is now — its own session's
 * (the writer, or the lease holder of a shared log) or, in a follower of a shared log, the integrated tree
 * it last saw (follower.ts).
 */
import type { Tile } from '../../protocol/log/tiles.ts';
import { assertIndexArg, plain } from './args.ts';
import { type DecisionQuery, type SearchResult, searchDecisions } from './decision-search.ts';
import { keyNumber, LEAF_PREFIX, leafKey } from './keys.ts';
import {
  type CommittedView,
  consistencyProof,
  inclusionProof,
  lookupDecision,
  lookupGovernance,
  lookupLeafHash,
  readEntry,
  readRecord,
  rootAt,
} from './log-reads.ts';
import { readTile } from './tile-reader.ts';

export abstract class ReadableLog {
  /** The committed tree now (throws ERR_SHUTTING_DOWN / ERR_LOG_UNAVAILABLE when there is none). */
  protected abstract view(): CommittedView;

  /** The exact leaf bytes at `index`; ERR_NOT_FOUND when index >= size. */
  async entry(index: number): Promise<Uint8Array> {
    return readEntry(this.view(), index);
  }

  /**
   * The entries from `from` up to `to` (bounded by the committed size), in index order, read a page at a
   * time (one range read per page, not one read per entry).
   */
  async *entries(from: number, to: number): AsyncGenerator<[number, Uint8Array]> {
    const view = this.view();
    assertIndexArg(from, 'from');
    const end = Math.min(to, view.size);
    if (from >= end) return;
    const it = view.db.iterator({ gte: leafKey(from), lt: leafKey(end) });
    try {
      for (;;) {
        const page = await it.nextv(512);
        if (page.length === 0) return;
        for (const [k, v] of page) yield [keyNumber(k, LEAF_PREFIX), plain(v)];
      }
    } finally {
      await it.close();
    }
  }

  /** The raw record stored with entry `index`, if any; ERR_NOT_FOUND when index >= size. */
  async record(index: number): Promise<Uint8Array | undefined> {
    return readRecord(this.view(), index);
  }

  /**
   * The index of the entry whose RFC 6962 leaf hash is `leafHash` (32 bytes), or undefined. When two
   * entries have the same leaf hash, the later one.
   */
  async lookupLeafHash(leafHash: Uint8Array): Promise<number | undefined> {
    return lookupLeafHash(this.view(), leafHash);
  }

  /** The index of the decision entry with this decisionId, or undefined (a reused id: the latest entry). */
  async lookupDecision(decisionId: string): Promise<number | undefined> {
    return lookupDecision(this.view(), decisionId);
  }

  /**
   * The index of the latest governance entry of `kind` (e.g. `federation.charter`), or undefined when the
   * log has none.
   */
  async lookupGovernance(kind: string): Promise<number | undefined> {
    return lookupGovernance(this.view(), kind);
  }

  /**
   * One page of this log's decisions matching `query`, newest first, from the search index
   * (decision-search.ts): at most query.limit items and a `next` position when there may be more.
   */
  async searchDecisions(query: DecisionQuery): Promise<SearchResult> {
    const view = this.view();
    return searchDecisions(view.db, view.size, query);
  }

  /** Root of the tree of the first `size` entries (size <= committed size). */
  async treeHash(size: number): Promise<Uint8Array> {
    return rootAt(this.view(), size);
  }

  /** Inclusion proof of entry `index` in the tree of `treeSize` entries (1 <= treeSize <= size). */
  async proveInclusion(index: number, treeSize: number): Promise<Uint8Array[]> {
    return inclusionProof(this.view(), index, treeSize);
  }

  /** Consistency proof from the tree of `from` entries to the tree of `to` entries (from <= to <= size). */
  async proveConsistency(from: number, to: number): Promise<Uint8Array[]> {
    return consistencyProof(this.view(), from, to);
  }

  /**
   * A C2SP tlog-tiles hash tile or entry bundle of the committed tree (tile-reader.ts); ERR_NOT_FOUND
   * when the tile is not complete at the committed size.
   */
  async tile(tile: Tile): Promise<Uint8Array> {
    const view = this.view();
    return readTile(view.db, view.reader, view.size, tile);
  }
}
