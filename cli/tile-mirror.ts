/**
 * Mirroring a node's log as static tlog-tiles files (`govfed audit mirror`): every tile and entry bundle
 * of the tree of the node's latest checkpoint, written under DIR with the paths the node serves them at
 * (DIR/tile/0/x001/234, DIR/tile/entries/…, DIR/checkpoint), so any static file host serves the same
 * API.
 *
 * Nothing the node sends is written before it is verified, bottom-up, against the signed root: each
 * entry bundle against its level-0 tile (RFC 6962 leaf hashes), each full tile against the hash above it
 * one tile level up (tileSubtreeHash), and the partial tiles against the checkpoint's root
 * (treeHashFromTiles). Tiles already in DIR are reused rather than fetched again (the bytes at a tile
 * path never change, so a later run is incremental); as they take part in the checks, a node that
 * rewrote its history is caught. Files are written atomically (temp file + rename), new paths only, and
 * `checkpoint` last, so DIR always holds a complete tree verified against its checkpoint; on a failed
 * check the files written by this run are removed.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { toBase64 } from '../protocol/encoding/bytes.ts';
import {
  decodeEntryBundle,
  decodeHashTile,
  formatTilePath,
  leafHash,
  partialTileWidth,
  TILE_WIDTH,
  type Tile,
  tileSubtreeHash,
  treeHashFromTiles,
} from '../protocol/log/index.ts';
import { openNoteUnder } from './checkpoint.ts';
import { CheckFailedError } from './exit.ts';

export interface MirrorSource {
  /** The node's /checkpoint note (untrusted). */
  checkpoint(): Promise<string>;
  /** The bytes at a tile path (untrusted). */
  tile(path: string): Promise<Uint8Array>;
}

export interface MirrorReport {
  origin: string;
  size: number;
  rootHash: string;
  /** Tiles and bundles fetched from the node and written. */
  fetched: number;
  /** Tiles and bundles already in DIR, reused. */
  reused: number;
  bytesWritten: number;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function failed(what: string): CheckFailedError {
  return new CheckFailedError(`mirror: ${what}; nothing of this run was kept`, { code: 'ERR_ROOT_MISMATCH' });
}

async function readIfPresent(file: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Mirrors the tree of the node's latest checkpoint into `outDir`, verified under `verifierKey`. */
export async function mirrorTiles(source: MirrorSource, verifierKey: string, outDir: string): Promise<MirrorReport> {
  const note = await source.checkpoint();
  const { checkpoint } = openNoteUnder(note, verifierKey);
  const size = checkpoint.size;
  const written: string[] = [];
  const report: MirrorReport = {
    origin: checkpoint.origin,
    size,
    rootHash: toBase64(checkpoint.rootHash),
    fetched: 0,
    reused: 0,
    bytesWritten: 0,
  };

  const write = async (rel: string, bytes: Uint8Array) => {
    const file = path.join(outDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    written.push(file);
    report.bytesWritten += bytes.length;
  };

  /** A tile from DIR when present (the bytes at a tile path never change), else from the node. */
  const localOrFetch = async (tile: Tile): Promise<{ bytes: Uint8Array; fresh: boolean }> => {
    const rel = formatTilePath(tile);
    const local = await readIfPresent(path.join(outDir, rel));
    if (local !== undefined) {
      report.reused++;
      return { bytes: local, fresh: false };
    }
    report.fetched++;
    return { bytes: await source.tile(rel), fresh: true };
  };

  /** Checks the entries of a level-0 tile's bundle and writes the bundle when it was fetched. */
  const checkBundle = async (n: number, hashes: readonly Uint8Array[]) => {
    const tile: Tile = { kind: 'entries', level: 0, n, width: hashes.length };
    const { bytes, fresh } = await localOrFetch(tile);
    let entries: Uint8Array[];
    try {
      entries = decodeEntryBundle(bytes, hashes.length);
    } catch (cause) {
      throw new CheckFailedError(`mirror: ${formatTilePath(tile)}: ${(cause as Error).message}`, { cause });
    }
    entries.forEach((e, i) => {
      if (!equal(leafHash(e), hashes[i] as Uint8Array))
        throw failed(`entry ${n * TILE_WIDTH + i} does not hash to its tile`);
    });
    if (fresh) await write(formatTilePath(tile), bytes);
  };

  try {
    let below: Uint8Array[] = []; // subtree hashes of the full tiles of the level below
    const partials = new Map<number, Uint8Array[]>();
    for (let level = 0; TILE_WIDTH ** level <= size; level++) {
      const hashesAtLevel = Math.floor(size / TILE_WIDTH ** level);
      const full = Math.floor(hashesAtLevel / TILE_WIDTH);
      const width = partialTileWidth(size, level);
      const roots: Uint8Array[] = [];
      const tiles: Tile[] = [];
      for (let n = 0; n < full; n++) tiles.push({ kind: 'hash', level, n, width: TILE_WIDTH });
      if (width > 0) tiles.push({ kind: 'hash', level, n: full, width });
      for (const tile of tiles) {
        const rel = formatTilePath(tile);
        const { bytes, fresh } = await localOrFetch(tile);
        let hashes: Uint8Array[];
        try {
          hashes = decodeHashTile(bytes, tile.width);
        } catch (cause) {
          throw new CheckFailedError(`mirror: ${rel}: ${(cause as Error).message}`, { cause });
        }
        // Each hash of a level-l tile (l >= 1) is the subtree hash of a full tile one level down.
        if (level > 0) {
          hashes.forEach((h, i) => {
            const child = below[tile.n * TILE_WIDTH + i];
            if (child === undefined || !equal(child, h))
              throw failed(`${rel}: hash ${i} does not match the tile below`);
          });
        } else {
          await checkBundle(tile.n, hashes);
        }
        if (tile.width === TILE_WIDTH) roots.push(tileSubtreeHash(hashes));
        else partials.set(level, hashes);
        if (fresh) await write(rel, bytes);
      }
      below = roots;
    }
    const root = treeHashFromTiles(size, (level) => partials.get(level) ?? []);
    if (!equal(root, checkpoint.rootHash)) throw failed("the tiles do not hash to the checkpoint's root");
    await write('checkpoint', new TextEncoder().encode(note));
  } catch (err) {
    await Promise.all(written.map((f) => rm(f, { force: true })));
    throw err;
  }
  return report;
}
