/**
 * The C2SP tlog-tiles layout (c2sp.org/tlog-tiles): the log as static files, pure.
 *
 * A tile is a run of up to 256 consecutive Merkle Tree Hashes at one tile level. Tile n at level l
 * holds, for i in 0..255, MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]) — a hash tile at level l
 * is the bottom row of a subtree of height 8 whose leaves sit at tree level 8·l. Every one of those
 * hashes is a complete subtree, so it is already a stored hash (stored.ts): hash i of tile (l, n) is
 * stored node (8·l, n·256 + i). A tile is *full* with 256 hashes (8,192 bytes) and immutable; the
 * rightmost tile of a level is *partial*, with width W = floor(size / 256^l) mod 256, and is named by
 * its width (`.p/W`), so the bytes at any path never change either. Entry bundles (`tile/entries/…`)
 * follow level 0: the entries themselves, each a big-endian uint16 length then its bytes.
 *
 *     tile/<L>/<N>[.p/<W>]        L in 0..63 (no leading zeros); W in 1..255
 *     tile/entries/<N>[.p/<W>]    N as 3-digit groups, all but the last prefixed x: 1234067 = x001/x234/067
 *
 * Paths here carry no leading slash. Parsing is strict (one spelling per tile) and bounded: anything
 * else is ERR_INVALID_INPUT. Whether a tile exists is a separate question (tileInTree).
 */
import { GovfedError } from '../errors.ts';
import { HASH_SIZE } from './hash.ts';
import { MAX_TREE_SIZE } from './size.ts';
import { storedIndex } from './stored.ts';

/** Hashes in a full tile (tile height 8). */
export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;
/** Bytes in a full hash tile. */
export const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;
/** Highest tile level a path may name (the spec's syntax; a tree of MAX_TREE_SIZE uses levels 0..6). */
export const MAX_TILE_LEVEL = 63;
/** Largest entry an entry bundle can carry (uint16 length prefix). */
export const MAX_BUNDLE_ENTRY_BYTES = 0xffff;
/** Longest tile path accepted by parseTilePath (far above any real path, which is < 60 characters). */
export const MAX_TILE_PATH_LENGTH = 128;

/** A hash tile (level 0..63) or an entry bundle; width 1..256 (256 = full). */
export interface Tile {
  kind: 'hash' | 'entries';
  /** Tile level; 0 for entry bundles. */
  level: number;
  /** Index of the tile within its level. */
  n: number;
  /** Number of hashes (or entries): 256 for a full tile, 1..255 for a partial one. */
  width: number;
}

function invalid(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', message);
}

function isSafeUint(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function assertTile(tile: Tile): void {
  const { kind, level, n, width } = tile;
  if (kind !== 'hash' && kind !== 'entries') throw invalid(`tile kind: expected hash or entries, got ${String(kind)}`);
  const maxLevel = kind === 'entries' ? 0 : MAX_TILE_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > maxLevel) {
    throw invalid(`tile level: expected an integer in [0, ${maxLevel}], got ${String(level)}`);
  }
  if (!isSafeUint(n)) throw invalid(`tile index: expected a non-negative safe integer, got ${String(n)}`);
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw invalid(`tile width: expected an integer in [1, ${TILE_WIDTH}], got ${String(width)}`);
  }
}

/** N as zero-padded 3-digit path elements, all but the last starting with x: 1234067 → x001/x234/067. */
export function formatTileIndex(n: number): string {
  if (!isSafeUint(n)) throw invalid(`tile index: expected a non-negative safe integer, got ${String(n)}`);
  let s = String(n % 1000).padStart(3, '0');
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000)) {
    s = `x${String(rest % 1000).padStart(3, '0')}/${s}`;
  }
  return s;
}

/** The inverse of formatTileIndex, accepting only its output (no extra x000 groups, 3 digits each). */
export function parseTileIndex(elements: readonly string[]): number {
  if (elements.length === 0 || elements.length > 6) throw invalid('tile index: expected 1 to 6 path elements');
  let n = 0;
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i] as string;
    const last = i === elements.length - 1;
    const m = (last ? /^([0-9]{3})$/ : /^x([0-9]{3})$/).exec(el);
    if (m === null) throw invalid(`tile index: bad path element ${JSON.stringify(el.slice(0, 16))}`);
    if (i === 0 && !last && m[1] === '000') throw invalid('tile index: leading x000 element');
    n = n * 1000 + Number(m[1]);
  }
  if (!Number.isSafeInteger(n)) throw invalid('tile index: too large');
  return n;
}

