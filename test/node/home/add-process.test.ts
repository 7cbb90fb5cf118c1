/**
 * addProcessHome on real homes on disk. Nothing connects to the database (the URL names a host that is
 * never dialled): the command only copies and checks files.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addProcessHome } from '../../../node/home/add-process.ts';
import { homePaths, readConfig } from '../../../node/home/config.ts';
import { setConfigValue } from '../../../node/home/config-set.ts';
import { initHome } from '../../../node/home/init.ts';
import { newPeerKey } from '../../../node/home/keys.ts';
import { loadHome } from '../../../node/home/load.ts';
import { verifyMemberCard } from '../../../protocol/federation/member-card.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const URL_WITH_PASSWORD = 'postgres://govfed:s3cret@db.invalid:5432/govfed';

let root: string;
let from: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-add-process-'));
  from = join(root, 'acme-a');
  await initHome({ dir: from, org: 'acme', jurisdiction: 'DE', store: URL_WITH_PASSWORD, shared: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const mode = async (p: string) => (await stat(p)).mode & 0o777;
/** What is in `root` besides the source home: the new home, or any leftover of a failed attempt. */
const others = async () => (await readdir(root)).filter((n) => n !== 'acme-a').sort();

describe('addProcessHome', () => {
  describe('when DIR is a home on a shared PostgreSQL store', () => {
    it('makes NEW: the same node (keys, origin, peer id) with its own api and listen', async () => {
      const home = join(root, 'acme-b');
      const r = await addProcessHome({ from, home, api: '127.0.0.1:7380', listen: '/ip4/127.0.0.1/tcp/7381' });
      const a = await readConfig(from);
      const b = await readConfig(home);
      expect(b).toEqual({ ...a, api: '127.0.0.1:7380', listen: '/ip4/127.0.0.1/tcp/7381' });
      expect(b.store).toEqual({ driver: 'postgres', url: 'postgres://govfed@db.invalid:5432/govfed', shared: true });
      expect(r).toMatchObject({
        home,
        from,
        org: 'acme',
        origin: a.origin,
        peerId: a.peerId,
        api: '127.0.0.1:7380',
        listen: '/ip4/127.0.0.1/tcp/7381',
        store: 'postgres://govfed@db.invalid:5432/govfed',
        storePassword: true,
      });
      expect(r.copied).toEqual([
        'admin.token',
        'keys/log.key',
        'keys/peer.key',
        'keys/store.password',
        'keys/witness.key',
        'tokens.json',
      ]);
      for (const f of r.copied) {
        expect(await readFile(join(home, f))).toEqual(await readFile(join(from, f)));
        expect(await mode(join(home, f)), f).toBe(0o600);
      }
      expect(await mode(home)).toBe(0o700);
      expect(await mode(homePaths(home).keys)).toBe(0o700);
      // the daemon's own check of a home passes: the keys are config.json's, the password is read
      const loaded = await loadHome(home);
      expect(loaded.store).toMatchObject({ driver: 'postgres', shared: true });
      expect((loaded.store as { url: string }).url).toContain(':s3cret@');
      expect(await others()).toEqual(['acme-b']);
    });

    it('signs a member card for NEW saying its own listen address', async () => {
      const home = join(root, 'acme-b');
      await addProcessHome({ from, home, listen: '/ip4/198.51.100.4/tcp/7371' });
      const card = verifyMemberCard(new Uint8Array(await readFile(homePaths(home).memberCard)));
      expect(card.org).toBe('acme');
      expect(card.peerId).toBe((await readConfig(from)).peerId);
      expect(card.addresses).toEqual([`/ip4/198.51.100.4/tcp/7371/p2p/${card.peerId}`]);
    });

    it("keeps DIR's addresses when none are given, and copies the monitor key when there is one", async () => {
      await writeFile(join(homePaths(from).keys, 'monitor.key'), 'PEM\n', { mode: 0o600 });
      const home = join(root, 'acme-b');
      const r = await addProcessHome({ from, home });
      expect(r.api).toBe((await readConfig(from)).api);
      expect(r.listen).toBe((await readConfig(from)).listen);
      expect(r.copied).toContain('keys/monitor.key');
      expect(await readFile(join(home, 'keys', 'monitor.key'), 'utf8')).toBe('PEM\n');
    });

    it('makes the parent directories of NEW', async () => {
      const home = join(root, 'machines', 'b', 'acme');
      await addProcessHome({ from, home });
      expect((await readConfig(home)).org).toBe('acme');
    });

    it('says so when DIR has no store password (PGPASSWORD or ~/.pgpass)', async () => {
      await rm(homePaths(from).storePassword);
      const r = await addProcessHome({ from, home: join(root, 'acme-b') });
      expect(r.storePassword).toBe(false);
      expect(r.copied).not.toContain('keys/store.password');
    });
  });

  describe('when DIR cannot be shared', () => {
    it('refuses the embedded LevelDB with ERR_STORE_NOT_SHARED naming store migrate; writes nothing', async () => {
      const leveldb = join(root, 'solo');
      await initHome({ dir: leveldb, org: 'solo' });
      const err = await addProcessHome({ from: leveldb, home: join(root, 'solo-b') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_STORE_NOT_SHARED' });
      expect((err as Error).message).toContain('govfed store migrate');
      expect((await readdir(root)).sort()).toEqual(['acme-a', 'solo']);
    });
    it('refuses PostgreSQL for one process with ERR_STORE_NOT_SHARED naming config set store.shared', async () => {
      await setConfigValue(from, 'store.shared', 'false');
      const err = await addProcessHome({ from, home: join(root, 'acme-b') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_STORE_NOT_SHARED' });
      expect((err as Error).message).toContain('store.shared true');
      expect(await others()).toEqual([]);
    });
    it('refuses a directory that is not a home with ERR_HOME_NOT_FOUND', async () => {
      await expect(addProcessHome({ from: join(root, 'none'), home: join(root, 'b') })).rejects.toThrow(
        code('ERR_HOME_NOT_FOUND'),
      );
    });
  });

  describe('when NEW exists', () => {
    for (const what of ['an empty directory', 'a home', 'a file']) {
      it(`refuses ${what} with ERR_HOME_EXISTS and leaves it as it was`, async () => {
        const home = join(root, 'acme-b');
        if (what === 'a file') await writeFile(home, 'x');
        else if (what === 'a home') await initHome({ dir: home, org: 'other' });
        else await mkdir(home);
        const before = what === 'a file' ? await readFile(home, 'utf8') : (await readdir(home)).join();
        await expect(addProcessHome({ from, home })).rejects.toThrow(code('ERR_HOME_EXISTS'));
        expect(what === 'a file' ? await readFile(home, 'utf8') : (await readdir(home)).join()).toBe(before);
        expect(await others()).toEqual(['acme-b']);
      });
    }
  });

  describe('when something fails half-way', () => {
    it('leaves no NEW and no temporary directory (a key readable by others: ERR_INSECURE_PERMISSIONS)', async () => {
      await chmod(homePaths(from).witnessKey, 0o644);
      await expect(addProcessHome({ from, home: join(root, 'acme-b') })).rejects.toThrow(
        code('ERR_INSECURE_PERMISSIONS'),
      );
      expect(await others()).toEqual([]);
    });
    it('leaves nothing when a key does not match config.json (ERR_KEY_MISMATCH)', async () => {
      const other = await newPeerKey();
      await writeFile(homePaths(from).peerKey, other.protobuf, { mode: 0o600 });
      await expect(addProcessHome({ from, home: join(root, 'acme-b') })).rejects.toThrow(code('ERR_KEY_MISMATCH'));
      expect(await others()).toEqual([]);
    });
    it('leaves nothing when a key file is missing (ERR_INVALID_CONFIG)', async () => {
      await rm(homePaths(from).logKey);
      await expect(addProcessHome({ from, home: join(root, 'acme-b') })).rejects.toThrow(code('ERR_INVALID_CONFIG'));
      expect(await others()).toEqual([]);
    });
  });

  describe('when an address is bad', () => {
    const cases: [string, Record<string, string>][] = [
      ['api', { api: 'localhost' }],
      ['api', { api: '127.0.0.1:70000' }],
      ['listen', { listen: '0.0.0.0:7371' }],
    ];
    for (const [what, opts] of cases) {
      it(`throws ERR_VALIDATION for ${what} ${Object.values(opts)[0]} before writing anything`, async () => {
        await expect(addProcessHome({ from, home: join(root, 'acme-b'), ...opts })).rejects.toThrow(
          code('ERR_VALIDATION'),
        );
        expect(await others()).toEqual([]);
      });
    }
  });
});
