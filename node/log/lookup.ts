/**
 * The lookup index: from what an auditor knows about an entry — its RFC 6962 leaf hash, or the
 * decisionId of a decision — to its index in the log (GET /v1/log/lookup).
 *
 *     x/<64 hex of the leaf hash>   → index (8 bytes big-endian)
 *     d/<decisionId>                → index (8 bytes big-endian), decision leaves only
 *     g/<kind>                      → index of the LATEST governance leaf of that kind (e.g. the last
 *                                     `federation.charter`: the start-up check that the federation state
 *                                     file was not lost asks it)
 *
 * The appender puts an entry's index keys into the same LevelDB batch as its leaf, so the index is
 * exactly as durable as the log (a crash loses both or neither); lookups only answer indexes below the
 * committed size. When two entries share a key (a caller reused a decisionId; a governance leaf repeated
 * byte for byte) the later entry wins. A log written before the index existed (or before its current
 * version: version 1 had no g/ keys) has no `m/lookup` key of LOOKUP_VERSION: at start the index is
 * built from the stored leaves once (backfill, idempotent), then `m/lookup` is written.
 *
 * Extracting the decisionId must not slow ingest: leaf bytes are RFC 8785 canonical JSON (protocol/audit),
 * so in a decision leaf the key appears exactly once as `"decisionId":"` — a `"` inside any string value
 * is escaped, so the sequence quote-colon-quote cannot occur inside a value. The value is read up to the
 * next quote; a value with an escape in it is decoded with JSON.parse instead.
 *
 * Version 3 adds the decision search keys (`s/…`, decision-keys.ts) to a decision's keys. At start, the
 * index is also rebuilt when any of the last TAIL_CHECK_ENTRIES entries misses one of its keys (an index
 * behind the log: keys deleted from outside), so nothing acknowledged is ever missing from a search.
 */

import { toHex, utf8 } from '../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { type DecisionFacts, searchKeyPrefixes, searchKeys } from './decision-keys.ts';
import type { FsckProblemCode } from './fsck-problems.ts';
import { fastLeafHash } from './hasher.ts';
import {
  DECISION_INDEX_PREFIX,
  decodeSize,
  encodeSize,
  GOVERNANCE_INDEX_PREFIX,
  hex16,
  keyNumber,
  LEAF_HASH_INDEX_PREFIX,
  LEAF_PREFIX,
  LOOKUP_KEY,
  leafKey,
} from './keys.ts';
import type { LogDb, LogSnapshot } from './store.ts';

/** The value of LOOKUP_KEY when the index covers the whole log. */
export const LOOKUP_VERSION = '3';
/** How many of the last entries the start-up check reads to find an index that is behind the log. */
export const TAIL_CHECK_ENTRIES = 256;

const td = new TextDecoder('utf-8');
const DECISION_MARK = '"type":"decision"';
const ID_MARK = '"decisionId":"';
const GOVERNANCE_MARK = '"type":"governance"';
const KIND_MARK = '"kind":"';
/** Governance kinds are short dotted names (protocol/audit); anything else is not indexed. */
const KIND_RE = /^[a-z][a-z0-9.-]{0,63}$/;

export function leafHashIndexKey(leafHash: Uint8Array): string {
  return LEAF_HASH_INDEX_PREFIX + toHex(leafHash);
}

export function decisionIndexKey(decisionId: string): string {
  return DECISION_INDEX_PREFIX + decisionId;
}

export function governanceIndexKey(kind: string): string {
  return GOVERNANCE_INDEX_PREFIX + kind;
}

/** The kind of a governance leaf (canonical JSON bytes: the key occurs once, unescaped), else undefined. */
export function governanceKindOf(text: string): string | undefined {
  if (!text.includes(GOVERNANCE_MARK)) return undefined;
  const at = text.indexOf(KIND_MARK);
  if (at < 0) return undefined;
  const start = at + KIND_MARK.length;
  const end = text.indexOf('"', start);
  const kind = end < 0 ? '' : text.slice(start, end);
  return KIND_RE.test(kind) ? kind : undefined;
}

/** The decisionId of a decision leaf (canonical JSON bytes), or undefined for any other leaf. */
export function decisionIdOf(leaf: Uint8Array): string | undefined {
  return decisionIdIn(td.decode(leaf));
}

