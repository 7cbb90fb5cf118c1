import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { MemoryTree } from '../../../protocol/log/memory.ts';
import {
  decodeEntryBundle,
  decodeHashTile,
  encodeEntryBundle,
  encodeHashTile,
  formatTileIndex,
  formatTilePath,
  parseTileIndex,
  parseTilePath,
  type Tile,
  tileInTree,
  tileSpan,
  tileStoredHashIndexes,
  tilesOfTree,
} from '../../../protocol/log/tiles.ts';
import { indexPath, TileClient } from '../../helpers/tile-client.ts';

const code = (c: string) => expect.objectContaining({ code: c });

const tileArb: fc.Arbitrary<Tile> = fc.oneof(
  fc.record({
    kind: fc.constant<'hash'>('hash'),
    level: fc.integer({ min: 0, max: 63 }),
    n: fc.maxSafeNat(),
    width: fc.integer({ min: 1, max: 256 }),
  }),
  fc.record({
    kind: fc.constant<'entries'>('entries'),
    level: fc.constant(0),
    n: fc.maxSafeNat(),
    width: fc.integer({ min: 1, max: 256 }),
  }),
);

describe('formatTileIndex', () => {
  it('encodes the spec example 1234067 as x001/x234/067', () => {
    expect(formatTileIndex(1234067)).toBe('x001/x234/067');
  });
  it('zero-pads to 3 digits and prefixes all but the last element with x', () => {
    expect(formatTileIndex(0)).toBe('000');
    expect(formatTileIndex(5)).toBe('005');
    expect(formatTileIndex(999)).toBe('999');
    expect(formatTileIndex(1000)).toBe('x001/000');
    expect(formatTileIndex(1_000_000)).toBe('x001/x000/000');
  });
  it('agrees with an encoder written from the spec text', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => formatTileIndex(n) === indexPath(n)));
  });
  it('rejects negative, fractional and unsafe indexes', () => {
    for (const n of [-1, 1.5, 2 ** 53, Number.NaN]) expect(() => formatTileIndex(n)).toThrow(code('ERR_INVALID_INPUT'));
  });
});

describe('parseTilePath', () => {
  it('parses the spec forms of tiles and entry bundles', () => {
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ kind: 'hash', level: 0, n: 1234067, width: 256 });
    expect(parseTilePath('/tile/1/000.p/17')).toEqual({ kind: 'hash', level: 1, n: 0, width: 17 });
    expect(parseTilePath('tile/entries/x001/234.p/5')).toEqual({ kind: 'entries', level: 0, n: 1234, width: 5 });
    expect(parseTilePath('tile/63/999')).toEqual({ kind: 'hash', level: 63, n: 999, width: 256 });
  });

  it('round-trips every tile through formatTilePath', () => {
    fc.assert(
      fc.property(tileArb, (tile) => {
        expect(parseTilePath(formatTilePath(tile))).toEqual(tile);
      }),
    );
  });

  describe('when the path is not the one canonical spelling', () => {
    const bad = [
      '',
      'tile',
      'tile/0',
      'tiles/0/000',
      'tile/00/000', // leading zero in level
      'tile/01/000',
      'tile/64/000', // level > 63
      'tile/-1/000',
      'tile/0/0', // not 3 digits
      'tile/0/0000',
      'tile/0/x001', // last element with x
      'tile/0/001/234', // inner element without x
      'tile/0/x000/001', // leading x000 group
      'tile/0/xx01/001',
      'tile/0/000.p/0', // width 0
      'tile/0/000.p/256', // width 256 (that is the full tile)
      'tile/0/000.p/05', // leading zero in width
      'tile/0/000.p/', // no width
      'tile/0/000.p',
      'tile/0/000/.p/5',
      'tile/0/000.p/5/6',
      'tile/0/000/',
      'tile/0/../000',
      'tile/entries/0/000', // entries have no level
      'tile/entries/000.p/1a',
      'tile/0/x001/x002/x003/x004/x005/x006/007', // more than 6 groups
      `tile/0/${'x001/'.repeat(40)}001`, // too long
    ];
    for (const path of bad) {
      it(`rejects ${JSON.stringify(path.slice(0, 40))} with ERR_INVALID_INPUT`, () => {
        expect(() => parseTilePath(path)).toThrow(code('ERR_INVALID_INPUT'));
      });
    }
  });

  it('parseTileIndex rejects an index beyond 2^53', () => {
    expect(() => parseTileIndex(['x999', 'x999', 'x999', 'x999', 'x999', '999'])).toThrow(code('ERR_INVALID_INPUT'));
  });
});

