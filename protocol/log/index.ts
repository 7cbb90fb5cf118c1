/**
 * protocol/log — the math of an append-only transparency log (RFC 6962 / RFC 9162 Merkle trees), pure:
 * no I/O, no clocks, bytes in and bytes out. Modelled on Go's golang.org/x/mod/sumdb/tlog.
 *
 * The model in plain words:
 *  - Every log entry becomes a leaf hash SHA-256(0x00 || entry); two subtrees combine as
 *    SHA-256(0x01 || left || right); the empty tree's root is SHA-256(""). (hash.ts)
 *  - A log never rewrites anything. It stores, in append order, the hash of every complete subtree —
 *    about two hashes per leaf — at positions given by storedHashIndex(level, n). (stored.ts)
 *  - The math reads those hashes through HashReader, a one-method interface; storage (LevelDB, a
 *    peer's API, memory) lives outside protocol/. (reader.ts)
 *  - A writer keeps only the tree's right edge in memory (Frontier): appending a leaf returns the new
 *    hashes to store and gives the new root without reading anything. (frontier.ts)
 *  - From stored hashes anyone can compute the root of any past size (treeHash), an inclusion proof
 *    that an entry is in the tree (proveInclusion), and a consistency proof that a later tree extends an
 *    earlier one (proveConsistency). (tree.ts, inclusion.ts, consistency.ts)
 *  - Verifiers need none of that: verifyInclusion and verifyConsistency check a proof against roots
 *    (normally from signed checkpoints) and throw a GovfedError with a code when anything is off:
 *    ERR_INVALID_HASH, ERR_INDEX_OUT_OF_RANGE, ERR_INVALID_TREE_SIZE, ERR_PROOF_SIZE, ERR_ROOT_MISMATCH.
 *    A reader that cannot supply a hash makes provers throw ERR_MISSING_HASH.
 *  - The same stored hashes, grouped 256 at a time, are the log's C2SP tlog-tiles (tiles.ts): hash tile
 *    (l, n) is stored nodes (8·l, 256·n + i), so a node serves the tile layout without storing anything
 *    twice, and any tile client (Go's sumdb/tlog, transparency-dev) can verify it.
 *
 * Sizes and indexes are JS numbers: safe non-negative integers. Verifiers accept any; the stored layout
 * stops at MAX_TREE_SIZE = 2^52 leaves so that every stored index stays a safe integer.
 */
export { proofCarriesOldRoot, proveConsistency, rootsFromConsistencyProof, verifyConsistency } from './consistency.ts';
export { Frontier, type FrontierOptions } from './frontier.ts';
export { assertHash, EMPTY_ROOT, HASH_SIZE, leafHash, type NodeHasher, nodeHash } from './hash.ts';
export { proveInclusion, rootFromInclusionProof, verifyInclusion } from './inclusion.ts';
export { MemoryTree } from './memory.ts';
export { type HashReader, readStoredHashes } from './reader.ts';
export { MAX_TREE_SIZE } from './size.ts';
export { splitStoredHashIndex, storedHashCount, storedHashesForLeafHash, storedHashIndex } from './stored.ts';
export { partialTileWidth, tileSubtreeHash, treeHashFromTiles } from './tile-verify.ts';
export {
  decodeEntryBundle,
  decodeHashTile,
  encodeEntryBundle,
  encodeHashTile,
  formatTileIndex,
  formatTilePath,
  MAX_BUNDLE_ENTRY_BYTES,
  parseTilePath,
  TILE_WIDTH,
  type Tile,
  tileInTree,
  tileSpan,
  tileStoredHashIndexes,
  tilesOfTree,
} from './tiles.ts';
export { treeHash } from './tree.ts';
