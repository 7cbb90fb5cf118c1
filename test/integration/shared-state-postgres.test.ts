/**
 * The module state of a node on PostgreSQL lives in the database (node/home/shared-state.ts), end to end
 * with real processes and a real server: a daemon on a PostgreSQL home creates a federation, sets a local
 * policy and mints a token; it stops; a SECOND home — only keys/ and config.json copied, no state
 * directories, no tokens.json — pointed at the same database starts and shows the same federation (its
 * witness opens the database's store: the log records a charter, so a missing one would stop it), the
 * same local policy, and accepts the tokens minted by the first.
 */
import { cp, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { callJson as call } from '../helpers/records.ts';

const nodes: TestNode[] = [];
afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

const RULES = [
  {
    id: 'no-unreviewed-high-risk',
    hook: 'decision',
    effect: 'deny',
    expression: "decision.model.startsWith('risky-') && !('humanReview' in decision.context)",
    message: 'high-risk models need human review',
  },
];

describeWithPostgres("a node's module state in PostgreSQL", () => {
  const server = usePostgres();

  it('a second home with only the keys and config continues with the same federation, policy and tokens', async () => {
    const url = await server().createDatabase('shared');
    const a = await initNode('haorg', ['--store', url, '--listen', '/ip4/127.0.0.1/tcp/0']);
    nodes.push(a);

    const first = await DaemonProcess.start(a.home);
    const created = await call<{ status: { id: string } }>(`${first.url}/v1/federation`, a.adminToken, 'POST', {
      name: 'ha federation',
    });
    expect(created.status).toBe(200);
    const federationId = created.body.status.id;
    expect(federationId).toMatch(/^[0-9a-f]{64}$/);
    const local = await call<{ version: number }>(`${first.url}/v1/policy/local`, a.adminToken, 'PUT', {
      rules: RULES,
    });
    expect(local.status).toBe(200);
    const minted = await call<{ token: string; role: string }>(`${first.url}/v1/tokens`, a.adminToken, 'POST', {
      role: 'auditor',
    });
    expect(minted.status).toBe(200);
    await first.stop();

    // Nothing of it is in the first home's state directories: it is in the database.
    const entries = await readdir(a.home);
    for (const dir of ['federation', 'policy', 'registry', 'monitoring', 'report', 'witness']) {
      expect(entries).not.toContain(dir);
    }
    const dbName = new URL(url).pathname.slice(1);
    const rows = await server().sql<{ name: string }>(
      'SELECT name FROM govfed.node_state WHERE body IS NOT NULL ORDER BY name',
      [],
      dbName,
    );
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['federation', 'policy', 'tokens']));
    const witness = await server().sql<{ k: string }>(
      "SELECT k FROM govfed.witness_kv WHERE k = 'created'",
      [],
      dbName,
    );
    expect(witness).toHaveLength(1);

    // The second home: the same org's keys and config, its own directory, none of the state.
    const home2 = path.join(a.tmp, 'home2');
    await mkdir(home2, { mode: 0o700 });
    await cp(path.join(a.home, 'keys'), path.join(home2, 'keys'), { recursive: true });
    await cp(path.join(a.home, 'config.json'), path.join(home2, 'config.json'));
    expect((await readdir(home2)).sort()).toEqual(['config.json', 'keys']);

    const second = await DaemonProcess.start(home2);
    const fed = await call<{ id: string; name: string }>(`${second.url}/v1/federation`, minted.body.token, 'GET');
    expect(fed.status).toBe(200);
    expect(fed.body).toMatchObject({ id: federationId, name: 'ha federation' });
    const policy = await call<{ version: number; rules: { id: string }[] }>(
      `${second.url}/v1/policy/local`,
      minted.body.token,
      'GET',
    );
    expect(policy.status).toBe(200);
    expect(policy.body.version).toBe(local.body.version);
    expect(policy.body.rules.map((r) => r.id)).toEqual(['no-unreviewed-high-risk']);
    // The token minted on the first process, and the first home's admin token (carried into the database),
    // work here; a made-up one does not.
    expect((await call(`${second.url}/v1/federation`, a.adminToken, 'GET')).status).toBe(200);
    const forged = `gf_admin_${'A'.repeat(43)}`;
    expect((await call(`${second.url}/v1/federation`, forged, 'GET')).status).toBe(401);
    // The auditor token is an auditor's: it cannot mint.
    expect((await call(`${second.url}/v1/tokens`, minted.body.token, 'POST', { role: 'admin' })).status).toBe(403);
    await second.stop();
    // The witness store is the database's: `witness reset` (the embedded store's way out) refuses.
    const reset = await runCli(['witness', 'reset', '--home', home2]);
    expect(reset.code).not.toBe(0);
    expect(reset.stdout + reset.stderr).toContain('PostgreSQL database');
    expect(JSON.parse(await readFile(path.join(home2, 'config.json'), 'utf8')).store.url).toBe(url);
  }, 180_000);
});
