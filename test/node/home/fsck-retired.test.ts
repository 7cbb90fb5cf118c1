import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { retiredLogPaths } from '../../../node/home/config.ts';
import { fsckRetiredOpen, fsckRetiredStopped, homeFsckReport } from '../../../node/home/fsck-retired.ts';
import { loadHome } from '../../../node/home/load.ts';
import { RetiredLogs } from '../../../node/home/log-rotation.ts';
import { openLogDb } from '../../../node/log/db.ts';
import { HighWaterMark } from '../../../node/log/high-water.ts';
import { checkpointKey, decodeSize, encodeSize, leafKey, SIZE_KEY } from '../../../node/log/keys.ts';
import type { LogDb } from '../../../node/log/store.ts';
import { leafBytes } from '../log/helpers.ts';
import { rotatedHome } from './rotated-home.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

/** A finished rotation: 6 entries in the retired log, 3 in the current one. */
async function home(): Promise<Awaited<ReturnType<typeof rotatedHome>>> {
  const h = await rotatedHome(6, 3);
  roots.push(h.root);
  return h;
}

/** Changes the retired log's LevelDB on disk (as a disk fault or an intruder would). */
async function damage(dir: string, origin: string, f: (db: LogDb) => Promise<void>): Promise<void> {
  const db = await openLogDb(retiredLogPaths(dir, origin).data, { mustExist: true });
  try {
    await f(db);
  } finally {
    await db.close();
  }
}

describe('fsckRetiredStopped', () => {
  describe('when the retired log is intact', () => {
    it('reports it ok under its origin, checked against its own key up to its final checkpoint', async () => {
      const { dir, old } = await home();
      const [r, ...rest] = await fsckRetiredStopped(await loadHome(dir));
      expect(rest).toEqual([]);
      expect(r).toMatchObject({
        origin: old.origin,
        ok: true,
        rootMatches: true,
        storedHashesMatch: true,
        problems: [],
        findings: [],
      });
      expect(r?.size).toBeGreaterThanOrEqual(6);
      expect(r?.checkpointSize).toBe(r?.size);
    });
  });

  describe('when a leaf of the retired log was changed (old code: fsck never looked at DIR/retired)', () => {
    it('reports the mismatch for that log, and the home report is not ok', async () => {
      const { dir, old } = await home();
      await damage(dir, old.origin, (db) => db.put(leafKey(3), leafBytes(9999)));
      const [r] = await fsckRetiredStopped(await loadHome(dir));
      expect(r).toMatchObject({ origin: old.origin, ok: false, storedHashesMatch: false, rootMatches: false });
      expect(r?.problems.some((p) => p.includes('(leaf 3)'))).toBe(true);
      expect(r?.findings.map((f) => f.code)).toContain('FSCK_HASH_MISMATCH');
      const intact = { ok: true, size: 3, checkpointSize: 3, rootMatches: true, storedHashesMatch: true };
      const whole = homeFsckReport({ ...intact, checkpointsChecked: 1, problems: [], findings: [] }, r ? [r] : []);
      expect(whole.ok).toBe(false);
    });
  });

  describe('when its final checkpoint does not verify with its own key', () => {
    it('reports rootMatches false', async () => {
      const { dir, old } = await home();
      const size = (await fsckRetiredStopped(await loadHome(dir)))[0]?.checkpointSize as number;
      expect(size).toBeGreaterThan(0);
      await damage(dir, old.origin, async (db) => {
        const note = new TextDecoder().decode(await db.get(checkpointKey(size)));
        const at = note.length - 20; // inside the signature's base64
        await db.put(
          checkpointKey(size),
          new TextEncoder().encode(note.slice(0, at) + (note[at] === 'A' ? 'B' : 'A') + note.slice(at + 1)),
        );
      });
      const [r] = await fsckRetiredStopped(await loadHome(dir));
      expect(r).toMatchObject({ origin: old.origin, ok: false, rootMatches: false });
      expect(r?.problems.join('\n')).toContain('does not verify');
      expect(r?.findings.map((f) => f.code)).toEqual(['FSCK_CHECKPOINT_SIGNATURE']);
    });
  });

  describe('when entries were added after its final checkpoint', () => {
    it('reports them as never signed', async () => {
      const { dir, old } = await home();
      let size = 0;
      await damage(dir, old.origin, async (db) => {
        size = decodeSize((await db.get(SIZE_KEY)) as Uint8Array);
        // One more leaf and the committed size that claims it (its stored hashes are missing too).
        await db.put(leafKey(size), leafBytes(777));
        await db.put(SIZE_KEY, encodeSize(size + 1));
      });
      const [r] = await fsckRetiredStopped(await loadHome(dir));
      expect(r?.ok).toBe(false);
      expect(r?.problems.join('\n')).toContain(`1 entries after the final checkpoint (size ${size}) were never signed`);
      expect(r?.findings.map((f) => f.code)).toContain('FSCK_RETIRED_UNSIGNED_ENTRIES');
      expect(r?.problems).toEqual(r?.findings.map((f) => f.message));
    });
  });

  describe('when its data is older than its high-water mark', () => {
    it('reports the rollback', async () => {
      const { dir, old } = await home();
      const mark = new HighWaterMark(retiredLogPaths(dir, old.origin).highWater, old.origin);
      await mark.load();
      await mark.raise({ size: 50, rootHash: new Uint8Array(32).fill(7) });
      const [r] = await fsckRetiredStopped(await loadHome(dir));
      expect(r?.ok).toBe(false);
      expect(r?.problems.join('\n')).toMatch(/signed a tree of 50/);
      expect(r?.findings.map((f) => f.code)).toEqual(['FSCK_BELOW_HIGH_WATER']);
    });
  });

  describe('when the retired log is gone', () => {
    it('reports ERR_NOT_FOUND for that log instead of passing or aborting', async () => {
      const { dir, old } = await home();
      await rm(retiredLogPaths(dir, old.origin).dir, { recursive: true });
      const [r] = await fsckRetiredStopped(await loadHome(dir));
      expect(r).toMatchObject({ origin: old.origin, ok: false, error: { code: 'ERR_NOT_FOUND' } });
      expect(r?.findings).toEqual([{ code: 'FSCK_LOG_UNCHECKABLE', message: r?.error?.message }]);
    });
  });
});

describe('fsckRetiredOpen', () => {
  describe('when the daemon holds the retired log open and a leaf was changed before it started', () => {
    it('finds it through the open log (the signed tree still opens: its stored hashes are intact)', async () => {
      const { dir, old } = await home();
      await damage(dir, old.origin, (db) => db.put(leafKey(2), leafBytes(4242)));
      const loaded = await loadHome(dir);
      const retired = new RetiredLogs(loaded);
      await retired.start();
      try {
        const [r] = await fsckRetiredOpen(loaded, retired.logs);
        expect(r).toMatchObject({ origin: old.origin, ok: false, storedHashesMatch: false });
        expect(r?.problems.some((p) => p.includes('(leaf 2)'))).toBe(true);
        expect(r?.findings.map((f) => f.code)).toContain('FSCK_HASH_MISMATCH');
      } finally {
        await retired.stop();
      }
    });
  });

  describe('when the retired log is intact', () => {
    it('reports ok', async () => {
      const { dir, old } = await home();
      const loaded = await loadHome(dir);
      const retired = new RetiredLogs(loaded);
      await retired.start();
      try {
        expect(await fsckRetiredOpen(loaded, retired.logs)).toEqual([
          expect.objectContaining({ origin: old.origin, ok: true, problems: [] }),
        ]);
      } finally {
        await retired.stop();
      }
    });
  });
});
