/**
 * `govfed store migrate` carries the node's module state into the database (node/home/state-migrate.ts),
 * with real processes and a real PostgreSQL: a LevelDB node in a federation, with a local policy and a
 * minted token, is moved; with its state directories then moved away, it starts on PostgreSQL with the
 * same federation (its witness store found in the database), policy and tokens. A broken state file stops
 * the migration before anything is written anywhere.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { callJson as call } from '../helpers/records.ts';

const nodes: TestNode[] = [];
afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

const RULES = [
  { id: 'no-risky', hook: 'decision', effect: 'deny', expression: "decision.model == 'risky@1'", message: 'no' },
];

describeWithPostgres('store migrate and the module state', () => {
  const server = usePostgres();

  it('carries federation, policy, tokens and the witness store; the node continues from the database', async () => {
    const n = await initNode('statemover', ['--listen', '/ip4/127.0.0.1/tcp/0']);
    nodes.push(n);
    let d = await DaemonProcess.start(n.home);
    const created = await call<{ status: { id: string } }>(`${d.url}/v1/federation`, n.adminToken, 'POST', {
      name: 'moved federation',
    });
    expect(created.status).toBe(200);
    expect((await call(`${d.url}/v1/policy/local`, n.adminToken, 'PUT', { rules: RULES })).status).toBe(200);
    await d.stop();
    const token = await runCliJson<{ token: string }>([
      'token',
      'create',
      '--home',
      n.home,
      '--role',
      'auditor',
      '--json',
    ]);

    const url = await server().createDatabase('statemove');
    const moved = await runCliJson<{ states: number; witnessRows: number }>([
      'store',
      'migrate',
      '--home',
      n.home,
      '--from',
      'leveldb',
      '--to',
      url,
      '--json',
    ]);
    expect(moved.states).toBeGreaterThanOrEqual(3); // federation, policy, tokens (and what else the node kept)
    expect(moved.witnessRows).toBeGreaterThanOrEqual(1); // at least the store's `created` row
    const dbName = new URL(url).pathname.slice(1);
    const names = (await server().sql<{ name: string }>('SELECT name FROM govfed.node_state', [], dbName)).map(
      (r) => r.name,
    );
    expect(names).toEqual(expect.arrayContaining(['federation', 'policy', 'tokens']));

    // The files are an archive now: moved away, the node still has its state.
    for (const f of ['federation', 'policy', 'witness', 'tokens.json']) {
      await rename(path.join(n.home, f), path.join(n.tmp, `archived-${f}`));
    }
    d = await DaemonProcess.start(n.home); // in a federation: its witness must find its store (in the database)
    const fed = await call<{ id: string; name: string }>(`${d.url}/v1/federation`, token.token, 'GET');
    expect(fed).toMatchObject({ status: 200, body: { id: created.body.status.id, name: 'moved federation' } });
    const policy = await call<{ rules: { id: string }[] }>(`${d.url}/v1/policy/local`, n.adminToken, 'GET');
    expect(policy.body.rules.map((r) => r.id)).toEqual(['no-risky']);
    await d.stop();
  }, 180_000);

  it('refuses a home with a broken state file before writing anything (config.json unchanged)', async () => {
    const n = await initNode('brokenstate');
    nodes.push(n);
    const d = await DaemonProcess.start(n.home);
    expect((await call(`${d.url}/v1/policy/local`, n.adminToken, 'PUT', { rules: RULES })).status).toBe(200);
    await d.stop();
    await writeFile(path.join(n.home, 'policy', 'state.json'), '{"version": 1, "truncated');
    const url = await server().createDatabase('brokenstate');
    const r = await runCli(['store', 'migrate', '--home', n.home, '--from', 'leveldb', '--to', url, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('ERR_INVALID_CONFIG');
    expect(JSON.parse(await readFile(path.join(n.home, 'config.json'), 'utf8')).store).toBeUndefined();
    const schema = await server().sql<{ t: string | null }>(
      "SELECT to_regclass('govfed.log_kv')::text AS t",
      [],
      new URL(url).pathname.slice(1),
    );
    expect(schema[0]?.t).toBeNull(); // nothing was created in the target database
  }, 120_000);
});
