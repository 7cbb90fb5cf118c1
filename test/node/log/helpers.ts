/**
 * Shared set-up for the node/log tests: temp directories, a fixed log key, sample leaves, and the two
 * store drivers every store-touching suite runs against (describeStores).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { AuditLog } from '../../../node/log/audit-log.ts';
import type { LogDb } from '../../../node/log/db.ts';
import { type OpenStoreOptions, openLogStore } from '../../../node/log/open-store.ts';
import type { LogStoreSpec } from '../../../node/log/store.ts';
import { encodeLeaf } from '../../../protocol/audit/index.ts';
import { fromBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { ed25519Signer, ed25519VerifierKey } from '../../../protocol/note/index.ts';
import { describeWithPostgres, type TestPostgres, usePostgres } from '../../helpers/postgres.ts';

export const ORIGIN = 'govfed/acme/0a1b2c3d';
export const signer = ed25519Signer(ORIGIN, new Uint8Array(32).fill(7));
export const verifierKey = ed25519VerifierKey(ORIGIN, signer.publicKey);

const dirs: string[] = [];

/** A fresh directory under os.tmpdir(), removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'govfed-log-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The canonical leaf bytes of decision number i. */
export function leafBytes(i: number): Uint8Array {
  return encodeLeaf({
    v: 1,
    type: 'decision',
    model: 'credit-scorer',
    time: '2025-01-02T03:04:05Z',
    decisionId: `d-${i}`,
    recordDigest: `sha256:${i.toString(16).padStart(64, '0')}`,
    outcome: i % 3 === 0 ? 'deny' : 'approve',
  });
}

export function recordBytes(i: number): Uint8Array {
  return utf8(JSON.stringify({ model: 'credit-scorer', output: i % 3 === 0 ? 'deny' : 'approve', i }));
}

export function items(from: number, n: number, withRecords = true) {
  return Array.from({ length: n }, (_, k) => ({
    leaf: leafBytes(from + k),
    ...(withRecords ? { record: recordBytes(from + k) } : {}),
  }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a faulty disk does with a chained-batch write: write it, fail it, or claim it and drop it. */
export type DiskMode = 'ok' | 'fail' | 'lose';

/**
 * The db, but chained-batch writes fail (an fsync error, a full disk) or are silently lost (a disk that
 * acknowledges and drops, as LevelDB's torn write-ahead log did after ENOSPC) as `mode()` says.
 */
export function faultyDb(db: LogDb, mode: () => DiskMode): LogDb {
  const bind = (t: object, p: string | symbol) => {
    const v = Reflect.get(t, p, t);
    return typeof v === 'function' ? v.bind(t) : v;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'batch') return bind(target, prop);
      return () => {
        const b = target.batch();
        return new Proxy(b, {
          get(bt, bp) {
            if (bp !== 'write') return bind(bt, bp);
            return async (opts: { sync?: boolean } = {}) => {
              const m = mode();
              if (m === 'ok') return await bt.write(opts);
              await bt.close();
              if (m === 'fail') throw new Error('IO error: injected: No space left on device');
            };
          },
        });
      };
    },
  });
}

/** The db, but chained-batch writes fail while `failing()` is true (an fsync error, a full disk). */
export function flaky(db: LogDb, failing: () => boolean): LogDb {
  return faultyDb(db, () => (failing() ? 'fail' : 'ok'));
}

/** Polls `cond` every 10 ms until true (or throws after `ms`). */
export async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** A store driver as the suites use it. */
export interface StoreFixture {
  driver: LogStoreSpec['driver'];
  /**
   * Where a new, empty log can be stored (a temp directory; a new schema of the suite's database). A
   * directory is removed after the test, or with `suite` after the suite (a store made in beforeAll).
   */
  fresh(opts?: { suite?: boolean }): Promise<LogStoreSpec>;
  /** Opens a store directly, as the log does (tampering and raw reads in tests). */
  open(spec: LogStoreSpec, opts?: OpenStoreOptions): Promise<LogDb>;
  /** The suite's PostgreSQL server (postgres only). */
  server?: () => TestPostgres;
}

