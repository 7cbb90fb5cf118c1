/**
 * Reading the log as C2SP tlog-tiles (protocol/log/tiles.ts): a hash tile is up to 256 stored hashes
 * (one getMany), an entry bundle up to 256 leaves (one getMany). Nothing is stored twice: tiles are views
 * of the `h/` and `l/` keys the log already has.
 */
import { GovfedError } from '../../protocol/errors.ts';
import { type HashReader, readStoredHashes } from '../../protocol/log/index.ts';
import {
  encodeEntryBundle,
  encodeHashTile,
  MAX_BUNDLE_ENTRY_BYTES,
  type Tile,
  tileInTree,
  tileSpan,
  tileStoredHashIndexes,
} from '../../protocol/log/tiles.ts';
import { NodeError } from '../errors.ts';
import { leafKey } from './keys.ts';
import type { LogDb } from './store.ts';

/**
 * The bytes of `tile` in the tree of `size` committed entries: ERR_NOT_FOUND when the tile is not
 * complete at that size, ERR_LOG_CORRUPT (or ERR_MISSING_HASH) when the store lacks what it should hold.
 */
export async function readTile(db: LogDb, reader: HashReader, size: number, tile: Tile): Promise<Uint8Array> {
  if (!tileInTree(tile, size)) throw new NodeError('ERR_NOT_FOUND', `no such tile in the tree of ${size} entries`);
  if (tile.kind === 'hash') return encodeHashTile(await readStoredHashes(reader, tileStoredHashIndexes(tile)));
  const { start, end } = tileSpan(tile);
  const keys: string[] = [];
  for (let i = start; i < end; i++) keys.push(leafKey(i));
  const values = await db.getMany(keys);
  const leaves = values.map((v, i) => {
    if (v === undefined || v.length > MAX_BUNDLE_ENTRY_BYTES) {
      throw new GovfedError('ERR_LOG_CORRUPT', `entry ${start + i} is missing or too large for an entry bundle`);
    }
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  });
  return encodeEntryBundle(leaves);
}
