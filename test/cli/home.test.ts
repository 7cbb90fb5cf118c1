import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedArgs } from '../../cli/args.ts';
import { parsePidFile, resolveHome, resolveTarget, runningDaemon } from '../../cli/home.ts';
import { bufferIo } from '../../cli/output.ts';
import { makeTempDir, removeDir } from '../helpers/cli.ts';

function args(values: Record<string, string>): ParsedArgs {
  return { values, positionals: [] };
}

let tmp: string;
let home: string;

beforeAll(async () => {
  tmp = await makeTempDir();
  home = path.join(tmp, 'home');
  await mkdir(home);
  await writeFile(path.join(home, 'admin.token'), 'gf_admin_fromfile\n');
  // resolveTarget reads only the api address from config.json when api.addr is absent.
  await writeFile(path.join(home, 'api.addr'), '127.0.0.1:4444\n');
});

afterAll(async () => {
  await removeDir(tmp);
});

describe('resolveHome', () => {
  describe('when neither --home nor GOVFED_HOME is given', () => {
    it('is a usage error', () => {
      expect(() => resolveHome(args({}), bufferIo(), 'status')).toThrow(expect.objectContaining({ code: 'ERR_USAGE' }));
    });
  });

  describe('when both are given', () => {
    it('prefers the flag and makes it absolute', () => {
      const io = bufferIo({ GOVFED_HOME: '/env/home' });
      expect(resolveHome(args({ home: 'rel' }), io, 'status')).toBe(path.resolve('rel'));
      expect(resolveHome(args({}), io, 'status')).toBe('/env/home');
    });
  });
});

describe('resolveTarget', () => {
  describe('when only the home is given', () => {
    it("uses the daemon's bound address and the admin token from the home", async () => {
      const t = await resolveTarget(args({ home }), bufferIo(), 'status');
      expect(t).toEqual({ baseUrl: 'http://127.0.0.1:4444', token: 'gf_admin_fromfile', home });
    });
  });

  describe('when flags and environment are given', () => {
    it('prefers flags over the environment over the home', async () => {
      const io = bufferIo({ GOVFED_API: '127.0.0.1:5555', GOVFED_TOKEN: 'gf_env' });
      expect(await resolveTarget(args({ home }), io, 's')).toEqual({
        baseUrl: 'http://127.0.0.1:5555',
        token: 'gf_env',
        home,
      });
      expect(await resolveTarget(args({ home, api: '0.0.0.0:6666', token: 'gf_flag' }), io, 's')).toEqual({
        baseUrl: 'http://127.0.0.1:6666',
        token: 'gf_flag',
        home,
      });
    });
  });

  describe('when nothing says where the node is', () => {
    it('is a usage error', async () => {
      await expect(resolveTarget(args({}), bufferIo(), 'status')).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_USAGE' }),
      );
    });
  });
});

describe('parsePidFile', () => {
  describe('when the file holds a pid or {pid}', () => {
    it('returns it', () => {
      expect(parsePidFile('1234\n')?.pid).toBe(1234);
      expect(parsePidFile('{"pid": 99}')?.pid).toBe(99);
    });
  });

  describe('when it holds anything else', () => {
    it.each(['', '0', '-1', 'abc', '{"pid":"1"}', '12 34'])('returns undefined for %j', (t) => {
      expect(parsePidFile(t)).toBeUndefined();
    });
  });
});

describe('runningDaemon', () => {
  describe('when the pid file names a live process', () => {
    it('returns it', async () => {
      await writeFile(path.join(home, 'govfed.pid'), String(process.pid));
      expect(runningDaemon(home)?.pid).toBe(process.pid);
    });
  });

  describe('when the pid file is missing', () => {
    it('returns undefined', () => {
      expect(runningDaemon(tmp)).toBeUndefined();
    });
  });
});

describe('runningDaemon (stale pid file)', () => {
  describe('when the pid file names a process that has exited', () => {
    it('returns undefined', async () => {
      const { spawnSync } = await import('node:child_process');
      const dead = spawnSync(process.execPath, ['-e', '0']).pid as number;
      await writeFile(path.join(home, 'govfed.pid'), String(dead));
      expect(runningDaemon(home)).toBeUndefined();
    });
  });
});
