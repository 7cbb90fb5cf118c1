/**
 * A minimal, independent tlog-tiles reader for tests: it knows only the spec (c2sp.org/tlog-tiles) and
 * RFC 6962, not govfed's stored-hash layout or protocol/log/tiles.ts. Given a way to fetch a path's
 * bytes and a tree size, it computes MTH(D[lo:hi]) for any range, so a test can recompute a
 * checkpoint's root and an inclusion proof from tiles alone.
 */
import { createHash } from 'node:crypto';

export type FetchPath = (path: string) => Promise<Uint8Array>;

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export const leafHashOf = (entry: Uint8Array): Uint8Array => sha256(Uint8Array.of(0), entry);
const node = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(Uint8Array.of(1), l, r);

/** 1234067 → x001/x234/067 (written from the spec's example, independently of protocol/log). */
export function indexPath(n: number): string {
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export class TileClient {
  readonly #fetch: FetchPath;
  readonly #size: number;
  readonly #tiles = new Map<string, Promise<Uint8Array>>();
  /** Paths fetched so far. */
  readonly fetched: string[] = [];

  constructor(fetchPath: FetchPath, size: number) {
    this.#fetch = fetchPath;
    this.#size = size;
  }

  /** The path of the tile holding hash `index` at tile level `level` in this tree, and its width. */
  tileFor(level: number, index: number): { path: string; width: number } {
    const n = Math.floor(index / 256);
    const hashesAtLevel = Math.floor(this.#size / 256 ** level);
    const width = Math.min(256, hashesAtLevel - n * 256);
    const suffix = width === 256 ? '' : `.p/${width}`;
    return { path: `tile/${level}/${indexPath(n)}${suffix}`, width };
  }

  async #tile(path: string, width: number): Promise<Uint8Array> {
    let p = this.#tiles.get(path);
    if (p === undefined) {
      this.fetched.push(path);
      p = this.#fetch(path);
      this.#tiles.set(path, p);
    }
    const bytes = await p;
    if (bytes.length !== width * 32) throw new Error(`${path}: ${bytes.length} bytes, expected ${width * 32}`);
    return bytes;
  }

  /** Hash `index` of tile level `level`: MTH of leaves [index·256^level, (index+1)·256^level). */
  async tileHash(level: number, index: number): Promise<Uint8Array> {
    const { path, width } = this.tileFor(level, index);
    const bytes = await this.#tile(path, width);
    const i = index % 256;
    return bytes.slice(i * 32, i * 32 + 32);
  }

  /** RFC 6962 MTH(D[lo:hi]) for 0 <= lo < hi <= size, from tile hashes. */
  async mth(lo: number, hi: number): Promise<Uint8Array> {
    const n = hi - lo;
    // A complete subtree of 256^l leaves, aligned: one tile hash.
    for (let level = 6; level >= 0; level--) {
      const width = 256 ** level;
      if (n === width && lo % width === 0) return this.tileHash(level, lo / width);
    }
    let k = 1;
    while (k * 2 < n) k *= 2; // largest power of two < n
    const [l, r] = await Promise.all([this.mth(lo, lo + k), this.mth(lo + k, hi)]);
    return node(l, r);
  }

  /** The root of the whole tree (SHA-256 of nothing for size 0). */
  async root(): Promise<Uint8Array> {
    return this.#size === 0 ? sha256() : this.mth(0, this.#size);
  }

  /** RFC 6962 PATH(m, D[lo:hi]), the inclusion proof of leaf m, from tile hashes. */
  async inclusionPath(m: number, lo = 0, hi = this.#size): Promise<Uint8Array[]> {
    const n = hi - lo;
    if (n === 1) return [];
    let k = 1;
    while (k * 2 < n) k *= 2;
    if (m - lo < k) return [...(await this.inclusionPath(m, lo, lo + k)), await this.mth(lo + k, hi)];
    return [...(await this.inclusionPath(m, lo + k, hi)), await this.mth(lo, lo + k)];
  }
}

/** Splits an entry bundle (big-endian uint16 length-prefixed entries), written from the spec. */
export function splitBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = (bytes[at] as number) * 256 + (bytes[at + 1] as number);
    if (at + 2 + len > bytes.length) throw new Error('truncated entry bundle');
    out.push(bytes.slice(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}
