import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../node/log/index.ts';
import { openPgLogDb } from '../../../../node/log/postgres/open.ts';
import type { PostgresStoreSpec } from '../../../../node/log/store.ts';
import { utf8 } from '../../../../protocol/encoding/bytes.ts';
import { MemoryTree } from '../../../../protocol/log/index.ts';
import { describeWithPostgres, usePostgres } from '../../../helpers/postgres.ts';
import { items, leafBytes, ORIGIN, signer, until } from '../helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });

function rootOf(n: number): Uint8Array {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafBytes(i));
  return t.root();
}

describeWithPostgres('PgLogDb', () => {
  const server = usePostgres();
  let schemas = 0;
  const fresh = async (): Promise<PostgresStoreSpec> => ({
    driver: 'postgres',
    url: await server().createDatabase('pgdb'),
    schema: `s_${++schemas}`,
  });

  describe('when the server is stopped under a running log, then started again', () => {
    it('answers ERR_LOG_UNAVAILABLE / ERR_STORE_UNAVAILABLE while it is away, then recovers without losing anything', async () => {
      const events: string[] = [];
      const log = new AuditLog({
        store: await fresh(),
        signer,
        origin: ORIGIN,
        checkpointIntervalMs: 3_600_000,
        reopenDelayMs: 20,
        onEvent: (e) => events.push(e),
      });
      await log.start();
      await log.append(items(0, 10));
      await server().stop('fast');
      try {
        await expect(log.entry(3)).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
        await expect(log.append(items(10, 5))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        expect(log.health()).toMatchObject({ writable: false, fault: { fatal: false } });
        await expect(log.append(items(10, 5))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
      } finally {
        await server().start();
      }
      await until(() => log.health().writable, 30_000);
      expect(events).toContain('log:recovered');
      const [next] = await log.append(items(10, 1));
      expect(next?.index).toBe(10); // the refused appends took no index
      expect(await log.treeHash(11)).toEqual(rootOf(11));
      expect((await log.fsck()).ok).toBe(true);
      await log.stop();
    });
  });

  describe("when the writer's connection is terminated (the lock is gone with it)", () => {
    it('faults the session at the next write, takes the lock again and continues the same tree', async () => {
      const spec = await fresh();
      const log = new AuditLog({
        store: spec,
        signer,
        origin: ORIGIN,
        checkpointIntervalMs: 3_600_000,
        reopenDelayMs: 20,
      });
      await log.start();
      await log.append(items(0, 4));
      const db = new URL(spec.url).pathname.slice(1);
      const killed = await server().sql<{ n: string }>(
        `SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'govfed' AND pid <> pg_backend_pid()`,
        [db],
      );
      expect(Number(killed[0]?.n)).toBeGreaterThan(0);
      await expect(log.append(items(4, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
      await until(() => log.health().writable, 30_000);
      await log.append(items(4, 2));
      expect(log.size).toBe(6);
      expect(await log.treeHash(6)).toEqual(rootOf(6));
      await log.stop();
    });
  });

  describe('when a second process opens the same schema', () => {
    it('refuses it with ERR_ALREADY_RUNNING while the first one runs', async () => {
      const spec = await fresh();
      const a = new AuditLog({ store: spec, signer, origin: ORIGIN });
      await a.start();
      await expect(new AuditLog({ store: spec, signer, origin: ORIGIN }).start()).rejects.toThrow(
        code('ERR_ALREADY_RUNNING'),
      );
      await a.stop();
      const b = new AuditLog({ store: spec, signer, origin: ORIGIN });
      await b.start();
      await b.stop();
    });
  });

  describe('when opened read-only', () => {
    it('takes no lock and cannot write', async () => {
      const spec = await fresh();
      const w = await openPgLogDb(spec);
      await w.put('k', utf8('v'));
      const r = await openPgLogDb(spec, { readOnly: true, mustExist: true });
      expect(await r.get('k')).toEqual(utf8('v'));
      await expect(r.put('k', utf8('x'))).rejects.toThrow(/read-only/);
      await r.close();
      await w.close();
    });
  });

  describe('when the database cannot be reached', () => {
    it('fails to open with ERR_STORE_UNAVAILABLE, naming no password', async () => {
      const spec: PostgresStoreSpec = { driver: 'postgres', url: 'postgres://govfed:s3cret@127.0.0.1:1/nope' };
      const err = await openPgLogDb(spec).catch((e: unknown) => e);
      expect(err).toEqual(code('ERR_STORE_UNAVAILABLE'));
      expect((err as Error).message).not.toContain('s3cret');
    });
  });
});
