/**
 * `govfed init --store … --shared`, `govfed ha add-process` and `govfed config set store.shared` as an
 * operator runs them: the real CLI on real homes. Nothing connects to the database (the URL names a host
 * that is never dialled); the processes on a real PostgreSQL are test/integration/ha.test.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, ROOT, removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { govfedLines, parseGovfed } from '../../helpers/govfed-lines.ts';

const STORE = 'postgres://govfed:pw@db.invalid:5432/govfed';
let tmp: string;
let a: string;

beforeAll(async () => {
  tmp = await makeTempDir('govfed-ha-cli-');
  a = path.join(tmp, 'acme-a');
  const r = await runCli(['init', '--home', a, '--org', 'acme', '--store', STORE, '--shared', '--json']);
  expect(r.code, r.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  if (tmp !== undefined) await removeDir(tmp);
});

const config = async (home: string) => JSON.parse(await readFile(path.join(home, 'config.json'), 'utf8'));

describe('govfed init --shared', () => {
  it('writes store.shared with the store; the password only to keys/store.password', async () => {
    expect((await config(a)).store).toEqual({
      driver: 'postgres',
      url: 'postgres://govfed@db.invalid:5432/govfed',
      shared: true,
    });
    expect(await readFile(path.join(a, 'keys', 'store.password'), 'utf8')).toBe('pw\n');
  });
  it('is a usage error without --store (exit 2) and makes no home', async () => {
    const home = path.join(tmp, 'solo');
    const r = await runCli(['init', '--home', home, '--org', 'solo', '--shared', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_USAGE' });
    await expect(stat(home)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('govfed ha add-process', () => {
  it('is listed by govfed help and has its own help', async () => {
    const help = await runCli(['help']);
    expect(help.stdout).toContain('ha add-process');
    const own = await runCli(['ha', 'add-process', '--help']);
    expect(own.code).toBe(0);
    for (const s of ['--from DIR', '--home NEW', 'store.shared', 'ERR_STORE_NOT_SHARED', 'ERR_HOME_EXISTS']) {
      expect(own.stdout).toContain(s);
    }
  });

  it('makes a home of the same node with the new addresses (--json), which starts as that node', async () => {
    const b = path.join(tmp, 'acme-b');
    const r = await runCliJson<Record<string, unknown>>([
      'ha',
      'add-process',
      '--from',
      a,
      '--home',
      b,
      '--api',
      '127.0.0.1:7380',
      '--listen',
      '/ip4/127.0.0.1/tcp/7381',
      '--json',
    ]);
    const ca = await config(a);
    expect(r).toMatchObject({
      home: b,
      from: a,
      org: 'acme',
      origin: ca.origin,
      peerId: ca.peerId,
      api: '127.0.0.1:7380',
      listen: '/ip4/127.0.0.1/tcp/7381',
      storePassword: true,
    });
    expect(await config(b)).toEqual({ ...ca, api: '127.0.0.1:7380', listen: '/ip4/127.0.0.1/tcp/7381' });
    expect((await stat(path.join(b, 'keys', 'log.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(b, 'keys'))).mode & 0o777).toBe(0o700);
    // the new home is a home to the other commands (it signs its member card with the copied peer key)
    const card = await runCliJson<{ card: { peerId: string; addresses: string[] } }>([
      'member',
      'card',
      '--home',
      b,
      '--json',
    ]);
    expect(card.card.peerId).toBe(ca.peerId);
  });

  it('prints what to do next, and warns that the addresses are the first home’s when none are given', async () => {
    const r = await runCli(['ha', 'add-process', '--from', a, '--home', path.join(tmp, 'acme-c')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('on the same machine give --api and --listen');
    expect(r.stdout).toContain(`govfed start --home ${path.join(tmp, 'acme-c')}`);
  });

  describe('when it cannot', () => {
    it('refuses an existing NEW with ERR_HOME_EXISTS (exit 4)', async () => {
      const r = await runCli(['ha', 'add-process', '--from', a, '--home', a, '--json']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_HOME_EXISTS' });
    });
    it('refuses a home on the embedded LevelDB with ERR_STORE_NOT_SHARED (exit 4) saying how', async () => {
      const solo = path.join(tmp, 'solo-db');
      expect((await runCli(['init', '--home', solo, '--org', 'solo'])).code).toBe(0);
      const r = await runCli(['ha', 'add-process', '--from', solo, '--home', path.join(tmp, 'solo-b')]);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('ERR_STORE_NOT_SHARED');
      expect(r.stderr).toContain('govfed store migrate');
      await expect(stat(path.join(tmp, 'solo-b'))).rejects.toMatchObject({ code: 'ENOENT' });
    });
    it('refuses PostgreSQL for one process until config set store.shared true, then makes the home', async () => {
      const one = path.join(tmp, 'one');
      expect((await runCli(['init', '--home', one, '--org', 'one', '--store', STORE])).code).toBe(0);
      const two = path.join(tmp, 'one-b');
      const refused = await runCli(['ha', 'add-process', '--from', one, '--home', two, '--json']);
      expect(refused.code).toBe(4);
      expect(JSON.parse(refused.stdout)).toMatchObject({ code: 'ERR_STORE_NOT_SHARED' });
      expect(JSON.parse(refused.stdout).message).toContain(`govfed config set --home ${one} store.shared true`);
      const set = await runCliJson(['config', 'set', '--home', one, 'store.shared', 'true', '--json']);
      expect(set).toMatchObject({ key: 'store.shared', previous: 'false', value: 'true', changed: true });
      const made = await runCli(['ha', 'add-process', '--from', one, '--home', two]);
      expect(made.code, made.stderr).toBe(0);
      expect((await config(two)).store.shared).toBe(true);
    });
    const usage: [string, string[]][] = [
      ['no --from', ['--home', 'x']],
      ['no --home', ['--from', 'x']],
      ['a bad --api', ['--from', 'x', '--home', 'y', '--api', 'localhost']],
      ['a bad --listen', ['--from', 'A', '--home', 'y', '--listen', '0.0.0.0:7371']],
    ];
    for (const [what, args] of usage) {
      it(`is a usage error (exit 2) for ${what}`, async () => {
        const argv = args.map((w) => (w === 'A' ? a : w === 'y' ? path.join(tmp, 'never') : w));
        const r = await runCli(['ha', 'add-process', ...argv, '--json']);
        expect(r.code).toBe(2);
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_USAGE' });
        await expect(stat(path.join(tmp, 'never'))).rejects.toMatchObject({ code: 'ENOENT' });
      });
    }
  });
});

describe('govfed config set store.shared', () => {
  it('is refused for a home on the embedded LevelDB (exit 2) and changes nothing', async () => {
    const solo = path.join(tmp, 'solo-cfg');
    expect((await runCli(['init', '--home', solo, '--org', 'solo'])).code).toBe(0);
    const before = await readFile(path.join(solo, 'config.json'), 'utf8');
    const r = await runCli(['config', 'set', '--home', solo, 'store.shared', 'true', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).message).toContain('store migrate');
    expect(await readFile(path.join(solo, 'config.json'), 'utf8')).toBe(before);
  });
});

describe("docs/operators-guide.md, 'Running an org's node highly available'", () => {
  it('uses only command lines the CLI takes, and the recipe makes the homes the way these tests do', async () => {
    const guide = await readFile(path.join(ROOT, 'docs', 'operators-guide.md'), 'utf8');
    const at = guide.indexOf("## Running an org's node highly available");
    expect(at).toBeGreaterThan(0);
    const section = guide.slice(at, guide.indexOf('\n## ', at + 1));
    const recipe = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = govfedLines(recipe);
    const names = lines.map((argv) => parseGovfed(argv));
    expect(names).toEqual(['init', 'ha add-process', 'start']);
    expect(lines[0]).toEqual(expect.arrayContaining(['--store', '--shared']));
    for (const m of section.matchAll(/`govfed ([^`]+)`/g)) {
      // usage notation: [optional parts] dropped, … stands for a value
      const words = (m[1] as string)
        .replace(/\s*\[[^\]]*\]/g, '')
        .replace(/…/g, 'X')
        .split(/\s+/);
      expect(() => parseGovfed(words), m[1]).not.toThrow();
    }
  });
});
