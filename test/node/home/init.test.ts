import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { homePaths, readConfig } from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';
import { verifyMemberCard } from '../../../protocol/federation/member-card.ts';
import { parseVerifierKey } from '../../../protocol/note/index.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-init-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

describe('initHome', () => {
  describe('when given a fresh directory', () => {
    it('creates config, keys and an admin token and reports them', async () => {
      const dir = join(root, 'eu');
      const r = await initHome({ dir, org: 'eu', jurisdiction: 'EU' });
      expect(Object.keys(r).sort()).toEqual([
        'api',
        'memberCard',
        'org',
        'origin',
        'peerId',
        'tokenFile',
        'verifierKey',
        'witnessKey',
      ]);
      expect(r.org).toBe('eu');
      expect(r.api).toBe('127.0.0.1:7370');
      expect(r.origin).toMatch(/^govfed\/eu\/[0-9a-f]{8}$/);
      expect(r.peerId).toMatch(/^12D3KooW[1-9A-HJ-NP-Za-km-z]+$/);
      expect(r.tokenFile).toBe(homePaths(dir).adminToken);
      const v = parseVerifierKey(r.verifierKey);
      expect(v.name).toBe(r.origin);
      const config = await readConfig(dir);
      expect(config).toEqual({
        version: 1,
        org: 'eu',
        jurisdiction: 'EU',
        origin: r.origin,
        api: '127.0.0.1:7370',
        listen: '/ip4/0.0.0.0/tcp/7371',
        checkpointIntervalMs: 1000,
        peerId: r.peerId,
        verifierKey: r.verifierKey,
        witnessKey: r.witnessKey,
      });
      expect(parseVerifierKey(r.witnessKey).name).toBe('govfed/eu/witness');
      expect((await readFile(r.tokenFile, 'utf8')).trim()).toMatch(/^gf_admin_[A-Za-z0-9_-]{43}$/);
    });

    it('with store and shared, names a shared PostgreSQL store; the password goes to keys/store.password', async () => {
      const dir = join(root, 'acme');
      await initHome({ dir, org: 'acme', store: 'postgres://govfed:pw@db.invalid:5432/govfed', shared: true });
      expect((await readConfig(dir)).store).toEqual({
        driver: 'postgres',
        url: 'postgres://govfed@db.invalid:5432/govfed',
        shared: true,
      });
      expect(await readFile(homePaths(dir).storePassword, 'utf8')).toBe('pw\n');
      expect((await stat(homePaths(dir).storePassword)).mode & 0o777).toBe(0o600);
    });

    it('refuses shared without a PostgreSQL store (ERR_VALIDATION) and writes nothing', async () => {
      const dir = join(root, 'solo');
      await expect(initHome({ dir, org: 'solo', shared: true })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
      await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('writes DIR/member-card.json, signed by the peer key, saying what config.json says', async () => {
      const dir = join(root, 'us');
      const r = await initHome({ dir, org: 'us', jurisdiction: 'US-CA', listen: '/ip4/192.0.2.7/tcp/7371' });
      expect(r.memberCard).toBe(homePaths(dir).memberCard);
      expect(((await stat(r.memberCard)).mode & 0o777).toString(8)).toBe('644');
      const card = verifyMemberCard(new Uint8Array(await readFile(r.memberCard)));
      expect(card).toEqual({
        type: 'govfed.member-card/v1',
        org: 'us',
        jurisdiction: 'US-CA',
        peerId: r.peerId,
        logKey: r.verifierKey,
        witnessKey: r.witnessKey,
        addresses: [`/ip4/192.0.2.7/tcp/7371/p2p/${r.peerId}`],
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      });
    });

    it('gives a card without addresses when libp2p listens on a wildcard address (the default)', async () => {
      const r = await initHome({ dir: join(root, 'eu'), org: 'eu' });
      const card = verifyMemberCard(new Uint8Array(await readFile(r.memberCard)));
      expect(card.addresses).toEqual([]);
    });

    it('writes every secret with mode 0600 and the key directory with 0700', async () => {
      const dir = join(root, 'eu');
      await initHome({ dir, org: 'eu' });
      const p = homePaths(dir);
      for (const f of [p.logKey, p.peerKey, p.witnessKey, p.tokens, p.adminToken]) {
        expect(((await stat(f)).mode & 0o777).toString(8), f).toBe('600');
      }
      expect(((await stat(p.keys)).mode & 0o777).toString(8)).toBe('700');
    });

    it('stores only the hash of the admin token', async () => {
      const dir = join(root, 'eu');
      const r = await initHome({ dir, org: 'eu' });
      const token = (await readFile(r.tokenFile, 'utf8')).trim();
      const tokens = await readFile(homePaths(dir).tokens, 'utf8');
      expect(tokens).not.toContain(token);
      expect(JSON.parse(tokens).tokens).toHaveLength(1);
    });

    it('prints nothing (no keys or tokens in logs)', async () => {
      const out = vi.spyOn(process.stdout, 'write');
      const err = vi.spyOn(process.stderr, 'write');
      const log = vi.spyOn(console, 'log');
      await initHome({ dir: join(root, 'quiet'), org: 'quiet' });
      expect(out).not.toHaveBeenCalled();
      expect(err).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
    });

    it('gives each init a new origin, key and peer id', async () => {
      const a = await initHome({ dir: join(root, 'a'), org: 'same' });
      const b = await initHome({ dir: join(root, 'b'), org: 'same' });
      expect(a.origin).not.toBe(b.origin);
      expect(a.verifierKey).not.toBe(b.verifierKey);
      expect(a.peerId).not.toBe(b.peerId);
    });

    it('honours api, listen and checkpoint interval', async () => {
      const dir = join(root, 'x');
      const r = await initHome({
        dir,
        org: 'x',
        api: '[::1]:0',
        listen: '/ip4/127.0.0.1/tcp/0',
        checkpointIntervalMs: 50,
      });
      expect(r.api).toBe('[::1]:0');
      const c = await readConfig(dir);
      expect(c.listen).toBe('/ip4/127.0.0.1/tcp/0');
      expect(c.checkpointIntervalMs).toBe(50);
      expect(c.jurisdiction).toBe('ZZ');
    });
  });

  describe('when the directory is already a home', () => {
    it('refuses with ERR_HOME_EXISTS and leaves it unchanged', async () => {
      const dir = join(root, 'eu');
      const first = await initHome({ dir, org: 'eu' });
      const before = await readFile(homePaths(dir).logKey, 'utf8');
      await expect(initHome({ dir, org: 'eu' })).rejects.toMatchObject({ code: 'ERR_HOME_EXISTS' });
      expect(await readFile(homePaths(dir).logKey, 'utf8')).toBe(before);
      expect((await readConfig(dir)).origin).toBe(first.origin);
    });
  });

  describe('when options are invalid', () => {
    it.each([
      { org: 'EU' },
      { org: '' },
      { org: 'has space' },
      { org: 'ok', jurisdiction: 'eu' },
      { org: 'ok', jurisdiction: 'E' },
      { org: 'ok', api: 'localhost' },
      { org: 'ok', api: '127.0.0.1:70000' },
      { org: 'ok', listen: 'tcp 7371' },
      { org: 'ok', checkpointIntervalMs: 0 },
    ])('rejects %j with ERR_VALIDATION', async (opts) => {
      await expect(initHome({ dir: join(root, 'bad'), ...opts })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    });
  });
});
