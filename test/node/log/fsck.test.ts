import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AuditLog,
  fsckDirectory,
  fsckStore,
  HighWaterMark,
  type LogStoreSpec,
  type MarkStore,
} from '../../../node/log/index.ts';
import { checkpointKey, hashKey, leafKey } from '../../../node/log/keys.ts';
import type { LogDb } from '../../../node/log/store.ts';
import { DaemonProcess, initNode } from '../../helpers/daemon.ts';
import {
  describeStores,
  items,
  leafBytes,
  ORIGIN,
  type StoreFixture,
  signer,
  stoppedLog,
  tamper as tamperStore,
  tempDir,
  verifierKey,
} from './helpers.ts';

/** Every file of a directory with the sha256 of its bytes. */
async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await readdir(dir)).sort()) {
    out[f] = createHash('sha256')
      .update(await readFile(join(dir, f)))
      .digest('hex');
  }
  return out;
}

const code = (c: string) => expect.objectContaining({ code: c });

describeStores('fsckStore', (store) => {
  const tamper = (spec: LogStoreSpec, f: (db: LogDb) => Promise<void>) => tamperStore(store, spec, f);
  const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code);

  describe('when the log is intact', () => {
    it('reports ok, every stored hash and every checkpoint root matching', async () => {
      const spec = await stoppedLog(store);
      expect(await fsckStore(spec, ORIGIN, verifierKey)).toEqual({
        ok: true,
        size: 40,
        checkpointSize: 40,
        rootMatches: true,
        storedHashesMatch: true,
        checkpointsChecked: 3,
        problems: [],
        findings: [],
      });
    });
  });

  describe('when a leaf was tampered with', () => {
    it('finds the stored leaf hash and the checkpoint roots no longer match', async () => {
      const spec = await stoppedLog(store);
      await tamper(spec, (db) => db.put(leafKey(3), leafBytes(1000)));
      const r = await fsckStore(spec, ORIGIN, verifierKey);
      expect(r).toMatchObject({ ok: false, storedHashesMatch: false, rootMatches: false, checkpointSize: 40 });
      expect(r.problems.some((p) => p.includes('(leaf 3)'))).toBe(true);
      expect(codes(r)).toEqual(expect.arrayContaining(['FSCK_HASH_MISMATCH', 'FSCK_CHECKPOINT_ROOT_MISMATCH']));
    });
  });

  describe('when a stored hash was tampered with', () => {
    it('finds that hash while the roots from the leaves still match', async () => {
      const spec = await stoppedLog(store);
      await tamper(spec, (db) => db.put(hashKey(10), new Uint8Array(32).fill(0xee)));
      const r = await fsckStore(spec, ORIGIN, verifierKey);
      expect(r).toMatchObject({ ok: false, storedHashesMatch: false, rootMatches: true });
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]).toContain('stored hash 10');
      expect(r.findings).toEqual([{ code: 'FSCK_HASH_MISMATCH', message: r.problems[0] }]);
    });
  });

  describe('when a leaf is missing', () => {
    it('reports it', async () => {
      const spec = await stoppedLog(store);
      await tamper(spec, (db) => db.del(leafKey(30)));
      const r = await fsckStore(spec, ORIGIN, verifierKey);
      expect(r.ok).toBe(false);
      expect(r.problems).toContain('leaf 30 is missing');
      expect(r.findings).toContainEqual({ code: 'FSCK_LEAF_MISSING', message: 'leaf 30 is missing' });
      // The checkpoint of size 40 can no longer be compared.
      expect(codes(r)).toContain('FSCK_CHECKPOINT_UNCHECKED');
    });
  });

  describe('when an older checkpoint disagrees with the leaves', () => {
    it('reports it even though the last one matches', async () => {
      const spec = await stoppedLog(store);
      // Replace the kept size-20 checkpoint by a validly signed one for size 20 of a different tree.
      const forged = new AuditLog({
        store: await store.fresh(),
        signer,
        origin: ORIGIN,
        checkpointIntervalMs: 3_600_000,
      });
      await forged.start();
      await forged.append(items(100, 20));
      const note = (await forged.checkpointNow()).note;
      await forged.stop();
      await tamper(spec, (db) => db.put(checkpointKey(20), new TextEncoder().encode(note)));
      const r = await fsckStore(spec, ORIGIN, verifierKey);
      expect(r).toMatchObject({ ok: false, rootMatches: true, storedHashesMatch: true });
      expect(r.problems).toEqual(['checkpoint for size 20: root does not match the leaves']);
      expect(codes(r)).toEqual(['FSCK_CHECKPOINT_ROOT_MISMATCH']);
    });
  });

  describe('when the last checkpoint does not verify', () => {
    it('reports rootMatches false', async () => {
      const spec = await stoppedLog(store);
      await tamper(spec, async (db) => {
        const note = new TextDecoder().decode(await db.get(checkpointKey(40)));
        // Flip one base64 character inside the signature (keeping the length and the key ID).
        const at = note.length - 20;
        const flipped = note.slice(0, at) + (note[at] === 'A' ? 'B' : 'A') + note.slice(at + 1);
        await db.put(checkpointKey(40), new TextEncoder().encode(flipped));
      });
      const r = await fsckStore(spec, ORIGIN, verifierKey);
      expect(r).toMatchObject({ ok: false, rootMatches: false });
      expect(codes(r)).toEqual(['FSCK_CHECKPOINT_SIGNATURE']);
    });
  });

  describe('when the data directory is older than the high-water mark', () => {
    it('reports the rollback (old code: "OK" for a log restored from an older backup)', async () => {
      const spec = await stoppedLog(store, 10);
      const mark = join(await tempDir(), 'high-water.json');
      // The mark where the driver keeps it: the file (LevelDB), the schema's high_water row (PostgreSQL).
      const db = spec.driver === 'postgres' ? await store.open(spec) : undefined;
      const m =
        db === undefined ? new HighWaterMark(mark, ORIGIN) : new HighWaterMark(db.highWaterMark?.(ORIGIN) as MarkStore);
      await m.load();
      await m.raise({ size: 12, rootHash: new Uint8Array(32).fill(1) });
      await db?.close();
      const r = await fsckStore(spec, ORIGIN, verifierKey, { highWaterFile: mark });
      expect(r.ok).toBe(false);
      expect(r.problems.join('\n')).toMatch(/holds 10 entries.*12/);
      expect(codes(r)).toEqual(['FSCK_BELOW_HIGH_WATER']);
      await rm(mark, { force: true });
    });
  });

  describe('when there is no store', () => {
    it('fails with ERR_NOT_FOUND and creates nothing', async () => {
      const spec = await store.fresh();
      const missing = spec.driver === 'leveldb' ? { ...spec, dir: `${spec.dir}/missing` } : spec;
      await expect(fsckStore(missing, ORIGIN, verifierKey)).rejects.toThrow(code('ERR_NOT_FOUND'));
    });
  });

  describe('AuditLog.fsck', () => {
    describe('when appends run at the same time', () => {
      it('checks the committed snapshot and reports ok', async () => {
        const log = new AuditLog({ store: await store.fresh(), signer, origin: ORIGIN, checkpointIntervalMs: 5 });
        await log.start();
        await log.append(items(0, 500));
        const writers = Promise.all(Array.from({ length: 20 }, (_, i) => log.append(items(500 + i * 25, 25))));
        const report = await log.fsck();
        await writers;
        expect(report.ok).toBe(true);
        expect(report.size).toBeGreaterThanOrEqual(500);
        expect(report.problems).toEqual([]);
        expect(report.findings).toEqual([]);
        await log.stop();
      });
    });
  });
});