const open = (spec: LogStoreSpec, opts?: OpenStoreOptions) => openLogStore(spec, opts);

/**
 * `fn`'s tests twice: on LevelDB, and on PostgreSQL (one server and database per suite, a schema per
 * fresh store; skipped, and titled "skipped: needs postgresql", where there is no PostgreSQL). With
 * `shared`, a third time: on PostgreSQL as a log shared by several processes (`shared: true`: appends
 * sequenced, then integrated by the lease holder — the one process of the test).
 */
export function describeStores(name: string, fn: (store: StoreFixture) => void, opts: { shared?: boolean } = {}): void {
  describe(`${name} (leveldb)`, () => {
    const suiteDirs: string[] = [];
    afterAll(async () => {
      for (const d of suiteDirs.splice(0)) await rm(d, { recursive: true, force: true });
    });
    const fresh = async (opts: { suite?: boolean } = {}): Promise<LogStoreSpec> => {
      if (!opts.suite) return { driver: 'leveldb', dir: await tempDir() };
      const dir = await mkdtemp(join(tmpdir(), 'govfed-log-'));
      suiteDirs.push(dir);
      return { driver: 'leveldb', dir };
    };
    fn({ driver: 'leveldb', fresh, open });
  });
  const onPostgres = (title: string, shared: boolean) =>
    describeWithPostgres(title, () => {
      const server = usePostgres();
      let url = '';
      let schemas = 0;
      beforeAll(async () => {
        url = await server().createDatabase('log');
      });
      fn({
        driver: 'postgres',
        fresh: async () => ({ driver: 'postgres', url, schema: `log_${++schemas}`, ...(shared ? { shared } : {}) }),
        open,
        server,
      });
    });
  onPostgres(`${name} (postgres)`, false);
  if (opts.shared === true) onPostgres(`${name} (postgres, shared)`, true);
}

/**
 * The log's high-water mark where its driver keeps it: `file` (LevelDB, DIR/high-water.json) or the
 * high_water row of the schema (PostgreSQL), read as the node reads it.
 */
export async function storedMark(
  store: StoreFixture,
  spec: LogStoreSpec,
  file: string,
): Promise<{ size: number; rootHash: Uint8Array } | undefined> {
  if (store.driver === 'leveldb') {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const v = JSON.parse(text);
    return { size: v.size, rootHash: fromBase64(v.rootHash) };
  }
  const db = await store.open(spec, { readOnly: true });
  try {
    return await db.highWaterMark?.(ORIGIN).read();
  } finally {
    await db.close();
  }
}

/** Replaces everything in store `to` by the keys and values of store `from` (a backup, a restore). */
export async function copyInto(store: StoreFixture, from: LogStoreSpec, to: LogStoreSpec): Promise<void> {
  const src = await store.open(from);
  const dst = await store.open(to);
  try {
    const wipe = dst.batch();
    for (const k of await dst.keys().all()) wipe.del(k);
    await wipe.write({ sync: true });
    const fill = dst.batch();
    for (const [k, v] of await src.iterator().all()) fill.put(k, v);
    await fill.write({ sync: true });
  } finally {
    await src.close();
    await dst.close();
  }
}

/** A stopped log of `n` entries with checkpoints at 0, n/2 and n (fsck's fixture). */
export async function stoppedLog(store: StoreFixture, n = 40): Promise<LogStoreSpec> {
  const spec = await store.fresh();
  const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
  await log.start();
  await log.append(items(0, n / 2));
  await log.checkpointNow();
  await log.append(items(n / 2, n / 2));
  await log.stop();
  return spec;
}

/** Changes the stopped store `spec` with `f` (a fault injected behind the log's back). */
export async function tamper(store: StoreFixture, spec: LogStoreSpec, f: (db: LogDb) => Promise<void>): Promise<void> {
  const db = await store.open(spec);
  try {
    await f(db);
  } finally {
    await db.close();
  }
}