function decisionIdIn(text: string): string | undefined {
  if (!text.includes(DECISION_MARK)) return undefined;
  const at = text.indexOf(ID_MARK);
  if (at < 0) return undefined;
  const start = at + ID_MARK.length;
  const end = text.indexOf('"', start);
  if (end < 0) return undefined;
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw.length > 0 ? raw : undefined;
  try {
    const id = (JSON.parse(text) as { decisionId?: unknown }).decisionId;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The index keys of entry `index`: lookup keys, and a decision's search keys (decision-keys.ts). */
export function lookupKeys(leaf: Uint8Array, leafHash: Uint8Array, index: number): string[] {
  const keys = [leafHashIndexKey(leafHash)];
  const text = td.decode(leaf);
  const id = decisionIdIn(text);
  if (id !== undefined) {
    keys.push(decisionIndexKey(id));
    for (const k of searchKeys(text, index)) keys.push(k);
  } else {
    const kind = governanceKindOf(text);
    if (kind !== undefined) keys.push(governanceIndexKey(kind));
  }
  return keys;
}

/** A decision leaf's facts as its producer knows them (the recorder): what lookupKeys would read back. */
export interface DecisionIndexFacts extends DecisionFacts {
  decisionId: string;
}

/**
 * lookupKeys of a decision leaf from its facts, without reading the leaf again (ingest: the recorder
 * built the leaf). Same keys as lookupKeys(leaf, …) — test/node/log/lookup.test.ts compares them.
 */
export function decisionLookupKeys(facts: DecisionIndexFacts, leafHash: Uint8Array, index: number): string[] {
  return keysAt(decisionKeyParts(facts, leafHash), index);
}

/**
 * A decision's index keys made before its index is known (on an ingest worker): `fixed` keys as they
 * are, `positional` ones each followed by the entry's index (16 hex digits) — keysAt puts them together.
 */
export interface KeyParts {
  fixed: readonly string[];
  positional: readonly string[];
}

export function decisionKeyParts(facts: DecisionIndexFacts, leafHash: Uint8Array): KeyParts {
  return {
    fixed: [leafHashIndexKey(leafHash), decisionIndexKey(facts.decisionId)],
    positional: searchKeyPrefixes(facts),
  };
}

/** The keys of `parts` for entry `index`. */
export function keysAt(parts: KeyParts, index: number): string[] {
  const at = hex16(index);
  const keys = [...parts.fixed];
  for (const p of parts.positional) keys.push(p + at);
  return keys;
}

const BACKFILL_CHUNK = 4096;

/**
 * Builds the index for a log written before it existed (no `m/lookup`): every stored leaf below `size`,
 * in synced batches, then `m/lookup`. Idempotent — a crash part-way simply runs it again at next start.
 */
export async function ensureLookupIndex(db: LogDb, size: number): Promise<boolean> {
  if ((await hasCurrentLookupIndex(db)) && (await tailIndexed(db, size))) return false;
  // Not complete: the marker goes first, so that a crash part-way through leaves it absent.
  await db.del(LOOKUP_KEY, { sync: true });
  const it = db.iterator({ gte: leafKey(0), lt: leafKey(size) });
  try {
    let expected = 0;
    for (;;) {
      const entries = await it.nextv(BACKFILL_CHUNK);
      if (entries.length === 0) break;
      const batch = db.batch();
      for (const [k, leaf] of entries) {
        const index = keyNumber(k, LEAF_PREFIX);
        if (index !== expected) throw new GovfedError('ERR_LOG_CORRUPT', `leaf ${expected} is missing from the store`);
        expected++;
        const at = encodeSize(index);
        for (const key of lookupKeys(leaf, fastLeafHash(leaf), index)) batch.put(key, at);
      }
      await batch.write({ sync: true });
    }
    if (expected !== size) throw new GovfedError('ERR_LOG_CORRUPT', `leaf ${expected} is missing from the store`);
  } finally {
    await it.close();
  }
  await db.put(LOOKUP_KEY, utf8(LOOKUP_VERSION), { sync: true });
  return true;
}

/**
 * True when each of the last TAIL_CHECK_ENTRIES entries below `size` is found by every one of its index
 * keys. The keys are written in the same batch as their leaf, so they are missing only when something
 * outside the node deleted them (or an older version's store was copied over): the index is then behind
 * the log and is rebuilt.
 */
async function tailIndexed(db: LogDb, size: number): Promise<boolean> {
  const from = Math.max(0, size - TAIL_CHECK_ENTRIES);
  const leaves = await db.iterator({ gte: leafKey(from), lt: leafKey(size) }).all();
  if (leaves.length !== size - from) return false;
  const wanted: [string, number][] = [];
  for (const [k, leaf] of leaves) {
    const index = keyNumber(k, LEAF_PREFIX);
    for (const key of lookupKeys(leaf, fastLeafHash(leaf), index)) wanted.push([key, index]);
  }
  const values = await db.getMany(wanted.map(([k]) => k));
  return wanted.every(([, index], i) => {
    const raw = values[i];
    return raw !== undefined && raw.length === 8 && decodeSize(raw) >= index;
  });
}

/** True when `m/lookup` says the index covers every entry with this version's keys. */
export async function hasCurrentLookupIndex(db: LogDb, opts: { snapshot?: LogSnapshot } = {}): Promise<boolean> {
  const v = await db.get(LOOKUP_KEY, opts);
  return v !== undefined && td.decode(v) === LOOKUP_VERSION;
}

/** The index stored under `key` when it is below `size`; undefined otherwise. */
export async function readLookup(
  db: LogDb,
  key: string,
  size: number,
  opts: { snapshot?: LogSnapshot } = {},
): Promise<number | undefined> {
  const raw = await db.get(key, opts);
  if (raw === undefined) return undefined;
  const index = decodeSize(raw);
  return index < size ? index : undefined;
}

/**
 * fsck's check of the index: every entry must be found by each of its keys — the key names the entry
 * itself or a later entry with the same key. Fed leaf by leaf in index order; reads in chunks.
 */
export class LookupIndexCheck {
  readonly #db: LogDb;
  readonly #snapshot: LogSnapshot;
  readonly #size: number;
  readonly #problem: (code: FsckProblemCode, p: string) => void;
  #pending: [string, number][] = [];
  /** Keys of the entries added since the last flush, by index. */
  #chunk = new Map<number, string[]>();
  /** Keys that must belong to a later entry, by that entry's index. */
  #later = new Map<number, string[]>();

  constructor(db: LogDb, snapshot: LogSnapshot, size: number, problem: (code: FsckProblemCode, p: string) => void) {
    this.#db = db;
    this.#snapshot = snapshot;
    this.#size = size;
    this.#problem = problem;
  }

  async add(index: number, leaf: Uint8Array, leafHash: Uint8Array): Promise<void> {
    const keys = lookupKeys(leaf, leafHash, index);
    this.#expectLater(index, keys);
    this.#chunk.set(index, keys);
    for (const k of keys) this.#pending.push([k, index]);
    if (this.#pending.length >= BACKFILL_CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    const values = await this.#db.getMany(
      pending.map(([k]) => k),
      { snapshot: this.#snapshot },
    );
    for (let j = 0; j < pending.length; j++) {
      const [key, index] = pending[j] as [string, number];
      const raw = values[j];
      const at = raw === undefined || raw.length !== 8 ? undefined : decodeSize(raw);
      if (at === undefined || at < index || at >= this.#size) {
        this.#problem(
          at === undefined ? 'FSCK_INDEX_KEY_MISSING' : 'FSCK_INDEX_KEY_WRONG',
          `lookup index: ${key.slice(0, 2)} key of entry ${index} ${at === undefined ? 'is missing' : `names ${at}`}`,
        );
      } else if (at > index) {
        const inChunk = this.#chunk.get(at);
        if (inChunk !== undefined) {
          if (!inChunk.includes(key))
            this.#problem('FSCK_INDEX_KEY_WRONG', `lookup index: ${key.slice(0, 2)} key of entry ${index} names ${at}`);
        } else {
          this.#later.set(at, [...(this.#later.get(at) ?? []), key]);
        }
      }
    }
    this.#chunk.clear();
  }

  /** After the last entry: keys that named entries never reached. */
  async finish(): Promise<void> {
    await this.flush();
    for (const [at] of this.#later) {
      this.#problem('FSCK_INDEX_KEY_WRONG', `lookup index: keys name entry ${at}, which does not have them`);
    }
  }

  #expectLater(index: number, keys: readonly string[]): void {
    const expected = this.#later.get(index);
    if (expected === undefined) return;
    this.#later.delete(index);
    for (const k of expected) {
      if (!keys.includes(k))
        this.#problem(
          'FSCK_INDEX_KEY_WRONG',
          `lookup index: a ${k.slice(0, 2)} key names entry ${index}, which does not have it`,
        );
    }
  }
}
