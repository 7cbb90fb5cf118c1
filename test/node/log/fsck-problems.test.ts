/**
 * fsck's problem codes (node/log/fsck-problems.ts): docs/errors.md lists exactly the codes there are, and
 * each fault injected into a real stopped store (LevelDB on disk, and PostgreSQL as root) is reported
 * with its code. The faults fsck.test.ts injects already (a changed leaf or hash, a missing leaf, a
 * forged older checkpoint, a bad signature, a store older than its high-water mark) assert their codes
 * there; the lookup index's in lookup.test.ts; a retired log's in test/node/home/fsck-retired.test.ts.
 * FSCK_CHECKPOINT_OUT_OF_ORDER cannot be injected into a store: checkpoints are read in key order and
 * every key is the size it holds; a driver that returned keys out of order would produce it, and the test
 * below gives fsck such a driver (the real store behind a reordering iterator).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opensslVerify } from '../../../node/crypto/ed25519.ts';
import { fsckDb } from '../../../node/log/fsck.ts';
import { Findings, FsckProblemCodes, MAX_PROBLEMS } from '../../../node/log/fsck-problems.ts';
import { fsckStore, HighWaterMark, type LogStoreSpec, type MarkStore } from '../../../node/log/index.ts';
import { checkpointKey, hashKey, leafKey } from '../../../node/log/keys.ts';
import type { LogDb, LogIterator } from '../../../node/log/store.ts';
import { storedHashCount } from '../../../protocol/log/index.ts';
import { parseCheckpoint, parseNote, parseVerifierKey } from '../../../protocol/note/index.ts';
import { repoPath } from '../../helpers/paths.ts';
import {
  describeStores,
  leafBytes,
  ORIGIN,
  stoppedLog,
  tamper as tamperStore,
  tempDir,
  verifierKey,
} from './helpers.ts';

/** The codes of the table in docs/errors.md's "fsck problem codes" section: | `FSCK_…` | meaning | */
function documentedCodes(): string[] {
  const text = readFileSync(repoPath('docs', 'errors.md'), 'utf8');
  const section = text.slice(text.indexOf('## fsck problem codes'));
  return [...section.matchAll(/^\| `(FSCK_[A-Z_]+)` +\|/gm)].map((m) => m[1] as string);
}

describe('FsckProblemCodes', () => {
  describe('when compared with docs/errors.md', () => {
    it('has exactly one row for every code, and no row for a code that does not exist', () => {
      const rows = documentedCodes();
      expect([...rows].sort()).toEqual([...FsckProblemCodes].sort());
      expect(new Set(rows).size).toBe(rows.length);
    });
  });
});

describe('Findings', () => {
  describe('when more problems are found than a report lists', () => {
    it('lists MAX_PROBLEMS, then one FSCK_MORE_PROBLEMS with the count, texts and codes in step', () => {
      const f = new Findings();
      for (let i = 0; i < MAX_PROBLEMS + 7; i++) f.add('FSCK_HASH_MISMATCH', `hash ${i}`);
      const { problems, findings } = f.done();
      expect(f.count).toBe(MAX_PROBLEMS + 7);
      expect(findings).toHaveLength(MAX_PROBLEMS + 1);
      expect(findings.at(-1)).toEqual({ code: 'FSCK_MORE_PROBLEMS', message: '... and 7 more problems' });
      expect(problems).toEqual(findings.map((x) => x.message));
    });
  });
});

