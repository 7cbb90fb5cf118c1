/**
 * Verifying tiles without the stored-hash layout: what a tile client or a mirror computes.
 *
 * A full tile's 256 hashes are the bottom row of a perfect subtree of height 8, so their root
 * (tileSubtreeHash) is a hash one tile level up: hash j of tile level l+1 is tileSubtreeHash of the
 * full tile (l, j).
 * The root of a tree of `size` leaves needs only the partial tiles: the tree splits into complete
 * subtrees, largest first, and at each tile level those that are multiples of 256^l are exactly the
 * W = floor(size / 256^l) mod 256 hashes of the partial tile of that level (treeHashFromTiles).
 */
import { GovfedError } from '../errors.ts';
import { assertHash, emptyRoot, HASH_SIZE, nodeHash } from './hash.ts';
import { MAX_TREE_SIZE } from './size.ts';
import { TILE_WIDTH } from './tiles.ts';

/** The root of a perfect subtree whose bottom row is `hashes` (a power of two of them, 1..256). */
export function tileSubtreeHash(hashes: readonly Uint8Array[]): Uint8Array {
  const n = hashes.length;
  if (n < 1 || n > TILE_WIDTH || (n & (n - 1)) !== 0) {
    throw new GovfedError(
      'ERR_INVALID_INPUT',
      `tileSubtreeHash: expected a power of two of hashes up to 256, got ${n}`,
    );
  }
  let row = hashes.map((h, i) => {
    assertHash(h, `hash ${i}`);
    return h;
  });
  while (row.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i] as Uint8Array, row[i + 1] as Uint8Array));
    row = next;
  }
  return (row[0] as Uint8Array).slice();
}

/** The width of the partial tile at `level` in a tree of `size` leaves (0 when there is none). */
export function partialTileWidth(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level) % TILE_WIDTH;
}

/**
 * The RFC 6962 root of a tree of `size` leaves from its partial tiles: `partial(level)` returns the
 * hashes of the partial tile at that level (exactly partialTileWidth(size, level) of them; it is only
 * asked for levels that have one). EMPTY_ROOT for size 0.
 */
export function treeHashFromTiles(size: number, partial: (level: number) => readonly Uint8Array[]): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_TREE_SIZE) {
    throw new GovfedError('ERR_INVALID_TREE_SIZE', `tree size: expected an integer in [0, 2^52], got ${size}`);
  }
  let top = 0;
  while (TILE_WIDTH ** (top + 1) <= size) top++;
  const subtrees: Uint8Array[] = []; // complete subtrees, largest first
  for (let level = top; level >= 0; level--) {
    const width = partialTileWidth(size, level);
    if (width === 0) continue;
    const hashes = partial(level);
    if (hashes.length !== width || !hashes.every((h) => h instanceof Uint8Array && h.length === HASH_SIZE)) {
      throw new GovfedError('ERR_MISSING_HASH', `partial tile at level ${level}: expected ${width} hashes`);
    }
    let at = 0;
    for (let bit = 7; bit >= 0; bit--) {
      const k = 2 ** bit;
      if ((width & k) === 0) continue;
      subtrees.push(tileSubtreeHash(hashes.slice(at, at + k)));
      at += k;
    }
  }
  if (subtrees.length === 0) return emptyRoot();
  let h = subtrees[subtrees.length - 1] as Uint8Array;
  for (let i = subtrees.length - 2; i >= 0; i--) h = nodeHash(subtrees[i] as Uint8Array, h);
  return h;
}
