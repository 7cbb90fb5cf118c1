import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';
import { loadHome } from '../../../node/home/load.ts';
import { openCheckpoint, parseVerifierKey, signCheckpoint } from '../../../protocol/note/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-load-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadHome', () => {
  describe('when the home is intact', () => {
    it('returns the config and a signer whose checkpoints verify with the published key', async () => {
      const dir = join(root, 'eu');
      const r = await initHome({ dir, org: 'eu' });
      const home = await loadHome(dir);
      expect(home.dir).toBe(dir);
      expect(home.config.origin).toBe(r.origin);
      expect(home.signer.name).toBe(r.origin);
      const note = signCheckpoint(
        { origin: r.origin, size: 0, rootHash: new Uint8Array(32), extensions: [] },
        home.signer,
      );
      const opened = openCheckpoint(note, parseVerifierKey(r.verifierKey));
      expect(opened.checkpoint.size).toBe(0);
      expect(home.peerKey.length).toBeGreaterThan(32);
    });
  });

  describe('when there is no home', () => {
    it('throws ERR_HOME_NOT_FOUND', async () => {
      await expect(loadHome(join(root, 'nothing'))).rejects.toMatchObject({ code: 'ERR_HOME_NOT_FOUND' });
    });
  });

  describe('when a key file is readable by others', () => {
    it('throws ERR_INSECURE_PERMISSIONS', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      await chmod(homePaths(dir).logKey, 0o644);
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_INSECURE_PERMISSIONS' });
    });
  });

  describe('when the keys do not match the config', () => {
    it('throws ERR_KEY_MISMATCH for another log key', async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      await initHome({ dir: a, org: 'eu' });
      await initHome({ dir: b, org: 'eu' });
      await writeFile(homePaths(a).logKey, await readFile(homePaths(b).logKey), { mode: 0o600 });
      await expect(loadHome(a)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
    });

    it('throws ERR_KEY_MISMATCH for another peer key', async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      await initHome({ dir: a, org: 'eu' });
      await initHome({ dir: b, org: 'eu' });
      await writeFile(homePaths(a).peerKey, await readFile(homePaths(b).peerKey), { mode: 0o600 });
      await expect(loadHome(a)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
    });
  });

  describe('when a file is corrupt', () => {
    it('throws ERR_INVALID_CONFIG for an unknown config field', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const c = JSON.parse(await readFile(homePaths(dir).config, 'utf8'));
      await writeFile(homePaths(dir).config, JSON.stringify({ ...c, extra: 1 }));
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG' });
    });

    it('throws ERR_INVALID_CONFIG for a garbled log key', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      await writeFile(homePaths(dir).logKey, 'PRIVATE+KEY+nope', { mode: 0o600 });
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG' });
    });
  });
});
