import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePaths } from '../../../node/home/config.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';
import { makeRecords } from '../../helpers/records.ts';

/** Every path under `dir` with its mode. */
async function modes(dir: string): Promise<{ path: string; dir: boolean; mode: number }[]> {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  const todo = [dir];
  while (todo.length > 0) {
    const p = todo.pop() as string;
    const st = await lstat(p);
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o777 });
    if (st.isDirectory()) for (const n of await readdir(p)) todo.push(join(p, n));
  }
  return out;
}

describe('a running daemon’s data files', () => {
  let node: TestNode;
  let daemon: DaemonProcess;
  beforeAll(async () => {
    node = await initNode('perms');
    daemon = await DaemonProcess.start(node.home);
  }, 60_000);
  afterAll(async () => {
    await killAllDaemons();
    await rm(node.tmp, { recursive: true, force: true });
  });

  describe('when decisions have been written', () => {
    it('keeps DIR/data and DIR/witness/db at 0700 directories and 0600 files', async () => {
      const res = await daemon.fetch('/v1/decisions', {
        method: 'POST',
        token: node.adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(makeRecords(3, 'perm')),
      });
      expect(res.status).toBe(200);
      await daemon.stop();
      const p = homePaths(node.home);
      const all = [...(await modes(p.data)), ...(await modes(join(p.witness, 'db')))];
      expect(all.filter((f) => !f.dir).length).toBeGreaterThan(2);
      for (const f of all)
        expect({ path: f.path, mode: f.mode.toString(8) }).toEqual({ path: f.path, mode: f.dir ? '700' : '600' });
    });
  });
});
