/**
 * The retired logs of an org's node in two processes on one real PostgreSQL (node/daemon.ts, node/home
 * log-rotation.ts RetiredLogs): a LevelDB node that rotated its log key (the rotation's own functions,
 * test/node/home/rotated-home.ts) is moved to PostgreSQL with `govfed store migrate`, shared, and given a
 * second process with `govfed ha add-process` (which copies DIR/retired); both run as `govfed start`.
 * The follower opens its home's copy of the retired log as the leader does, so `origin=<retired origin>`
 * is answered the same by both — old code: the follower opened none and answered ERR_UNKNOWN_ORIGIN.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, killAllDaemons } from '../helpers/daemon.ts';
import { addProcess } from '../helpers/ha.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { rotatedHome } from '../node/home/rotated-home.ts';

describeWithPostgres('retired logs in every process of a shared log', () => {
  const server = usePostgres();
  let root = '';
  let oldOrigin = '';
  let oldKey = '';
  let current = '';
  let token = '';
  const procs: Record<'leader' | 'follower', DaemonProcess | undefined> = { leader: undefined, follower: undefined };

  const get = async (role: 'leader' | 'follower', url: string) => {
    const res = await (procs[role] as DaemonProcess).fetch(url, { token });
    return { status: res.status, text: await res.text() };
  };
  const json = async (role: 'leader' | 'follower', url: string) => {
    const r = await get(role, url);
    expect(r.status, `${role} ${url}: ${r.text}`).toBe(200);
    return JSON.parse(r.text);
  };

  async function roleOf(d: DaemonProcess): Promise<string | undefined> {
    const res = await d.fetch('/v1/node', { token });
    return ((await res.json()) as { process?: { role: string } }).process?.role;
  }

  async function until(what: string, cond: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await cond().catch(() => false))) {
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    const h = await rotatedHome(6, 2); // the old log: decisions d-0..d-5; the current one: d-1000, d-1001
    root = h.root;
    oldOrigin = h.old.origin;
    oldKey = h.old.verifierKey;
    current = h.next.origin;
    const dir = h.dir;
    const cli = async (...args: string[]) => {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    };
    await cli('config', 'set', '--home', dir, 'api', '127.0.0.1:0');
    await cli('config', 'set', '--home', dir, 'listen', '/ip4/127.0.0.1/tcp/0');
    const url = await server().createDatabase('haretired');
    await cli('store', 'migrate', '--home', dir, '--from', 'leveldb', '--to', url);
    await cli('config', 'set', '--home', dir, 'store.shared', 'true');
    await cli('config', 'set', '--home', dir, 'store.leaseMs', '2000');
    const b = path.join(root, 'b');
    const added = await addProcess(dir, b);
    expect(added.code, `ha add-process: ${added.stderr}`).toBe(0);
    token = (await readFile(path.join(dir, 'admin.token'), 'utf8')).trim();
    const leader = await DaemonProcess.start(dir);
    procs.leader = leader;
    await until('the first process to lead', async () => (await roleOf(leader)) === 'leader');
    const follower = await DaemonProcess.start(b);
    procs.follower = follower;
    await until('the second process to follow', async () => (await roleOf(follower)) === 'follower');
  }, 180_000);

  afterAll(async () => {
    await killAllDaemons();
    if (root !== '') await removeDir(root);
  });

  it('the follower searches the retired log as the leader does (old code: 400 ERR_UNKNOWN_ORIGIN)', async () => {
    const q = `/v1/decisions?origin=${encodeURIComponent(oldOrigin)}&limit=100`;
    const [l, f] = [await json('leader', q), await json('follower', q)];
    expect(f).toEqual(l);
    expect(f.origin).toBe(oldOrigin);
    expect(f.items.map((i: { decisionId: string }) => i.decisionId).sort()).toEqual(
      ['d-0', 'd-1', 'd-2', 'd-3', 'd-4', 'd-5'].sort(),
    );
    expect(f.otherLogs).toEqual([current]);
    const lookup = `/v1/log/lookup?decisionId=d-3&origin=${encodeURIComponent(oldOrigin)}`;
    expect(await json('follower', lookup)).toEqual(await json('leader', lookup));
  }, 60_000);

  it("the follower serves the retired log's final checkpoint, the leader's", async () => {
    const url = `/v1/log/checkpoint?origin=${encodeURIComponent(oldOrigin)}`;
    const [l, f] = [await get('leader', url), await get('follower', url)];
    expect(f.status, f.text).toBe(200);
    expect(f.text).toBe(l.text);
    const { checkpoint } = openCheckpoint(f.text, parseVerifierKey(oldKey));
    expect(checkpoint).toMatchObject({ origin: oldOrigin, size: 6 });
    // (The proofs route is not asked here: this fixture's records are not decision records, which its
    // response schema requires; test/node/api/log-of.test.ts proves a retired log's decisions.)
  }, 60_000);
});
