/**
 * An in-memory log for tests, benchmarks and tools: the stored hashes in one growing sequence of
 * 32-byte slots (the Go tlog layout, see stored.ts), appended through a Frontier. Holds 64 bytes per
 * leaf (about 2 stored hashes each); 1,000,000 leaves take about 64 MB.
 */
import { GovfedError } from '../errors.ts';
import { Frontier } from './frontier.ts';
import { HASH_SIZE, leafHash } from './hash.ts';
import type { HashReader } from './reader.ts';

/** Hashes per storage chunk (1 MiB chunks). */
const CHUNK_HASHES = 1 << 15;

export class MemoryTree implements HashReader {
  readonly #frontier = Frontier.empty();
  readonly #chunks: Uint8Array[] = [];
  #stored = 0;

  /** Appends a log entry (hashed as an RFC 6962 leaf); returns its leaf index. */
  append(entry: Uint8Array): number {
    return this.appendLeafHash(leafHash(entry));
  }

  /** Appends a leaf by its leaf hash; returns its leaf index. */
  appendLeafHash(h: Uint8Array): number {
    const index = this.#frontier.size;
    for (const stored of this.#frontier.append(h)) this.#write(stored);
    return index;
  }

  /** Number of leaves. */
  get size(): number {
    return this.#frontier.size;
  }

  /** Root hash of the current tree. */
  root(): Uint8Array {
    return this.#frontier.root();
  }

  /** Copies of the stored hashes at `indexes`; ERR_MISSING_HASH for an index not (yet) stored. */
  readHashes(indexes: readonly number[]): Uint8Array[] {
    const out = new Array<Uint8Array>(indexes.length);
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i] as number;
      if (!Number.isSafeInteger(index) || index < 0 || index >= this.#stored) {
        throw new GovfedError('ERR_MISSING_HASH', `no stored hash at index ${index} (have ${this.#stored})`);
      }
      const chunk = this.#chunks[Math.floor(index / CHUNK_HASHES)] as Uint8Array;
      const at = (index % CHUNK_HASHES) * HASH_SIZE;
      out[i] = chunk.slice(at, at + HASH_SIZE);
    }
    return out;
  }

  #write(h: Uint8Array): void {
    const slot = this.#stored % CHUNK_HASHES;
    if (slot === 0) this.#chunks.push(new Uint8Array(CHUNK_HASHES * HASH_SIZE));
    (this.#chunks[this.#chunks.length - 1] as Uint8Array).set(h, slot * HASH_SIZE);
    this.#stored++;
  }
}
