/**
 * `govfed audit fsck` on a home that rotated its log key: the retired log in DIR/retired is checked too,
 * on a stopped node (scratch copy) and through the daemon (POST /v1/admin/fsck), each problem with its code.
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { retiredLogPaths } from '../../../node/home/config.ts';
import { openLogDb } from '../../../node/log/db.ts';
import { leafKey } from '../../../node/log/keys.ts';
import { runCli } from '../../helpers/cli.ts';
import { DaemonProcess } from '../../helpers/daemon.ts';
import { rotatedHome } from '../../node/home/rotated-home.ts';
import { leafBytes } from '../../node/log/helpers.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

interface Report {
  ok: boolean;
  via: string;
  problems: string[];
  findings: { code: string; message: string }[];
  retired: {
    origin: string;
    ok: boolean;
    problems: string[];
    findings: { code: string; message: string }[];
    storedHashesMatch: boolean;
  }[];
}

async function fsck(dir: string): Promise<{ code: number | null; report: Report }> {
  const r = await runCli(['audit', 'fsck', '--home', dir, '--json']);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** Overwrites leaf 3 of the retired log on disk. */
async function damageRetired(dir: string, origin: string): Promise<void> {
  const db = await openLogDb(retiredLogPaths(dir, origin).data, { mustExist: true });
  try {
    await db.put(leafKey(3), leafBytes(9999));
  } finally {
    await db.close();
  }
}

describe('govfed audit fsck', () => {
  describe('when the node is stopped and its retired log was damaged', () => {
    it('checks the retired log too and exits 1 naming it (old code: exit 0, the current log alone)', async () => {
      const { root, dir, old } = await rotatedHome(8, 4);
      roots.push(root);
      const intact = await fsck(dir);
      expect(intact.code).toBe(0);
      expect(intact.report).toMatchObject({ ok: true, via: 'store', retired: [{ origin: old.origin, ok: true }] });
      await damageRetired(dir, old.origin);
      const damaged = await fsck(dir);
      expect(damaged.code).toBe(1);
      expect(damaged.report.ok).toBe(false);
      expect(damaged.report.problems).toEqual([]); // the current log is intact
      expect(damaged.report.findings).toEqual([]);
      expect(damaged.report.retired[0]?.findings.map((f) => f.code)).toContain('FSCK_HASH_MISMATCH');
      expect(damaged.report.retired[0]).toMatchObject({ origin: old.origin, ok: false, storedHashesMatch: false });
      const human = await runCli(['audit', 'fsck', '--home', dir]);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`FAILED: retired log ${old.origin}`);
      expect(human.stdout).toMatch(/problem: FSCK_HASH_MISMATCH: stored hash \d+ \(leaf 3\)/);
    });
  });

  describe('when the daemon runs and its retired log was damaged before it started', () => {
    it('the daemon checks the retired log too', async () => {
      const { root, dir, old } = await rotatedHome(8, 4);
      roots.push(root);
      await damageRetired(dir, old.origin); // the signed tree (stored hashes) still opens
      const daemon = await DaemonProcess.start(dir);
      try {
        const r = await fsck(dir);
        expect(r.code).toBe(1);
        expect(r.report).toMatchObject({ ok: false, via: 'daemon' });
        expect(r.report.retired[0]).toMatchObject({ origin: old.origin, ok: false });
        expect(r.report.retired[0]?.problems.some((p) => p.includes('(leaf 3)'))).toBe(true);
        // The codes come through POST /v1/admin/fsck (its response schema lets them out).
        const leaf3 = r.report.retired[0]?.findings.find((f) => f.message.includes('(leaf 3)'));
        expect(leaf3?.code).toBe('FSCK_HASH_MISMATCH');
        const human = await runCli(['audit', 'fsck', '--home', dir]);
        expect(human.stdout).toMatch(/problem: FSCK_HASH_MISMATCH: stored hash \d+ \(leaf 3\)/);
      } finally {
        await daemon.stop();
      }
    }, 60_000);
  });
});
