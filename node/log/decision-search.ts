/**
 * Searching this node's decisions, newest first, from the search index (decision-keys.ts) — never a
 * scan of the log.
 *
 * The plan: ONE key range is walked backwards (newest first), chosen by the narrowest filter given —
 * the model's range, else the flag's, else the verdict's, else all decisions — bounded below by `since`
 * (inclusive) and above by `until` (exclusive) and by the cursor (strictly older than the last position
 * returned). Filters the range does not cover are checked on each candidate's leaf. A request reads at
 * most `limit` matches and at most SCAN_BUDGET candidates: when the budget runs out first, the answer
 * has fewer than `limit` items and a `next` cursor to continue from where the scan stopped. So the cost
 * of a request is bounded whatever the filters, and a single-filter search (the common case) reads
 * exactly the items it returns.
 *
 * Only entries below the committed size are answered (a key of a batch being written is skipped), and
 * with `below`, only entries below that tree size (an export proves every item against one checkpoint).
 */
import { type DecisionLeaf, decodeLeaf } from '../../protocol/audit/leaf.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { leafHash } from '../../protocol/log/index.ts';
import { plain } from './args.ts';
import { ALL_PREFIX, flagPrefix, modelPrefix, position, type VerdictKey, verdictPrefix } from './decision-keys.ts';
import { keyNumber, LEAF_PREFIX, leafKey } from './keys.ts';
import type { LogDb } from './store.ts';

/** Candidates one request may read before it answers with a cursor. */
export const SCAN_BUDGET = 10_000;
export const MAX_SEARCH_LIMIT = 1000;

/** Where a search continues: strictly older than this (time key, index). */
export interface SearchPosition {
  time: string;
  index: number;
}

export interface DecisionQuery {
  model?: string;
  /** Time keys (decision-keys.ts timeKey): since inclusive, until exclusive. */
  since?: string;
  until?: string;
  verdict?: 'allowed' | 'denied';
  flag?: string;
  /** 1..MAX_SEARCH_LIMIT. */
  limit: number;
  after?: SearchPosition;
  /** Only entries below this tree size (default: the committed size). */
  below?: number;
}

export interface FoundDecision {
  index: number;
  leafHash: Uint8Array;
  leaf: DecisionLeaf;
}

export interface SearchResult {
  items: FoundDecision[];
  /** Where to continue, when there may be more. */
  next?: SearchPosition;
}

/** The range the search walks, and the filters left for the leaf. */
function plan(q: DecisionQuery): { prefix: string; checkModel: boolean; checkFlag: boolean; checkVerdict: boolean } {
  if (q.model !== undefined) {
    return { prefix: modelPrefix(q.model), checkModel: false, checkFlag: q.flag !== undefined, checkVerdict: true };
  }
  if (q.flag !== undefined)
    return { prefix: flagPrefix(q.flag), checkModel: false, checkFlag: false, checkVerdict: true };
  if (q.verdict !== undefined) {
    return { prefix: verdictPrefix(q.verdict as VerdictKey), checkModel: false, checkFlag: false, checkVerdict: false };
  }
  return { prefix: ALL_PREFIX, checkModel: false, checkFlag: false, checkVerdict: false };
}

function matches(leaf: DecisionLeaf, q: DecisionQuery, p: ReturnType<typeof plan>): boolean {
  if (p.checkModel && leaf.model !== q.model) return false;
  if (p.checkVerdict && q.verdict !== undefined && (leaf.verdict ?? 'none') !== q.verdict) return false;
  if (p.checkFlag && q.flag !== undefined && !(leaf.deny ?? []).includes(q.flag)) return false;
  return true;
}

/** The (time, index) of a search key. */
function positionOf(key: string, prefix: string): SearchPosition {
  const rest = key.slice(prefix.length);
  const slash = rest.lastIndexOf('/');
  return { time: rest.slice(0, slash), index: keyNumber(LEAF_PREFIX + rest.slice(slash + 1), LEAF_PREFIX) };
}

const CHUNK = 256;

/** One page of decisions matching `q`, newest first (see the top). `size` is the committed size. */
export async function searchDecisions(db: LogDb, size: number, q: DecisionQuery): Promise<SearchResult> {
  const below = Math.min(size, q.below ?? size);
  const p = plan(q);
  let lt = `${p.prefix}~`;
  if (q.until !== undefined) lt = p.prefix + q.until;
  if (q.after !== undefined) {
    const at = p.prefix + position(q.after.time, q.after.index);
    if (at < lt) lt = at;
  }
  const gte = q.since === undefined ? p.prefix : p.prefix + q.since;
  const items: FoundDecision[] = [];
  let scanned = 0;
  let last: SearchPosition | undefined;
  const it = db.keys({ gte, lt, reverse: true });
  try {
    for (;;) {
      const want = Math.min(CHUNK, SCAN_BUDGET - scanned);
      const keys = want > 0 ? await it.nextv(want) : [];
      if (keys.length === 0) return { items };
      const found = keys.map((k) => positionOf(k, p.prefix));
      const leaves = await db.getMany(found.map((f) => leafKey(f.index)));
      for (let i = 0; i < found.length; i++) {
        const f = found[i] as SearchPosition;
        scanned++;
        last = f;
        if (f.index >= below) continue;
        const raw = leaves[i];
        if (raw === undefined) throw new GovfedError('ERR_LOG_CORRUPT', `entry ${f.index} is missing from the store`);
        const bytes = plain(raw);
        let leaf: ReturnType<typeof decodeLeaf>;
        try {
          leaf = decodeLeaf(bytes);
        } catch (cause) {
          throw new GovfedError('ERR_LOG_CORRUPT', `stored entry ${f.index} does not decode`, { cause });
        }
        if (leaf.type !== 'decision') {
          throw new GovfedError('ERR_LOG_CORRUPT', `search key names entry ${f.index}, which is not a decision`);
        }
        if (!matches(leaf, q, p)) continue;
        items.push({ index: f.index, leafHash: leafHash(bytes), leaf });
        if (items.length === q.limit) {
          const more = i + 1 < found.length || (await it.nextv(1)).length > 0;
          return more ? { items, next: f } : { items };
        }
      }
      if (scanned >= SCAN_BUDGET) {
        const more = (await it.nextv(1)).length > 0;
        return more && last !== undefined ? { items, next: last } : { items };
      }
    }
  } finally {
    await it.close();
  }
}