/** `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, without a leading slash. */
export function formatTilePath(tile: Tile): string {
  assertTile(tile);
  const prefix = tile.kind === 'entries' ? 'tile/entries/' : `tile/${tile.level}/`;
  const suffix = tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`;
  return prefix + formatTileIndex(tile.n) + suffix;
}

/**
 * Parses a tile path (untrusted: a URL path from an HTTP client), with or without a leading slash.
 * Exactly the spellings formatTilePath produces are accepted; anything else is ERR_INVALID_INPUT.
 */
export function parseTilePath(path: string): Tile {
  if (typeof path !== 'string' || path.length > MAX_TILE_PATH_LENGTH) throw invalid('tile path: too long');
  const parts = (path.startsWith('/') ? path.slice(1) : path).split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw invalid('tile path: expected tile/<L>/<N>[.p/<W>]');
  let kind: Tile['kind'] = 'hash';
  let level = 0;
  const levelPart = parts[1] as string;
  if (levelPart === 'entries') {
    kind = 'entries';
  } else if (/^(0|[1-9][0-9]?)$/.test(levelPart) && Number(levelPart) <= MAX_TILE_LEVEL) {
    level = Number(levelPart);
  } else {
    throw invalid(`tile path: bad level ${JSON.stringify(levelPart.slice(0, 16))}`);
  }
  let rest = parts.slice(2);
  let width = TILE_WIDTH;
  const p = rest.length >= 2 ? (rest[rest.length - 2] as string) : '';
  if (p.endsWith('.p')) {
    const w = rest[rest.length - 1] as string;
    if (!/^[1-9][0-9]{0,2}$/.test(w) || Number(w) >= TILE_WIDTH) {
      throw invalid(`tile path: bad partial width ${JSON.stringify(w.slice(0, 16))}`);
    }
    width = Number(w);
    rest = [...rest.slice(0, -2), p.slice(0, -2)];
  }
  return { kind, level, n: parseTileIndex(rest), width };
}

/** Leaves a tile's hashes (or entries) span: [start, end). Exact for every tile that fits in MAX_TREE_SIZE. */
export function tileSpan(tile: Tile): { start: number; end: number } {
  assertTile(tile);
  const per = TILE_WIDTH ** tile.level; // leaves under one hash of the tile
  return { start: tile.n * TILE_WIDTH * per, end: (tile.n * TILE_WIDTH + tile.width) * per };
}

/**
 * Whether a tree of `size` leaves can serve this tile: all its hashes (or entries) are complete, i.e.
 * its span ends at or before `size`. That includes every partial tile of an earlier tree size (the
 * spec requires those of every checkpointed size; the bytes at a partial path never change, so a node
 * serves them all). Tiles past MAX_TREE_SIZE never exist.
 */
export function tileInTree(tile: Tile, size: number): boolean {
  assertTile(tile);
  if (!isSafeUint(size)) throw invalid(`tree size: expected a non-negative safe integer, got ${String(size)}`);
  if (tile.level > 6) return false; // 256^7 leaves > MAX_TREE_SIZE
  const { end } = tileSpan(tile);
  return end <= size && end <= MAX_TREE_SIZE;
}

/**
 * Stored-hash indexes (stored.ts) of a hash tile's hashes, in tile order: hash i is node
 * (8·level, n·256 + i). Only meaningful for tiles inside MAX_TREE_SIZE (check tileInTree first).
 */
export function tileStoredHashIndexes(tile: Tile): number[] {
  assertTile(tile);
  if (tile.kind !== 'hash') throw invalid('tileStoredHashIndexes: an entry bundle holds no hashes');
  const level = TILE_HEIGHT * tile.level;
  const out = new Array<number>(tile.width);
  for (let i = 0; i < tile.width; i++) out[i] = storedIndex(level, tile.n * TILE_WIDTH + i);
  return out;
}

/**
 * Every tile and entry bundle of a tree of `size` leaves (full ones, then the partial one of each level
 * that has one), level by level — what a static mirror of that tree holds.
 */
export function* tilesOfTree(size: number): Generator<Tile> {
  if (!isSafeUint(size) || size > MAX_TREE_SIZE) throw invalid(`tree size: expected an integer in [0, 2^52]`);
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    const full = Math.floor(hashes / TILE_WIDTH);
    const partial = hashes % TILE_WIDTH;
    const kinds: Tile['kind'][] = level === 0 ? ['entries', 'hash'] : ['hash'];
    for (const kind of kinds) {
      for (let n = 0; n < full; n++) yield { kind, level, n, width: TILE_WIDTH };
      if (partial > 0) yield { kind, level, n: full, width: partial };
    }
  }
}

/** Concatenated 32-byte hashes, as a hash tile is served. */
export function encodeHashTile(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > TILE_WIDTH) throw invalid('hash tile: expected 1 to 256 hashes');
  const out = new Uint8Array(hashes.length * HASH_SIZE);
  hashes.forEach((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) throw invalid(`hash tile: hash ${i} is not 32 bytes`);
    out.set(h, i * HASH_SIZE);
  });
  return out;
}

/** The hashes of a hash tile's bytes (untrusted), checked to be exactly `width` hashes. */
export function decodeHashTile(bytes: Uint8Array, width: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array) || bytes.length !== width * HASH_SIZE) {
    throw new GovfedError('ERR_INVALID_LENGTH', `hash tile: expected ${width * HASH_SIZE} bytes`);
  }
  const out = new Array<Uint8Array>(width);
  for (let i = 0; i < width; i++) out[i] = bytes.slice(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  return out;
}

/** An entry bundle: for each entry, its length as a big-endian uint16, then its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH) throw invalid('entry bundle: expected 1 to 256 entries');
  let total = 0;
  entries.forEach((e, i) => {
    if (!(e instanceof Uint8Array) || e.length > MAX_BUNDLE_ENTRY_BYTES) {
      throw new GovfedError('ERR_INVALID_LENGTH', `entry bundle: entry ${i} is not at most 65535 bytes`);
    }
    total += 2 + e.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** The entries of an entry bundle (untrusted), checked to be exactly `width` entries with nothing left over. */
export function decodeEntryBundle(bytes: Uint8Array, width: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new GovfedError('ERR_INVALID_LENGTH', 'entry bundle: expected bytes');
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length === width || at + 2 > bytes.length) {
      throw new GovfedError('ERR_INVALID_LENGTH', `entry bundle: trailing bytes after ${out.length} entries`);
    }
    const len = ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
    if (at + 2 + len > bytes.length)
      throw new GovfedError('ERR_INVALID_LENGTH', `entry bundle: entry ${out.length} truncated`);
    out.push(bytes.slice(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (out.length !== width) {
    throw new GovfedError('ERR_INVALID_LENGTH', `entry bundle: expected ${width} entries, got ${out.length}`);
  }
  return out;
}