describe('tilesOfTree', () => {
  const names = (size: number) => [...tilesOfTree(size)].map(formatTilePath);

  it('lists nothing for the empty tree', () => {
    expect(names(0)).toEqual([]);
  });

  it('matches the spec: size 256 is one full level-0 tile and a level-1 tile of width 1', () => {
    expect(names(256)).toEqual(['tile/entries/000', 'tile/0/000', 'tile/1/000.p/1']);
  });

  it('matches the spec: size 70,000 has 273 full level-0 tiles, widths 112, 17 and 1 above', () => {
    const tiles = [...tilesOfTree(70_000)];
    const at = (kind: string, level: number) => tiles.filter((t) => t.kind === kind && t.level === level);
    expect(at('hash', 0).filter((t) => t.width === 256)).toHaveLength(273);
    expect(at('hash', 0).filter((t) => t.width !== 256)).toEqual([{ kind: 'hash', level: 0, n: 273, width: 112 }]);
    expect(at('entries', 0)).toHaveLength(274);
    expect(at('hash', 1)).toEqual([
      { kind: 'hash', level: 1, n: 0, width: 256 },
      { kind: 'hash', level: 1, n: 1, width: 17 },
    ]);
    expect(at('hash', 2)).toEqual([{ kind: 'hash', level: 2, n: 0, width: 1 }]);
    expect(tiles).toHaveLength(274 + 274 + 2 + 1);
  });

  it('lists only tiles the tree has, each spanning [start, end) within the tree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 20 }), (size) => {
        for (const t of tilesOfTree(size)) {
          expect(tileInTree(t, size)).toBe(true);
          expect(tileSpan(t).end).toBeLessThanOrEqual(size);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('tileInTree', () => {
  it('has a tile only once all its hashes are complete', () => {
    const full0: Tile = { kind: 'hash', level: 0, n: 0, width: 256 };
    expect(tileInTree(full0, 255)).toBe(false);
    expect(tileInTree(full0, 256)).toBe(true);
    expect(tileInTree({ kind: 'hash', level: 1, n: 0, width: 1 }, 255)).toBe(false);
    expect(tileInTree({ kind: 'hash', level: 1, n: 0, width: 1 }, 256)).toBe(true);
    expect(tileInTree({ kind: 'hash', level: 1, n: 0, width: 2 }, 511)).toBe(false);
  });
  it('keeps the partial tiles of earlier sizes (clients of older checkpoints may ask for them)', () => {
    expect(tileInTree({ kind: 'entries', level: 0, n: 1, width: 1 }, 300)).toBe(true);
    expect(tileInTree({ kind: 'entries', level: 0, n: 1, width: 44 }, 300)).toBe(true);
    expect(tileInTree({ kind: 'entries', level: 0, n: 1, width: 45 }, 300)).toBe(false);
  });
  it('has no tile above level 6 or past 2^52 leaves', () => {
    expect(tileInTree({ kind: 'hash', level: 7, n: 0, width: 1 }, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(tileInTree({ kind: 'hash', level: 6, n: 0, width: 17 }, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(tileInTree({ kind: 'hash', level: 6, n: 0, width: 16 }, 2 ** 52)).toBe(true);
  });
});

describe('tileStoredHashIndexes', () => {
  it('names the stored hashes that are the MTH of each tile hash range (checked by an independent reader)', async () => {
    const tree = new MemoryTree();
    for (let i = 0; i < 256 * 256 + 300; i++) tree.append(utf8(`entry ${i}`));
    const size = tree.size;
    const fromTree = async (path: string) => {
      const tile = parseTilePath(path);
      return encodeHashTile(tree.readHashes(tileStoredHashIndexes(tile)));
    };
    const client = new TileClient(fromTree, size);
    expect(await client.root()).toEqual(tree.root());
    // 65,836 = 65,536 + 256 + 44: one level-2 hash, one level-1 hash, 44 leaves.
    expect(client.fetched.sort()).toEqual(['tile/0/257.p/44', 'tile/1/001.p/1', 'tile/2/000.p/1']);
  });
  it('refuses entry bundles', () => {
    expect(() => tileStoredHashIndexes({ kind: 'entries', level: 0, n: 0, width: 1 })).toThrow(
      code('ERR_INVALID_INPUT'),
    );
  });
});

describe('hash tiles', () => {
  it('are concatenated hashes, decoded back only at the exact width', () => {
    const hashes = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const bytes = encodeHashTile(hashes);
    expect(bytes).toHaveLength(64);
    expect(decodeHashTile(bytes, 2)).toEqual(hashes);
    expect(() => decodeHashTile(bytes, 3)).toThrow(code('ERR_INVALID_LENGTH'));
    expect(() => encodeHashTile([new Uint8Array(31)])).toThrow(code('ERR_INVALID_INPUT'));
    expect(() => encodeHashTile([])).toThrow(code('ERR_INVALID_INPUT'));
  });
});

describe('entry bundles', () => {
  it('prefix each entry with its big-endian uint16 length', () => {
    const bundle = encodeEntryBundle([utf8('ab'), new Uint8Array(0), new Uint8Array(0x1234).fill(7)]);
    expect([...bundle.slice(0, 4)]).toEqual([0, 2, 0x61, 0x62]);
    expect([...bundle.slice(4, 8)]).toEqual([0, 0, 0x12, 0x34]);
    expect(bundle).toHaveLength(2 + 2 + 2 + 2 + 0x1234);
  });
  it('round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 256 }), (entries) => {
        expect(decodeEntryBundle(encodeEntryBundle(entries), entries.length)).toEqual(entries);
      }),
      { numRuns: 50 },
    );
  });
  describe('when the bytes are not exactly width entries', () => {
    it('rejects truncation, trailing bytes and a wrong count with ERR_INVALID_LENGTH', () => {
      const bundle = encodeEntryBundle([utf8('abc'), utf8('de')]);
      expect(() => decodeEntryBundle(bundle.slice(0, -1), 2)).toThrow(code('ERR_INVALID_LENGTH'));
      expect(() => decodeEntryBundle(Uint8Array.of(...bundle, 0), 2)).toThrow(code('ERR_INVALID_LENGTH'));
      expect(() => decodeEntryBundle(bundle, 1)).toThrow(code('ERR_INVALID_LENGTH'));
      expect(() => decodeEntryBundle(bundle, 3)).toThrow(code('ERR_INVALID_LENGTH'));
    });
  });
  it('cannot carry an entry over 65535 bytes', () => {
    expect(() => encodeEntryBundle([new Uint8Array(65536)])).toThrow(code('ERR_INVALID_LENGTH'));
    expect(encodeEntryBundle([new Uint8Array(65535)])).toHaveLength(65537);
  });
});
