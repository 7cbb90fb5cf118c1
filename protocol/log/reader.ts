/**
 * How stored hashes come in: a one-method interface, as in Go's sumdb/tlog.
 *
 * The log math never touches storage. Whoever holds the hashes (a database, a peer's HTTP API, an
 * in-memory array) implements HashReader; the math asks for stored-hash indexes (see stored.ts) and
 * checks what it gets back.
 */
import { GovfedError } from '../errors.ts';
import { HASH_SIZE } from './hash.ts';

export interface HashReader {
  /**
   * Returns exactly one 32-byte hash per requested stored-hash index, in the order requested.
   * Indexes are usually sorted ascending, but a reader must not rely on that. Anything else
   * (a missing hash, a short array, a wrong length) makes the caller throw ERR_MISSING_HASH.
   */
  readHashes(indexes: readonly number[]): readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
}

/**
 * Reads `indexes` through `reader` and checks the answer: one 32-byte hash per index, or
 * ERR_MISSING_HASH. Errors thrown by the reader itself propagate unchanged.
 */
export async function readStoredHashes(reader: HashReader, indexes: readonly number[]): Promise<readonly Uint8Array[]> {
  if (indexes.length === 0) return [];
  const hashes: unknown = await reader.readHashes(indexes);
  if (!Array.isArray(hashes) || hashes.length !== indexes.length) {
    const got = Array.isArray(hashes) ? `${hashes.length} hashes` : 'no array';
    throw new GovfedError('ERR_MISSING_HASH', `readHashes(${indexes.length} indexes) returned ${got}`);
  }
  for (let i = 0; i < hashes.length; i++) {
    const h: unknown = hashes[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new GovfedError('ERR_MISSING_HASH', `readHashes: no valid hash for stored index ${indexes[i]}`);
    }
  }
  return hashes as readonly Uint8Array[];
}
