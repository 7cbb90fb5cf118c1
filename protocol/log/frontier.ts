/**
 * The right edge of a log, for fast appends: the roots of the maximal complete subtrees, largest
 * first (one per 1 bit of the size; for 13 leaves: [0, 8), [8, 12), [12, 13)). That is all an appender
 * needs to compute the new stored hashes and the current root — at most 52 hashes in memory, no reads.
 *
 * Interior hashes are nodeHash (hash.ts) unless the owner passes another implementation of the same
 * function ({nodeHash}); a writer on a platform with native SHA-256 can so hash about twice as fast
 * while protocol/ stays pure. Only the speed may differ: the stored hashes and roots are the same bytes.
 */
import { GovfedError } from '../errors.ts';
import { assertHash, emptyRoot, type NodeHasher, nodeHash } from './hash.ts';
import { type HashReader, readStoredHashes } from './reader.ts';
import { assertStoredTreeSize, MAX_TREE_SIZE } from './size.ts';
import { subtreeIndexes } from './tree.ts';

export interface FrontierOptions {
  /** An implementation of nodeHash (default: nodeHash itself). It must compute the same bytes. */
  nodeHash?: NodeHasher;
}

function hasherOf(opts: FrontierOptions): NodeHasher {
  const h = opts.nodeHash ?? nodeHash;
  if (typeof h !== 'function') throw new GovfedError('ERR_INVALID_INPUT', 'Frontier: nodeHash must be a function');
  return h;
}

export class Frontier {
  #size: number;
  /** Roots of the complete subtrees on the right edge, largest (leftmost) first. Owned copies. */
  readonly #edge: Uint8Array[];
  readonly #nodeHash: NodeHasher;

  private constructor(size: number, edge: Uint8Array[], hasher: NodeHasher) {
    this.#size = size;
    this.#edge = edge;
    this.#nodeHash = hasher;
  }

  /** The frontier of the empty log. */
  static empty(opts: FrontierOptions = {}): Frontier {
    return new Frontier(0, [], hasherOf(opts));
  }

  /** Rebuilds the frontier of a stored tree of `treeSize` leaves (one read of at most 52 hashes). */
  static async load(treeSize: number, reader: HashReader, opts: FrontierOptions = {}): Promise<Frontier> {
    const hasher = hasherOf(opts);
    assertStoredTreeSize(treeSize);
    const hashes = await readStoredHashes(reader, subtreeIndexes(0, treeSize, []));
    return new Frontier(
      treeSize,
      hashes.map((h) => h.slice()),
      hasher,
    );
  }

  /** Number of leaves. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends a leaf hash. Returns the hashes to store, in stored-index order starting at
   * storedHashCount(old size): the leaf hash, then the hash of each subtree this leaf completes.
   */
  append(leafHash: Uint8Array): Uint8Array[] {
    assertHash(leafHash, 'leaf hash');
    if (this.#size >= MAX_TREE_SIZE) {
      throw new GovfedError('ERR_INVALID_TREE_SIZE', `log is full (${MAX_TREE_SIZE} leaves)`);
    }
    const out = [leafHash];
    let h = leafHash;
    const hash = this.#nodeHash;
    // Each trailing 1 bit of the old size is a complete subtree that the new leaf's subtree now pairs with.
    for (let n = this.#size; n % 2 === 1; n = (n - 1) / 2) {
      h = hash(this.#edge.pop() as Uint8Array, h);
      out.push(h);
    }
    this.#edge.push(h.slice());
    this.#size++;
    return out;
  }

  /** Root hash of the current tree (EMPTY_ROOT for size 0). A fresh array. */
  root(): Uint8Array {
    const edge = this.#edge;
    if (edge.length === 0) return emptyRoot();
    let h = edge[edge.length - 1] as Uint8Array;
    if (edge.length === 1) return h.slice();
    const hash = this.#nodeHash;
    for (let i = edge.length - 2; i >= 0; i--) h = hash(edge[i] as Uint8Array, h);
    return h;
  }
}
