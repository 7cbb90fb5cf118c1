import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { homePaths, readConfig, retiredLogPaths } from '../../../node/home/config.ts';
import { exists, writeFileAtomic } from '../../../node/home/fs.ts';
import { loadHome } from '../../../node/home/load.ts';
import { completeLogRotation, RetiredLogs, rotationEntries } from '../../../node/home/log-rotation.ts';
import { decodeLeaf } from '../../../protocol/audit/leaf.ts';
import { promotedHome as makePromotedHome } from './rotated-home.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

async function promotedHome(n: number): ReturnType<typeof makePromotedHome> {
  const h = await makePromotedHome(n);
  roots.push(h.root);
  return h;
}

describe('completeLogRotation', () => {
  describe('when config.json names the promoted next key', () => {
    it('moves the old log to DIR/retired/<key id>/, makes the next key keys/log.key, and the home loads', async () => {
      const { dir, old, next } = await promotedHome(6);
      expect(await completeLogRotation(dir)).toBe(true);
      const paths = homePaths(dir);
      const to = retiredLogPaths(dir, old.origin);
      expect(to.dir.endsWith(join('retired', old.origin.split('/')[2] as string))).toBe(true);
      expect(await exists(join(to.data, 'CURRENT'))).toBe(true);
      expect(await exists(to.highWater)).toBe(true);
      expect(await exists(paths.data)).toBe(false);
      expect(await exists(`${paths.logKey}.next`)).toBe(false);
      expect((await readFile(paths.logKey, 'utf8')).trim()).toBe(next.signerKey);
      const home = await loadHome(dir);
      expect(home.config.origin).toBe(next.origin);
      // The retired log opens read-only with its final tree; the new log's first entries commit to it.
      const retired = new RetiredLogs(home);
      await retired.start();
      try {
        expect(retired.logs.get(old.origin)?.size).toBe(6);
        const [entry] = rotationEntries(home, retired.logs, new Date('2026-01-01T00:00:00Z'));
        const record = JSON.parse(new TextDecoder().decode(entry?.record)) as {
          from: { origin: string; size: number };
        };
        expect(decodeLeaf(entry?.leaf as Uint8Array)).toMatchObject({ kind: 'log.rotated', ref: old.origin });
        expect(record.from).toMatchObject({ origin: old.origin, size: 6 });
      } finally {
        await retired.stop();
      }
      // Done: a second call has nothing to do.
      expect(await completeLogRotation(dir)).toBe(false);
    });
  });

  describe('when a start stopped after moving the log but before the key', () => {
    it('finishes with the key', async () => {
      const { dir, old, next } = await promotedHome(2);
      const to = retiredLogPaths(dir, old.origin);
      await mkdir(to.dir, { recursive: true });
      await rename(homePaths(dir).data, to.data);
      expect(await completeLogRotation(dir)).toBe(true);
      expect((await readFile(homePaths(dir).logKey, 'utf8')).trim()).toBe(next.signerKey);
      expect((await readConfig(dir)).retiredLogs).toEqual([{ origin: old.origin, verifierKey: old.verifierKey }]);
    });
  });

  describe('when the rotation is still pending (config.json names the old key)', () => {
    it('does nothing', async () => {
      const { dir, old } = await promotedHome(1);
      await writeFileAtomic(homePaths(dir).config, `${JSON.stringify(old, null, 2)}\n`, 0o644);
      expect(await completeLogRotation(dir)).toBe(false);
      expect(await exists(join(homePaths(dir).data, 'CURRENT'))).toBe(true);
      expect(await exists(`${homePaths(dir).logKey}.next`)).toBe(true);
    });
  });

  describe('when a retired log is gone', () => {
    it('RetiredLogs refuses to start (ERR_NOT_FOUND): its entries were acknowledged', async () => {
      const { dir, old } = await promotedHome(1);
      await completeLogRotation(dir);
      await rm(retiredLogPaths(dir, old.origin).dir, { recursive: true });
      const retired = new RetiredLogs(await loadHome(dir));
      await expect(retired.start()).rejects.toThrow(expect.objectContaining({ code: 'ERR_NOT_FOUND' }));
      expect(retired.logs.size).toBe(0);
    });
  });
});
