import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths, readConfig } from '../../../node/home/config.ts';
import { setConfigValue } from '../../../node/home/config-set.ts';
import { initHome } from '../../../node/home/init.ts';
import { verifyMemberCard } from '../../../protocol/federation/member-card.ts';

const code = (c: string) => expect.objectContaining({ code: c });

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-config-set-'));
  dir = join(root, 'us');
  await initHome({ dir, org: 'us', jurisdiction: 'US' });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const card = async () => verifyMemberCard(new Uint8Array(await readFile(homePaths(dir).memberCard)));

describe('setConfigValue', () => {
  describe('when setting a valid value', () => {
    it('writes config.json and re-signs the member card (jurisdiction)', async () => {
      const r = await setConfigValue(dir, 'jurisdiction', 'US-CA');
      expect(r).toMatchObject({ key: 'jurisdiction', previous: 'US', value: 'US-CA', changed: true });
      expect((await readConfig(dir)).jurisdiction).toBe('US-CA');
      expect((await card()).jurisdiction).toBe('US-CA');
    });
    it('puts a concrete listen address on the card', async () => {
      await setConfigValue(dir, 'listen', '/ip4/198.51.100.9/tcp/4001');
      const c = await card();
      expect((await readConfig(dir)).listen).toBe('/ip4/198.51.100.9/tcp/4001');
      expect(c.addresses).toEqual([`/ip4/198.51.100.9/tcp/4001/p2p/${c.peerId}`]);
    });
    it('sets the API address', async () => {
      await setConfigValue(dir, 'api', '[::1]:7380');
      expect((await readConfig(dir)).api).toBe('[::1]:7380');
    });
    it('sets the ingest workers as a number, and auto removes the key (the default)', async () => {
      expect(await setConfigValue(dir, 'ingestWorkers', '3')).toMatchObject({
        previous: 'auto',
        value: '3',
        changed: true,
      });
      expect((await readConfig(dir)).ingestWorkers).toBe(3);
      expect((await setConfigValue(dir, 'ingestWorkers', '0')).previous).toBe('3');
      expect((await readConfig(dir)).ingestWorkers).toBe(0);
      expect(await setConfigValue(dir, 'ingestWorkers', 'auto')).toMatchObject({ previous: '0', changed: true });
      const raw = JSON.parse(await readFile(homePaths(dir).config, 'utf8')) as Record<string, unknown>;
      expect(Object.hasOwn(raw, 'ingestWorkers')).toBe(false);
      expect((await setConfigValue(dir, 'ingestWorkers', 'auto')).changed).toBe(false);
    });
    it('reports changed: false for the value already set', async () => {
      expect((await setConfigValue(dir, 'jurisdiction', 'US')).changed).toBe(false);
    });
  });
  describe('when the key or the value is bad', () => {
    const cases: [string, string][] = [
      ['jurisdiction', 'us'],
      ['jurisdiction', 'X'],
      ['listen', '0.0.0.0:7371'],
      ['listen', '/ip4/1.2.3.4/tcp/70000'],
      ['listen', '/ip4/1.2.3.4/tcp/1/p2p/x'],
      ['api', 'localhost'],
      ['api', '127.0.0.1:99999'],
      ['ingestWorkers', '17'],
      ['ingestWorkers', '-1'],
      ['ingestWorkers', '2.5'],
      ['ingestWorkers', '02'],
      ['ingestWorkers', 'many'],
      ['http.rateLimit.perIp', '-1'],
      ['http.rateLimit.perIp', '1.5'],
      ['http.rateLimit.perIp', '0600'],
      ['http.rateLimit.perToken', '10000001'],
      ['http.rateLimit.ingestPerToken', 'off'],
      ['http.rateLimit.perMinute', '10'],
      ['http.trustProxy', ''],
      ['http.trustProxy', 'nginx'],
      ['http.trustProxy', 'loopback,'],
      ['http.trustProxy', '10.0.0.0/33'],
      ['http.maxConnections', '10'],
      ['org', 'them'],
      ['peerId', '12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5'],
    ];
    for (const [key, value] of cases) {
      it(`throws ERR_VALIDATION for ${key} ${value} and changes nothing`, async () => {
        const before = await readFile(homePaths(dir).config, 'utf8');
        const cardBefore = await readFile(homePaths(dir).memberCard, 'utf8');
        await expect(setConfigValue(dir, key, value)).rejects.toThrow(code('ERR_VALIDATION'));
        expect(await readFile(homePaths(dir).config, 'utf8')).toBe(before);
        expect(await readFile(homePaths(dir).memberCard, 'utf8')).toBe(cardBefore);
      });
    }
  });
  describe('when setting the per-client rate limits and the trusted proxies', () => {
    it('writes http.rateLimit.* as numbers beside the other http limits (0: off)', async () => {
      const r = await setConfigValue(dir, 'http.rateLimit.perIp', '600');
      expect(r).toMatchObject({ key: 'http.rateLimit.perIp', previous: '1200', value: '600', changed: true });
      expect(await setConfigValue(dir, 'http.rateLimit.perToken', '0')).toMatchObject({ previous: '12000' });
      expect(await setConfigValue(dir, 'http.rateLimit.ingestPerToken', '3000')).toMatchObject({ previous: '0' });
      expect((await readConfig(dir)).http?.rateLimit).toEqual({ perIp: 600, perToken: 0, ingestPerToken: 3000 });
      expect((await setConfigValue(dir, 'http.rateLimit.perIp', '600')).changed).toBe(false);
    });
    it('writes http.trustProxy as a list, and none removes it (the default)', async () => {
      expect(await setConfigValue(dir, 'http.trustProxy', 'loopback,10.0.0.0/8')).toMatchObject({
        previous: 'none',
        changed: true,
      });
      await setConfigValue(dir, 'http.rateLimit.perIp', '60');
      expect((await readConfig(dir)).http).toEqual({
        trustProxy: ['loopback', '10.0.0.0/8'],
        rateLimit: { perIp: 60 },
      });
      expect(await setConfigValue(dir, 'http.trustProxy', 'none')).toMatchObject({ previous: 'loopback,10.0.0.0/8' });
      expect((await readConfig(dir)).http).toEqual({ rateLimit: { perIp: 60 } });
    });
  });
  describe('when setting store.shared or store.leaseMs', () => {
    it('refuses them for the embedded LevelDB (ERR_VALIDATION naming store migrate) and changes nothing', async () => {
      const before = await readFile(homePaths(dir).config, 'utf8');
      for (const [key, value] of [
        ['store.shared', 'true'],
        ['store.shared', 'false'],
        ['store.leaseMs', '5000'],
      ] as const) {
        const err = await setConfigValue(dir, key, value).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'ERR_VALIDATION' });
        expect((err as Error).message).toContain('store migrate');
      }
      expect(await readFile(homePaths(dir).config, 'utf8')).toBe(before);
    });
    it('sets them in config.json store for a log in PostgreSQL; false removes shared (the default)', async () => {
      const pg = join(root, 'pg');
      await initHome({ dir: pg, org: 'pg', store: 'postgres://govfed@db.invalid:5432/govfed' });
      expect(await setConfigValue(pg, 'store.shared', 'true')).toMatchObject({
        key: 'store.shared',
        previous: 'false',
        value: 'true',
        changed: true,
      });
      expect((await readConfig(pg)).store).toEqual({
        driver: 'postgres',
        url: 'postgres://govfed@db.invalid:5432/govfed',
        shared: true,
      });
      expect(await setConfigValue(pg, 'store.leaseMs', '4000')).toMatchObject({ previous: '10000', changed: true });
      expect((await readConfig(pg)).store).toMatchObject({ shared: true, leaseMs: 4000 });
      expect((await setConfigValue(pg, 'store.shared', 'true')).changed).toBe(false);
      expect(await setConfigValue(pg, 'store.shared', 'false')).toMatchObject({ previous: 'true', changed: true });
      const raw = JSON.parse(await readFile(homePaths(pg).config, 'utf8')) as { store: Record<string, unknown> };
      expect(raw.store).toEqual({ driver: 'postgres', url: 'postgres://govfed@db.invalid:5432/govfed', leaseMs: 4000 });
    });
    for (const [key, value] of [
      ['store.shared', 'yes'],
      ['store.shared', 'TRUE'],
      ['store.leaseMs', '299'],
      ['store.leaseMs', '600001'],
      ['store.leaseMs', '1e4'],
      ['store.leaseMs', '05000'],
      ['store.url', 'postgres://x@y/z'],
    ] as const) {
      it(`throws ERR_VALIDATION for ${key} ${value} on a PostgreSQL home and changes nothing`, async () => {
        const pg = join(root, 'pg');
        await initHome({ dir: pg, org: 'pg', store: 'postgres://govfed@db.invalid:5432/govfed', shared: true });
        const before = await readFile(homePaths(pg).config, 'utf8');
        await expect(setConfigValue(pg, key, value)).rejects.toThrow(code('ERR_VALIDATION'));
        expect(await readFile(homePaths(pg).config, 'utf8')).toBe(before);
      });
    }
  });
  describe('when DIR is not a home', () => {
    it('throws ERR_HOME_NOT_FOUND', async () => {
      await expect(setConfigValue(join(root, 'none'), 'jurisdiction', 'EU')).rejects.toThrow(
        code('ERR_HOME_NOT_FOUND'),
      );
    });
  });
});
