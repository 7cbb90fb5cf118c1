/**
 * The stored-hash reader: protocol/log asks for stored-hash indexes, this reads `h/<index>` keys of the
 * log's store (any driver, store.ts) with one getMany call. A missing key comes back as a hole, which
 * protocol/log turns into ERR_MISSING_HASH.
 */
import type { HashReader } from '../../protocol/log/index.ts';
import { hashKey } from './keys.ts';
import type { LogDb } from './store.ts';

const MISSING = new Uint8Array(0);

export class StoreHashReader implements HashReader {
  readonly #db: LogDb;

  constructor(db: LogDb) {
    this.#db = db;
  }

  async readHashes(indexes: readonly number[]): Promise<readonly Uint8Array[]> {
    const keys = new Array<string>(indexes.length);
    for (let i = 0; i < indexes.length; i++) keys[i] = hashKey(indexes[i] as number);
    const values = await this.#db.getMany(keys);
    // Plain Uint8Array views (LevelDB hands out Buffers, whose slice() does not copy).
    return values.map((v) => (v === undefined ? MISSING : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  }
}
