import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkConfig,
  formatApiAddress,
  homePaths,
  type NodeConfig,
  parseApiAddress,
  readApiAddress,
  readConfig,
} from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';

describe('parseApiAddress', () => {
  describe('when the address is well-formed', () => {
    it.each([
      ['127.0.0.1:7370', { host: '127.0.0.1', port: 7370 }],
      ['localhost:0', { host: 'localhost', port: 0 }],
      ['[::1]:65535', { host: '::1', port: 65535 }],
    ])('parses %s', (s, want) => {
      expect(parseApiAddress(s)).toEqual(want);
      expect(formatApiAddress(parseApiAddress(s))).toBe(s);
    });
  });

  describe('when the address is malformed', () => {
    it.each(['127.0.0.1', ':7370', '127.0.0.1:65536', '127.0.0.1:07370', 'a b:1', '::1:80', 42])(
      'throws ERR_INVALID_CONFIG for %j',
      (s) => {
        expect(() => parseApiAddress(s)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
      },
    );
  });
});

describe('checkConfig', () => {
  const good: NodeConfig = {
    version: 1,
    org: 'eu',
    jurisdiction: 'EU',
    origin: 'govfed/eu/0123abcd',
    api: '127.0.0.1:7370',
    listen: '/ip4/0.0.0.0/tcp/7371',
    checkpointIntervalMs: 1000,
    peerId: '12D3KooWBgreTG8mPwoTe6MqBrEuGyeRRnq4Sm84Vr4ZMaeEJsB1',
    verifierKey: 'govfed/eu/0123abcd+01234567+AQ==',
  };

  describe('when the config is valid', () => {
    it('returns it', () => {
      expect(checkConfig(good)).toEqual(good);
    });

    it('keeps the retired logs of a rotated log key', () => {
      const retiredLogs = [{ origin: 'govfed/eu/99999999', verifierKey: 'govfed/eu/99999999+01234567+AQ==' }];
      expect(checkConfig({ ...good, retiredLogs }).retiredLogs).toEqual(retiredLogs);
    });
  });

  describe('when a field is wrong or unknown', () => {
    it.each([
      { version: 2 },
      { org: 'EU' },
      { jurisdiction: 'eu' },
      { origin: 'govfed/other/0123abcd' },
      { api: 'nope' },
      { listen: '' },
      { checkpointIntervalMs: 1.5 },
      { peerId: 'not a peer id' },
      { verifierKey: 'someone-else+01234567+AQ==' },
      { extra: true },
      { retiredLogs: [] },
      { retiredLogs: [{ origin: 'govfed/eu/0123abcd', verifierKey: 'govfed/eu/0123abcd+01234567+AQ==' }] },
      { retiredLogs: [{ origin: 'govfed/other/99999999', verifierKey: 'govfed/other/99999999+01234567+AQ==' }] },
      { retiredLogs: [{ origin: 'govfed/eu/99999999', verifierKey: 'govfed/eu/11111111+01234567+AQ==' }] },
      { retiredLogs: [{ origin: 'govfed/eu/99999999', verifierKey: 'govfed/eu/99999999+0+A', dir: '/' }] },
    ])('throws ERR_INVALID_CONFIG for %j', (patch) => {
      expect(() => checkConfig({ ...good, ...patch })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    });
  });
});

describe('readConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govfed-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when config.json is not JSON', () => {
    it('throws ERR_INVALID_CONFIG', async () => {
      await writeFile(homePaths(dir).config, '{');
      await expect(readConfig(dir)).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG' });
    });
  });
});

describe('readApiAddress', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'govfed-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when a daemon wrote api.addr', () => {
    it('prefers it (the real port) over config.api', async () => {
      await initHome({ dir: join(dir, 'h'), org: 'eu', api: '127.0.0.1:0' });
      expect(await readApiAddress(join(dir, 'h'))).toBe('127.0.0.1:0');
      await writeFile(homePaths(join(dir, 'h')).apiAddr, '127.0.0.1:41234\n');
      expect(await readApiAddress(join(dir, 'h'))).toBe('127.0.0.1:41234');
    });
  });

  describe('when api.addr is garbled', () => {
    it('falls back to config.api', async () => {
      await initHome({ dir: join(dir, 'h'), org: 'eu', api: '127.0.0.1:7999' });
      await writeFile(homePaths(join(dir, 'h')).apiAddr, 'nonsense');
      expect(await readApiAddress(join(dir, 'h'))).toBe('127.0.0.1:7999');
    });
  });
});
