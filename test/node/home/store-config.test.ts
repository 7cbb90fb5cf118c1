import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfig, homePaths, readConfig } from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';
import { homeStore } from '../../../node/home/load.ts';
import { checkStoreConfig, logStoreOf, splitStoreUrl } from '../../../node/home/store-config.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const fail = (m: string) => Object.assign(new Error(m), { code: 'ERR_INVALID_CONFIG' });

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-store-config-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('splitStoreUrl', () => {
  describe('when the URL carries a password', () => {
    it('takes it out (decoded) and leaves the rest of the URL', () => {
      expect(splitStoreUrl('postgres://govfed:p%40ss@db.example:5432/govfed?sslmode=require')).toEqual({
        url: 'postgres://govfed@db.example:5432/govfed?sslmode=require',
        password: 'p@ss',
      });
      expect(splitStoreUrl('postgresql://govfed@db/x')).toEqual({ url: 'postgresql://govfed@db/x' });
    });
  });

  describe('when it is not a postgres URL naming a database', () => {
    it('throws ERR_VALIDATION', () => {
      for (const bad of ['not a url', 'mysql://u@h/db', 'postgres://u@h', 'postgres://u@h/']) {
        expect(() => splitStoreUrl(bad)).toThrow(code('ERR_VALIDATION'));
      }
    });
  });
});

describe('checkStoreConfig', () => {
  describe('when config.json names a PostgreSQL store', () => {
    it('accepts a URL without password and a schema', () => {
      const s = { driver: 'postgres', url: 'postgres://govfed@db:5432/govfed', schema: 'acme_1' };
      expect(checkStoreConfig(s, fail)).toEqual(s);
      expect(checkStoreConfig(undefined, fail)).toBeUndefined();
    });

    it('refuses a password in the URL, another driver, a bad schema and unknown fields', () => {
      const bad = [
        { driver: 'postgres', url: 'postgres://govfed:secret@db/govfed' },
        { driver: 'leveldb', url: 'postgres://govfed@db/govfed' },
        { driver: 'postgres', url: 'postgres://govfed@db/govfed', schema: 'Robert"; DROP' },
        { driver: 'postgres', url: 'postgres://govfed@db/govfed', extra: 1 },
        { driver: 'postgres', url: `postgres://govfed@db/${'x'.repeat(3000)}` },
        'postgres://govfed@db/govfed',
      ];
      for (const v of bad) expect(() => checkStoreConfig(v, fail)).toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});

describe('logStoreOf', () => {
  describe('when there is no store in config.json', () => {
    it('is the LevelDB in DIR/data', () => {
      expect(logStoreOf(undefined, '/home/x/data')).toEqual({ driver: 'leveldb', dir: '/home/x/data' });
    });
  });

  describe('when there is one and a password', () => {
    it('puts the password into the URL it hands the driver', () => {
      const spec = logStoreOf({ driver: 'postgres', url: 'postgres://govfed@db/govfed', schema: 's' }, '/d', 'a b@c');
      expect(spec).toEqual({ driver: 'postgres', url: 'postgres://govfed:a%20b%40c@db/govfed', schema: 's' });
    });
  });
});

describe('initHome with a store', () => {
  describe('when the URL has a password', () => {
    it('writes config.json store without it and keys/store.password (0600); the home gives the full spec', async () => {
      const dir = join(root, 'home');
      await initHome({ dir, org: 'acme', store: 'postgres://govfed:s3cret@db.example:5432/gov' });
      const config = await readConfig(dir);
      expect(config.store).toEqual({ driver: 'postgres', url: 'postgres://govfed@db.example:5432/gov' });
      expect(await readFile(join(dir, 'config.json'), 'utf8')).not.toContain('s3cret');
      const pw = homePaths(dir).storePassword;
      expect((await stat(pw)).mode & 0o777).toBe(0o600);
      expect(await homeStore(homePaths(dir), config)).toEqual({
        driver: 'postgres',
        url: 'postgres://govfed:s3cret@db.example:5432/gov',
      });
      expect(() => checkConfig({ ...config, store: { ...config.store, url: 'x' } })).toThrow(
        code('ERR_INVALID_CONFIG'),
      );
    });
  });

  describe('when the URL is not a postgres URL', () => {
    it('refuses with ERR_VALIDATION and creates nothing', async () => {
      const dir = join(root, 'bad');
      await expect(initHome({ dir, org: 'acme', store: 'mysql://x@y/z' })).rejects.toThrow(code('ERR_VALIDATION'));
      await expect(stat(dir)).rejects.toThrow();
    });
  });
});
