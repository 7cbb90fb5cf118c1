/**
 * A bench-only LogDb wrapper (node/log/store.ts) for bench/ingest-ablation.bench.ts: it leaves whole kinds
 * of keys out of the log's write batches, to measure what each kind costs on the acknowledged write.
 * A store wrapped like this is NOT a valid audit log (lookups, search, proofs and fsck need what it drops);
 * it exists to answer "is the key layout the bound, or the machine?" and is never used by `govfed start`.
 *
 *   full        every key (the wrapper passes everything through: every variant pays the same wrapper)
 *   no-search   without the decision search keys s/… (decision-keys.ts)
 *   no-index    without s/…, the leaf-hash lookup x/… and the decision-id lookup d/… (lookup.ts)
 *   minimal     only l/ leaf, r/ record and m/size per batch (and c/ checkpoints, written apart): no stored
 *               hashes h/… either. The hashes are still computed (the Frontier); they are kept in an
 *               in-memory buffer of 32-byte slots so that the checkpointer's tree-hash reads still work.
 *   none        not even l/ and r/: only m/size per batch (still synced) — the JavaScript's own ceiling
 * With `unsynced`, each batch is written without {sync: true} (LevelDB's write without fsync). With
 * `arrayBatch` (LevelDB only), a batch's operations are collected in an array and written with ONE
 * `level.batch(ops)` call instead of a chained batch (one native call per put): the same keys and values
 * in the same atomic write — a candidate production change, measured here first.
 */
import { LevelLogDb } from '../node/log/db.ts';
import type { LogBatch, LogDb, ReadOptions, WriteOptions } from '../node/log/store.ts';

export type AblationLayout = 'full' | 'no-search' | 'no-index' | 'minimal' | 'none';

export interface AblationOptions {
  layout: AblationLayout;
  unsynced?: boolean;
  arrayBatch?: boolean;
}

type Op = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** A LogBatch that collects its operations and writes them with one array batch of the Level instance. */
function arrayBatch(db: LevelLogDb, sync: (o?: WriteOptions) => WriteOptions): LogBatch {
  const ops: Op[] = [];
  return {
    put(key, value) {
      ops.push({ type: 'put', key, value });
    },
    del(key) {
      ops.push({ type: 'del', key });
    },
    write: (o) => db.level.batch(ops, { sync: sync(o).sync ?? false }),
    close: () => Promise.resolve(),
  };
}

const DROPPED: Record<AblationLayout, readonly string[]> = {
  full: [],
  'no-search': ['s/'],
  'no-index': ['s/', 'x/', 'd/'],
  minimal: ['s/', 'x/', 'd/', 'h/'],
  none: ['s/', 'x/', 'd/', 'h/', 'l/', 'r/'],
};

/** Stored hashes by stored index, 32 bytes each, in chunks of 2^20 slots (off the JS heap). */
class HashSlots {
  static readonly CHUNK = 1 << 20;
  readonly #chunks: Buffer[] = [];
  readonly #present: Uint8Array[] = [];

  set(index: number, hash: Uint8Array): void {
    const c = Math.floor(index / HashSlots.CHUNK);
    while (this.#chunks.length <= c) {
      this.#chunks.push(Buffer.allocUnsafe(32 * HashSlots.CHUNK));
      this.#present.push(new Uint8Array(HashSlots.CHUNK));
    }
    const at = index % HashSlots.CHUNK;
    (this.#chunks[c] as Buffer).set(hash, at * 32);
    (this.#present[c] as Uint8Array)[at] = 1;
  }

  get(index: number): Uint8Array | undefined {
    const c = Math.floor(index / HashSlots.CHUNK);
    const at = index % HashSlots.CHUNK;
    if (this.#present[c]?.[at] !== 1) return undefined;
    return Uint8Array.prototype.slice.call(this.#chunks[c] as Buffer, at * 32, at * 32 + 32);
  }
}

const hashIndex = (key: string) => Number.parseInt(key.slice(2), 16);

/** `db` with the layout's dropped key kinds left out of every batch and put. */
export function ablationDb(db: LogDb, opts: AblationOptions): LogDb {
  const dropped = DROPPED[opts.layout];
  const memHashes = dropped.includes('h/') ? new HashSlots() : undefined;
  const drop = (key: string) => dropped.some((p) => key.startsWith(p));
  const fromMem = (key: string) => memHashes !== undefined && key.startsWith('h/');
  const sync = (o?: WriteOptions): WriteOptions => (opts.unsynced === true ? { ...o, sync: false } : (o ?? {}));
  const keep = (key: string, value: Uint8Array): boolean => {
    if (!drop(key)) return true;
    if (fromMem(key)) memHashes?.set(hashIndex(key), value);
    return false;
  };
  const wrapped: LogDb = {
    driver: db.driver,
    get(key: string, o?: ReadOptions) {
      return fromMem(key) ? Promise.resolve(memHashes?.get(hashIndex(key))) : db.get(key, o);
    },
    getMany(keys: readonly string[], o?: ReadOptions) {
      if (memHashes === undefined || !keys.some(fromMem)) return db.getMany(keys, o);
      return Promise.all(keys.map((k) => wrapped.get(k, o)));
    },
    put(key, value, o) {
      return keep(key, value) ? db.put(key, value, sync(o)) : Promise.resolve();
    },
    del: (key, o) => db.del(key, sync(o)),
    batch(): LogBatch {
      const inner = opts.arrayBatch === true && db instanceof LevelLogDb ? arrayBatch(db, sync) : db.batch();
      return {
        put(key, value) {
          if (keep(key, value)) inner.put(key, value);
        },
        del: (key) => inner.del(key),
        write: (o) => inner.write(sync(o)),
        close: () => inner.close(),
      };
    },
    iterator: (range) => db.iterator(range),
    keys: (range) => db.keys(range),
    snapshot: () => db.snapshot(),
    close: () => db.close(),
  };
  return wrapped;
}
