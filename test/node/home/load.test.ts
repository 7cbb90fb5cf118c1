import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';
import { newPeerKey, newWitnessKey, peerIdOfKey } from '../../../node/home/keys.ts';
import { loadHome } from '../../../node/home/load.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { openCheckpoint, parseVerifierKey, signCheckpoint, verifyCosignature } from '../../../protocol/note/index.ts';

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

  describe('when a token file is accessible by group or others', () => {
    it.each([
      ['tokens.json', 0o644],
      ['tokens.json', 0o660],
      ['admin.token', 0o640],
      ['admin.token', 0o604],
    ] as const)('throws ERR_INSECURE_PERMISSIONS for %s mode %o', async (name, mode) => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      await chmod(join(dir, name), mode);
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_INSECURE_PERMISSIONS' });
    });

    it('does not require admin.token to exist (an operator may have moved it away)', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      await rm(homePaths(dir).adminToken);
      await expect(loadHome(dir)).resolves.toBeDefined();
    });
  });

  describe('when the log data is accessible by group or others', () => {
    it('makes DIR/data and DIR/witness/db 0700 with 0600 files', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const p = homePaths(dir);
      await mkdir(join(p.data, 'sub'), { recursive: true, mode: 0o755 });
      await mkdir(join(p.witness, 'db'), { recursive: true, mode: 0o755 });
      await writeFile(join(p.data, '000005.ldb'), 'raw records', { mode: 0o644 });
      await writeFile(join(p.data, 'sub', 'x'), 'x', { mode: 0o664 });
      await writeFile(join(p.witness, 'db', 'CURRENT'), 'x', { mode: 0o644 });
      await chmod(p.data, 0o755);
      await chmod(join(p.witness, 'db'), 0o755);
      await loadHome(dir);
      const mode = async (f: string) => (await stat(f)).mode & 0o777;
      expect(await mode(p.data)).toBe(0o700);
      expect(await mode(join(p.data, 'sub'))).toBe(0o700);
      expect(await mode(join(p.data, '000005.ldb'))).toBe(0o600);
      expect(await mode(join(p.data, 'sub', 'x'))).toBe(0o600);
      expect(await mode(join(p.witness, 'db'))).toBe(0o700);
      expect(await mode(join(p.witness, 'db', 'CURRENT'))).toBe(0o600);
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

describe('loadHome witness key', () => {
  describe('when the home has a witness key', () => {
    it('returns a cosignature signer whose cosignatures verify with config.witnessKey', async () => {
      const dir = join(root, 'eu');
      const r = await initHome({ dir, org: 'eu' });
      const home = await loadHome(dir);
      expect(home.config.witnessKey).toBe(r.witnessKey);
      expect(r.witnessKey.startsWith('govfed/eu/witness+')).toBe(true);
      const note = signCheckpoint(
        { origin: r.origin, size: 0, rootHash: new Uint8Array(32), extensions: [] },
        home.signer,
      );
      const text = note.slice(0, note.indexOf('\n\n') + 1);
      const sig = {
        name: home.witnessSigner.name,
        keyHash: home.witnessSigner.keyHash,
        signature: home.witnessSigner.sign(utf8(text)),
      };
      expect(() => verifyCosignature(text, sig, parseVerifierKey(r.witnessKey))).not.toThrow();
    });
  });

  describe('when an older home has no witness key', () => {
    it('creates keys/witness.key (0600) and adds witnessKey to config.json', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const p = homePaths(dir);
      const config = JSON.parse(await readFile(p.config, 'utf8')) as Record<string, unknown>;
      delete config.witnessKey;
      await writeFile(p.config, JSON.stringify(config));
      await rm(p.witnessKey);
      const home = await loadHome(dir);
      expect(home.config.witnessKey?.startsWith('govfed/eu/witness+')).toBe(true);
      expect((await stat(p.witnessKey)).mode & 0o777).toBe(0o600);
      const saved = JSON.parse(await readFile(p.config, 'utf8')) as { witnessKey?: string };
      expect(saved.witnessKey).toBe(home.config.witnessKey);
      expect((await loadHome(dir)).config.witnessKey).toBe(home.config.witnessKey);
    });
  });

  describe('when the witness key does not match the config', () => {
    it('throws ERR_KEY_MISMATCH for another witness key', async () => {
      const a = join(root, 'a');
      const b = join(root, 'b');
      await initHome({ dir: a, org: 'eu' });
      await initHome({ dir: b, org: 'eu' });
      await writeFile(homePaths(a).witnessKey, await readFile(homePaths(b).witnessKey), { mode: 0o600 });
      await expect(loadHome(a)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
    });

    it('throws ERR_KEY_MISMATCH when config names a witness key whose file is gone', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      await rm(homePaths(dir).witnessKey);
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
    });
  });

  describe('when a witness key rotation stopped after config.json named the new key', () => {
    it('finishes it: keys/witness.key becomes the next key, the next-key file goes', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const paths = homePaths(dir);
      const fresh = newWitnessKey('eu');
      await writeFile(`${paths.witnessKey}.next`, `${fresh.signerKey}\n`, { mode: 0o600 });
      const config = JSON.parse(await readFile(paths.config, 'utf8')) as Record<string, unknown>;
      await writeFile(paths.config, JSON.stringify({ ...config, witnessKey: fresh.verifierKey }));
      const home = await loadHome(dir);
      expect(home.config.witnessKey).toBe(fresh.verifierKey);
      expect((await readFile(paths.witnessKey, 'utf8')).trim()).toBe(fresh.signerKey);
      await expect(stat(`${paths.witnessKey}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
  describe('when a next witness key is there but config.json still names the old one (rotation pending)', () => {
    it('keeps the old key and the next-key file', async () => {
      const dir = join(root, 'eu');
      const r = await initHome({ dir, org: 'eu' });
      const paths = homePaths(dir);
      await writeFile(`${paths.witnessKey}.next`, `${newWitnessKey('eu').signerKey}\n`, { mode: 0o600 });
      const home = await loadHome(dir);
      expect(home.config.witnessKey).toBe(r.witnessKey);
      expect((await stat(`${paths.witnessKey}.next`)).isFile()).toBe(true);
    });
  });
  describe('when a peer key rotation stopped after config.json named the new peer id', () => {
    it('finishes it: keys/peer.key becomes the next key, the next-key file goes', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const paths = homePaths(dir);
      const fresh = await newPeerKey();
      await writeFile(`${paths.peerKey}.next`, fresh.protobuf, { mode: 0o600 });
      const config = JSON.parse(await readFile(paths.config, 'utf8')) as Record<string, unknown>;
      await writeFile(paths.config, JSON.stringify({ ...config, peerId: fresh.peerId }));
      const home = await loadHome(dir);
      expect(home.config.peerId).toBe(fresh.peerId);
      expect(peerIdOfKey(new Uint8Array(await readFile(paths.peerKey)))).toBe(fresh.peerId);
      await expect(stat(`${paths.peerKey}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
  describe('when config.json names a peer id that neither keys/peer.key nor a next key holds', () => {
    it('refuses with ERR_KEY_MISMATCH and changes nothing', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const paths = homePaths(dir);
      await writeFile(`${paths.peerKey}.next`, (await newPeerKey()).protobuf, { mode: 0o600 });
      const config = JSON.parse(await readFile(paths.config, 'utf8')) as Record<string, unknown>;
      await writeFile(paths.config, JSON.stringify({ ...config, peerId: (await newPeerKey()).peerId }));
      await expect(loadHome(dir)).rejects.toMatchObject({ code: 'ERR_KEY_MISMATCH' });
      expect((await stat(`${paths.peerKey}.next`)).isFile()).toBe(true);
    });
  });
});
