/**
 * A key rotation across the homes of an org's node run highly available (node/ha/keys-guard.ts;
 * docs/operators-guide.md "Running an org's node highly available", "Keys"), everything real: a real
 * PostgreSQL, homes made as the recipe makes them (`govfed init --shared`, `govfed ha add-process`),
 * `govfed start` processes, the CLI.
 *
 *   - the first leader records the org's keys in the database (nothing recorded before: the upgrade path);
 *   - `govfed keys rotate` on a follower's home is refused (ERR_NOT_LEADER), nothing written;
 *   - the peer key rotated on the leader: the database names the new key, the leader runs with it, and the
 *     followers, whose homes hold the old key, stop with ERR_KEYS_OUTDATED without taking the lease;
 *   - (a) a home with the old keys does not start — even with the lease free — and writes nothing;
 *   - (b) made again with `govfed ha add-process` from the rotated home, it starts and leads.
 */
import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { formFederation, waitFor } from '../helpers/federation.ts';
import { addProcess, lastRole } from '../helpers/ha.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { getJson } from '../helpers/records.ts';

const LEASE_MS = 2000;

const nodes: TestNode[] = [];
afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

function roleOf(d: DaemonProcess): string | undefined {
  return lastRole(d.stderr)?.role;
}

const peerIdIn = async (home: string) =>
  (JSON.parse(await readFile(path.join(home, 'config.json'), 'utf8')) as { peerId: string }).peerId;

