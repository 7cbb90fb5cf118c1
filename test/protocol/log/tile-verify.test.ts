import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { EMPTY_ROOT, leafHash } from '../../../protocol/log/hash.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import { partialTileWidth, tileSubtreeHash, treeHashFromTiles } from '../../../protocol/log/tile-verify.ts';
import { tileStoredHashIndexes } from '../../../protocol/log/tiles.ts';

const code = (c: string) => expect.objectContaining({ code: c });

function treeOf(size: number): MemoryTree {
  const tree = new MemoryTree();
  for (let i = 0; i < size; i++) tree.append(utf8(`e${i}`));
  return tree;
}

const big = treeOf(256 * 256 + 256 * 3 + 7);

function partialsOf(tree: MemoryTree, size: number) {
  return (level: number) => {
    const width = partialTileWidth(size, level);
    const n = Math.floor(size / 256 ** (level + 1));
    return tree.readHashes(tileStoredHashIndexes({ kind: 'hash', level, n, width }));
  };
}

describe('treeHashFromTiles', () => {
  it('is the empty root for size 0 and reads no tile', () => {
    expect(treeHashFromTiles(0, () => [])).toEqual(EMPTY_ROOT);
  });

  it('equals the stored-hash tree hash at every size, from partial tiles alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: big.size }), (size) => {
        const tree = size === big.size ? big : treeOf(size);
        expect(treeHashFromTiles(size, partialsOf(tree, size))).toEqual(tree.root());
      }),
      { numRuns: 15 },
    );
    expect(treeHashFromTiles(big.size, partialsOf(big, big.size))).toEqual(big.root());
  });

  it('rejects a partial tile of the wrong width with ERR_MISSING_HASH', () => {
    expect(() => treeHashFromTiles(3, () => [leafHash(utf8('a'))])).toThrow(code('ERR_MISSING_HASH'));
  });
});

describe('tileSubtreeHash', () => {
  it('of a full level-0 tile is the level-1 hash above it', () => {
    const full = big.readHashes(tileStoredHashIndexes({ kind: 'hash', level: 0, n: 2, width: 256 }));
    const [above] = big.readHashes(tileStoredHashIndexes({ kind: 'hash', level: 1, n: 0, width: 3 })).slice(2);
    expect(tileSubtreeHash(full)).toEqual(above);
  });
  it('rejects counts that are not a power of two', () => {
    expect(() => tileSubtreeHash([])).toThrow(code('ERR_INVALID_INPUT'));
    expect(() => tileSubtreeHash([EMPTY_ROOT, EMPTY_ROOT, EMPTY_ROOT])).toThrow(code('ERR_INVALID_INPUT'));
  });
});
