/**
 * API tokens in PostgreSQL (node/home/pg-tokens.ts) on a real server: a token minted by the lease
 * holder is accepted by another process at once; a follower cannot mint; the home's tokens.json is the
 * list until the database has one, and is carried in by the first mint or adopt(); a revoked token is
 * refused from the next check on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgTokenStore } from '../../../node/home/pg-tokens.ts';
import { generateToken, writeTokensFile } from '../../../node/home/tokens.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });

const schemas: StateSchema[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A home's tokens.json holding one admin token (as `govfed init` writes it); returns its path and token. */
async function homeFile(): Promise<{ file: string; admin: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'govfed-pgtok-'));
  dirs.push(dir);
  const file = join(dir, 'tokens.json');
  const admin = generateToken('admin');
  await writeTokensFile(file, { tokens: [admin.entry] });
  return { file, admin: admin.token.token };
}

describeWithPostgres('PgTokenStore', () => {
  const server = usePostgres();
  const fresh = async () => {
    const s = await stateSchema(server(), 'tok');
    schemas.push(s);
    return s;
  };

  describe('when the leader mints a token', () => {
    it('is accepted by another process of the org (its own home) at once, with its role', async () => {
      const s = await fresh();
      const held = await s.take('leader');
      const a = await homeFile();
      const b = await homeFile(); // another home: another tokens.json, never read once the database has a list
      const leader = new PgTokenStore(
        s.open(() => held),
        { homeFile: a.file, reloadIntervalMs: 60_000 },
      );
      const follower = new PgTokenStore(
        s.open(() => undefined),
        { homeFile: b.file, reloadIntervalMs: 60_000 },
      );
      await leader.load();
      await follower.load();
      expect(await follower.verify(b.admin)).toBe('admin'); // no list in the database yet: its home's file
      const made = await leader.create('ingest');
      expect(await leader.verify(made.token)).toBe('ingest');
      // the follower's interval has not passed: the unknown well-formed token makes it check at once
      expect(await follower.verify(made.token)).toBe('ingest');
      expect(await follower.authenticate(made.token)).toEqual({ id: made.id, role: 'ingest' }); // the id the rate limit counts by
      // the leader's home file was carried in with the first mint; the follower's own file is not the list any more
      expect(await follower.verify(a.admin)).toBe('admin');
      expect(await follower.verify(b.admin)).toBeUndefined();
      expect(await follower.verify('gf_admin_not-a-token')).toBeUndefined();
    });
  });

  describe('when a follower is asked to mint', () => {
    it('refuses with ERR_NOT_LEADER and stores nothing', async () => {
      const s = await fresh();
      await s.take('the-leader');
      const h = await homeFile();
      const follower = new PgTokenStore(
        s.open(() => undefined),
        { homeFile: h.file },
      );
      await expect(follower.create('admin')).rejects.toThrow(code('ERR_NOT_LEADER'));
      const rows = await server().sql(`SELECT name FROM ${s.schema}.node_state`, [], s.dbName);
      expect(rows).toEqual([]);
    });
  });

  describe('when the leader adopts its home file and then revokes a token', () => {
    it('every process refuses the revoked token from its next check', async () => {
      const s = await fresh();
      const held = await s.take('leader');
      const h = await homeFile();
      const leader = new PgTokenStore(
        s.open(() => held),
        { homeFile: h.file },
      );
      expect(await leader.adopt()).toBe(true);
      expect(await leader.adopt()).toBe(false); // the database has a list: nothing is carried again
      const made = await leader.create('auditor');
      const other = new PgTokenStore(
        s.open(() => undefined),
        { homeFile: join(tmpdir(), 'none.json'), reloadIntervalMs: 0 },
      );
      await other.load();
      expect(await other.verify(made.token)).toBe('auditor');
      expect(await other.verify(h.admin)).toBe('admin');
      await leader.revoke(made.id);
      expect(await other.verify(made.token)).toBeUndefined();
      await expect(leader.revoke(made.id)).rejects.toThrow(code('ERR_NOT_FOUND'));
    });
  });
});