describeWithPostgres('a key rotation across the homes of an org on one PostgreSQL', () => {
  const server = usePostgres();
  let acme: TestNode;
  let url = '';
  let a: DaemonProcess;
  let b: DaemonProcess;
  let c: DaemonProcess;
  const homes: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  async function sql<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<R>(text)).rows;
    } finally {
      await client.end();
    }
  }
  const record = async () => {
    const rows = await sql<{ body: Buffer }>("SELECT body FROM govfed.node_state WHERE name = 'ha/keys'");
    const body = rows[0]?.body;
    return body === undefined
      ? undefined
      : (JSON.parse(body.toString('utf8')) as { peerId: string; witnessKey: string; by: { home: string } });
  };
  const lease = async () => (await sql<{ holder: string; token: string }>('SELECT holder, token FROM govfed.lease'))[0];
  const addProcessOfA = (home: string) => addProcess(homes.a, home);

  beforeAll(async () => {
    url = await server().createDatabase('hakeys');
    acme = await initNode('acme', ['--store', url, '--shared', '--listen', '/ip4/127.0.0.1/tcp/0']);
    nodes.push(acme);
    homes.a = acme.home;
    homes.b = path.join(acme.tmp, 'b');
    homes.c = path.join(acme.tmp, 'c');
    expect((await runCli(['config', 'set', 'store.leaseMs', String(LEASE_MS), '--home', homes.a])).code).toBe(0);
    for (const h of [homes.b, homes.c]) {
      const r = await addProcessOfA(h);
      expect(r.code, r.stderr).toBe(0);
    }
    a = await DaemonProcess.start(homes.a);
    await waitFor('a to lead', async () => roleOf(a) === 'leader' || undefined, 30_000);
    b = await DaemonProcess.start(homes.b);
    c = await DaemonProcess.start(homes.c);
    await waitFor('b and c to follow', async () => (roleOf(b) === 'follower' && roleOf(c) === 'follower') || undefined);
    // A federation of this org alone (charter threshold 1): a key rotation takes effect at once.
    await formFederation([{ daemon: a, adminToken: acme.adminToken, init: acme.init, org: 'acme', home: homes.a }]);
  }, 240_000);

  it('the first leader recorded its keys in the database (none were recorded before)', async () => {
    expect(a.stderr).toContain('"event":"ha:keys-recorded"');
    const r = await record();
    expect(r?.peerId).toBe(acme.init.peerId);
    expect(r?.witnessKey).toBe(acme.init.witnessKey);
    expect(r?.by.home).toBe(homes.a);
  });

  it("refuses 'govfed keys rotate' on a follower's home (ERR_NOT_LEADER, naming the leader): nothing written", async () => {
    const before = await record(); // (the leader writes other state meanwhile: its snapshot, the federation)
    const r = await runCli(['keys', 'rotate', '--peer', '--home', homes.b]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ERR_NOT_LEADER');
    for (const h of [homes.a, homes.b]) expect(await readdir(path.join(h, 'keys'))).not.toContain('peer.key.next');
    expect(await record()).toEqual(before);
    expect(await peerIdIn(homes.b)).toBe(acme.init.peerId);
  });

  it('rotates the peer key on the leader: recorded first, the leader runs with it, the followers stop (ERR_KEYS_OUTDATED) without taking the lease', async () => {
    const r = await runCli(['keys', 'rotate', '--peer', '--home', homes.a, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const fresh = await waitFor(
      'a to hold its new peer key',
      async () => {
        const id = await peerIdIn(homes.a);
        return id !== acme.init.peerId ? id : undefined;
      },
      60_000,
    );
    expect((await record())?.peerId).toBe(fresh);
    // The leader restarted in place with the new key, still the leader.
    await waitFor(
      'a to serve its new peer id',
      async () =>
        (await getJson<{ peerId: string }>(`${a.url}/v1/node`, acme.adminToken)).peerId === fresh || undefined,
      60_000,
    );
    // Both followers see the change and stop, with the error and the fix in their events.
    for (const [d, home] of [
      [b, homes.b],
      [c, homes.c],
    ] as const) {
      const exit = await Promise.race([
        d.exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000)),
      ]);
      expect(exit).toEqual({ code: 4, signal: null });
      expect(d.stderr).toContain('"event":"ha:keys-outdated"');
      expect(d.stderr).toContain('ERR_KEYS_OUTDATED');
      expect(d.stderr).toContain(`govfed ha add-process --from ${homes.a} --home ${home}`);
      expect(d.stderr).not.toContain('"to":"leader"'); // never took the lease
    }
    expect(a.child.exitCode).toBe(null);
    expect((await lease())?.holder).toContain(`:${a.child.pid}:`);
    await waitFor('a to lead again after its restart', async () => roleOf(a) === 'leader' || undefined, 30_000);
  }, 120_000);

  it('(a) a home with the old keys does not start, even with the lease free, and writes nothing', async () => {
    await a.stop(); // clean: the lease is released at once
    const leaseBefore = await lease();
    const version = await sql<{ v: string }>('SELECT max(version) AS v FROM govfed.node_state');
    const config = await readFile(path.join(homes.b, 'config.json'), 'utf8');
    const r = await runCli(['start', '--home', homes.b], { timeoutMs: 60_000 });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ERR_KEYS_OUTDATED');
    expect(r.stderr).toContain(`peer id ${acme.init.peerId} here`);
    expect(r.stderr).toContain(
      `govfed ha add-process --from ${homes.a} --home ${homes.b} --api 127.0.0.1:0 --listen /ip4/127.0.0.1/tcp/0`,
    );
    expect(r.stdout).not.toContain('listening on');
    expect(await lease()).toEqual(leaseBefore); // the lease was not taken
    expect(await sql<{ v: string }>('SELECT max(version) AS v FROM govfed.node_state')).toEqual(version);
    expect(await readFile(path.join(homes.b, 'config.json'), 'utf8')).toBe(config);
    expect(await readdir(homes.b)).not.toContain('api.addr');
  }, 90_000);

  it('(b) made again with ha add-process from the rotated home, it starts and leads with the new key', async () => {
    await rename(homes.b, `${homes.b}.old`);
    const r = await addProcessOfA(homes.b);
    expect(r.code, r.stderr).toBe(0);
    const fresh = (await record())?.peerId;
    expect(await peerIdIn(homes.b)).toBe(fresh);
    b = await DaemonProcess.start(homes.b);
    await waitFor('b to lead (the lease was free)', async () => roleOf(b) === 'leader' || undefined, 30_000);
    expect((await getJson<{ peerId: string }>(`${b.url}/v1/node`, acme.adminToken)).peerId).toBe(fresh);
    // and the rotated home's process follows it
    a = await DaemonProcess.start(homes.a);
    await waitFor('a to follow', async () => roleOf(a) === 'follower' || undefined, 30_000);
    expect(b.stderr).not.toContain('ha:keys-outdated');
  }, 120_000);
});
