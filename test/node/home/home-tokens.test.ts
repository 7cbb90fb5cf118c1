/**
 * The CLI's token commands on a home whose log is in PostgreSQL (node/home/home-tokens.ts), on a real
 * server: with no process running they take the writer lease for the job and edit the org's list in the
 * database (the home's tokens.json carried along); while a process holds the lease they are refused with
 * ERR_NOT_LEADER and change nothing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHomeToken, listHomeTokens, revokeHomeToken } from '../../../node/home/home-tokens.ts';
import { initHome } from '../../../node/home/init.ts';
import { PgTokenStore } from '../../../node/home/pg-tokens.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const dirs: string[] = [];
const schemas: StateSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describeWithPostgres('the token commands on a PostgreSQL home', () => {
  const server = usePostgres();

  async function pgHome(): Promise<{ dir: string; s: StateSchema }> {
    const s = await stateSchema(server(), 'cli');
    schemas.push(s);
    const tmp = await mkdtemp(join(tmpdir(), 'govfed-hometok-'));
    dirs.push(tmp);
    const dir = join(tmp, 'home');
    await initHome({ dir, org: 'tokorg', store: s.spec.url, api: '127.0.0.1:0' });
    // init names the default schema; point config.json at the test's schema
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({ ...config, store: { ...config.store, schema: s.schema } }),
    );
    return { dir, s };
  }

  describe('when no process of the org runs', () => {
    it('creates, lists and revokes in the database; every process reads the list', async () => {
      const { dir, s } = await pgHome();
      const made = await createHomeToken(dir, 'ingest');
      const listed = await listHomeTokens(dir);
      expect(listed.map((t) => t.role).sort()).toEqual(['admin', 'ingest']); // init's admin token came along
      const rows = await server().sql<{ name: string }>(`SELECT name FROM ${s.schema}.node_state`, [], s.dbName);
      expect(rows.map((r) => r.name)).toEqual(['tokens']);
      // reloadIntervalMs 0: the version is checked on every verify (the daemon's 1 s bounds a revocation's delay)
      const reader = new PgTokenStore(
        s.open(() => undefined),
        {
          homeFile: join(dir, 'nothing.json'),
          reloadIntervalMs: 0,
        },
      );
      await reader.load();
      expect(await reader.verify(made.token)).toBe('ingest');
      expect(await revokeHomeToken(dir, made.id)).toMatchObject({ id: made.id, role: 'ingest' });
      expect(await reader.verify(made.token)).toBeUndefined();
      // the lease was released after each job: a process can take it at once
      await expect(s.take('daemon')).resolves.toMatchObject({ holder: 'daemon' });
    });
  });

  describe('when a process of the org holds the lease', () => {
    it('refuses create and revoke with ERR_NOT_LEADER and changes nothing; list still works', async () => {
      const { dir, s } = await pgHome();
      await s.take('running-daemon');
      await expect(createHomeToken(dir, 'admin')).rejects.toThrow(code('ERR_NOT_LEADER'));
      await expect(createHomeToken(dir, 'admin')).rejects.toThrow(/running-daemon/);
      const [admin] = await listHomeTokens(dir);
      await expect(revokeHomeToken(dir, admin?.id as string)).rejects.toThrow(code('ERR_NOT_LEADER'));
      expect(await listHomeTokens(dir)).toHaveLength(1);
      const rows = await server().sql(`SELECT name FROM ${s.schema}.node_state`, [], s.dbName);
      expect(rows).toEqual([]);
    });
  });
});