describeStores('fsckStore problem codes', (store) => {
  const tamper = (spec: LogStoreSpec, f: (db: LogDb) => Promise<void>) => tamperStore(store, spec, f);
  const fsck = async (spec: LogStoreSpec, origin = ORIGIN) => {
    const r = await fsckStore(spec, origin, verifierKey);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(r.findings.map((f) => f.message));
    return r.findings.map((f) => f.code);
  };
  const checkpointNote = async (db: LogDb, size: number) => (await db.get(checkpointKey(size))) as Uint8Array;

  it.each([
    ['a stored hash deleted', 'FSCK_HASH_MISSING', (db: LogDb) => db.del(hashKey(10))],
    ['a leaf beyond the committed size', 'FSCK_LEAF_BEYOND_SIZE', (db: LogDb) => db.put(leafKey(40), leafBytes(40))],
    [
      'a stored hash beyond the committed size',
      'FSCK_HASH_BEYOND_SIZE',
      (db: LogDb) => db.put(hashKey(storedHashCount(40)), new Uint8Array(32)),
    ],
    [
      'a kept checkpoint that is not a note',
      'FSCK_CHECKPOINT_UNPARSABLE',
      (db: LogDb) => db.put(checkpointKey(20), new TextEncoder().encode('not a note')),
    ],
    [
      'a checkpoint of size 20 kept under size 21',
      'FSCK_CHECKPOINT_SIZE_MISMATCH',
      async (db: LogDb) => db.put(checkpointKey(21), await checkpointNote(db, 20)),
    ],
    [
      'a checkpoint kept beyond the stored entries',
      'FSCK_CHECKPOINT_BEYOND_SIZE',
      async (db: LogDb) => db.put(checkpointKey(50), await checkpointNote(db, 40)),
    ],
    [
      'every checkpoint deleted',
      'FSCK_NO_CHECKPOINT',
      async (db: LogDb) => {
        for (const size of [0, 20, 40]) await db.del(checkpointKey(size));
      },
    ],
  ] as const)('reports %s as %s', async (_what, code, fault) => {
    const spec = await stoppedLog(store);
    await tamper(spec, fault);
    expect(await fsck(spec)).toContain(code);
  });

  it('reports a log checked under another origin as FSCK_CHECKPOINT_WRONG_ORIGIN', async () => {
    const spec = await stoppedLog(store);
    if (spec.driver === 'leveldb') {
      expect(await fsck(spec, 'govfed/other/0a1b2c3d')).toEqual(['FSCK_CHECKPOINT_WRONG_ORIGIN']);
    } else {
      // PostgreSQL keeps the origin in the schema's high_water row too: the check stops there, typed.
      await expect(fsckStore(spec, 'govfed/other/0a1b2c3d', verifierKey)).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    }
  });

  it('reports a tree that is not the one its high-water mark signed as FSCK_HIGH_WATER_ROOT_MISMATCH', async () => {
    const spec = await stoppedLog(store, 10);
    const file = join(await tempDir(), 'high-water.json');
    const db = await store.open(spec);
    try {
      // The mark at the log's last checkpoint (where the driver keeps it), then every stored hash changed.
      const note = new TextDecoder().decode(await checkpointNote(db, 10));
      const { rootHash } = parseCheckpoint(parseNote(note).text);
      const m =
        spec.driver === 'leveldb'
          ? new HighWaterMark(file, ORIGIN)
          : new HighWaterMark(db.highWaterMark?.(ORIGIN) as MarkStore);
      await m.load();
      await m.raise({ size: 10, rootHash });
      for (let i = 0; i < storedHashCount(10); i++) await db.put(hashKey(i), new Uint8Array(32).fill(0xee));
    } finally {
      await db.close();
    }
    const r = await fsckStore(spec, ORIGIN, verifierKey, { highWaterFile: file });
    expect(r.findings.map((f) => f.code)).toContain('FSCK_HIGH_WATER_ROOT_MISMATCH');
  });

  it('reports more than MAX_PROBLEMS changed hashes as MAX_PROBLEMS findings and FSCK_MORE_PROBLEMS', async () => {
    const spec = await stoppedLog(store, 200);
    await tamper(spec, async (db) => {
      for (let i = 0; i < MAX_PROBLEMS + 20; i++) await db.put(hashKey(i), new Uint8Array(32).fill(0xee));
    });
    const codes = await fsck(spec);
    expect(codes).toHaveLength(MAX_PROBLEMS + 1);
    expect(codes.at(-1)).toBe('FSCK_MORE_PROBLEMS');
    expect(new Set(codes.slice(0, MAX_PROBLEMS))).toEqual(new Set(['FSCK_HASH_MISMATCH']));
  });

  it('reports a checkpoint a driver returns after a larger one as FSCK_CHECKPOINT_OUT_OF_ORDER', async () => {
    const spec = await stoppedLog(store); // checkpoints at 0, 20 and 40
    const db = await store.open(spec);
    try {
      const snapshot = await db.snapshot();
      try {
        const opts = { verifier: parseVerifierKey(verifierKey, { verify: opensslVerify }), origin: ORIGIN, snapshot };
        // in key order (the real driver): no problem
        expect((await fsckDb(db, opts)).findings).toEqual([]);
        // c/0, c/40, c/20: by the time c/20 comes, the leaves checked are past it
        const report = await fsckDb(checkpointsInOrder(db, [0, 40, 20]), opts);
        expect(report.findings).toEqual([
          { code: 'FSCK_CHECKPOINT_OUT_OF_ORDER', message: `checkpoint c/20 was skipped (out of order)` },
        ]);
      } finally {
        await snapshot.close();
      }
    } finally {
      await db.close();
    }
  });
});

/** `db`, but its iterator over the checkpoints yields them in the order of `sizes` (a misbehaving driver). */
function checkpointsInOrder(db: LogDb, sizes: readonly number[]): LogDb {
  const first = checkpointKey(0);
  return new Proxy(db, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop !== 'iterator') return typeof v === 'function' ? v.bind(target) : v;
      return (range?: { gte?: string }) => {
        const it = target.iterator(range);
        if (range?.gte !== first) return it;
        let entries: [string, Uint8Array][] | undefined;
        const load = async () => {
          if (entries === undefined) {
            const all = await it.all();
            entries = sizes.map((n) => all.find(([k]) => k === checkpointKey(n)) as [string, Uint8Array]);
          }
          return entries;
        };
        const reordered: LogIterator<[string, Uint8Array]> = {
          nextv: async (n) => (await load()).splice(0, n),
          all: async () => (await load()).splice(0),
          close: () => it.close(),
          async *[Symbol.asyncIterator]() {
            yield* await load();
          },
        };
        return reordered;
      };
    },
  });
}