describe('fsckDirectory (LevelDB only)', () => {
  const leveldb: StoreFixture = {
    driver: 'leveldb',
    fresh: async () => ({ driver: 'leveldb', dir: await tempDir() }),
    open: () => Promise.reject(new Error('not used')),
  };
  describe('when a daemon (another process) holds the store', () => {
    it('fails with ERR_ALREADY_RUNNING', async () => {
      const node = await initNode('fsckheld');
      const d = await DaemonProcess.start(node.home);
      try {
        await expect(fsckDirectory(join(node.home, 'data'), node.init.origin, node.init.verifierKey)).rejects.toThrow(
          code('ERR_ALREADY_RUNNING'),
        );
      } finally {
        await d.stop();
        await rm(node.tmp, { recursive: true, force: true });
      }
    });
  });
  describe('when the write-ahead log is damaged', () => {
    it('leaves the store byte-identical (old code: LevelDB recovery dropped and deleted the damaged log)', async () => {
      const spec = await stoppedLog(leveldb, 200);
      if (spec.driver !== 'leveldb') throw new Error('unreachable');
      const dir = spec.dir; // closed without compaction: the entries are in the write-ahead log
      const wal = (await readdir(dir)).filter((f) => f.endsWith('.log'));
      expect(wal.length).toBeGreaterThan(0);
      const walPath = join(dir, wal[0] as string);
      const bytes = await readFile(walPath);
      expect(bytes.length).toBeGreaterThan(40_000);
      for (let i = 40_000; i < 40_064; i++) bytes[i] = (bytes[i] as number) ^ 0xff; // in the second 32 KiB block
      await writeFile(walPath, bytes);
      const before = await snapshotDir(dir);
      await fsckDirectory(dir, ORIGIN, verifierKey);
      expect(await snapshotDir(dir)).toEqual(before);
      expect((await readdir(dirname(dir))).filter((f) => f.includes('.fsck-'))).toEqual([]); // scratch removed
    });
  });
});
