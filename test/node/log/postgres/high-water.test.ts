import { describe, expect, it } from 'vitest';
import { AuditLog, HighWaterMark } from '../../../../node/log/index.ts';
import { openPgLogDb } from '../../../../node/log/postgres/open.ts';
import type { PostgresStoreSpec } from '../../../../node/log/store.ts';
import { MemoryTree } from '../../../../protocol/log/index.ts';
import { describeWithPostgres, usePostgres } from '../../../helpers/postgres.ts';
import { items, leafBytes, ORIGIN, signer } from '../helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const HOUR = 3_600_000;

function rootOf(from: number, n: number): Uint8Array {
  const t = new MemoryTree();
  for (let i = from; i < from + n; i++) t.append(leafBytes(i));
  return t.root();
}

describeWithPostgres('the high-water mark in PostgreSQL', () => {
  const server = usePostgres();
  let n = 0;
  const fresh = async (leaseMs = 600): Promise<PostgresStoreSpec> => ({
    driver: 'postgres',
    url: await server().createDatabase('hw'),
    schema: `h_${++n}`,
    leaseMs,
  });
  const sql = (spec: PostgresStoreSpec, text: string, params: unknown[] = []) =>
    server().sql<Record<string, unknown>>(text, params, new URL(spec.url).pathname.slice(1));
  const row = async (spec: PostgresStoreSpec) => {
    const [r] = await sql(spec, `SELECT origin, size, root_hash FROM ${spec.schema}.high_water`);
    return r === undefined ? undefined : { origin: r.origin, size: Number(r.size), rootHash: r.root_hash };
  };

  describe('when a standby takes over a log whose tree is not the one the first process signed', () => {
    it('refuses to start (ERR_LOG_ROLLBACK) and signs nothing: no second root for a signed size', async () => {
      const spec = await fresh();
      // Another log of the same origin and key, 10 other entries (what a damaged or swapped table holds).
      const other = { ...spec, schema: `${spec.schema}_other` };
      const o = new AuditLog({ store: other, signer, origin: ORIGIN, checkpointIntervalMs: HOUR });
      await o.start();
      await o.append(items(100, 10));
      await o.stop();

      const a = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR });
      await a.start();
      await a.append(items(0, 10));
      const signed = await a.checkpointNow();
      expect(await row(spec)).toEqual({ origin: ORIGIN, size: 10, rootHash: Buffer.from(rootOf(0, 10)) });
      const b = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR, standby: true });
      const starting = b.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      // While a still holds the lease, the log table is replaced behind its back by another tree of 10.
      await sql(spec, `DELETE FROM ${spec.schema}.log_kv`);
      await sql(spec, `INSERT INTO ${spec.schema}.log_kv SELECT * FROM ${other.schema}.log_kv`);
      await a.stop(); // nothing new to sign; releases the lease: b takes over
      expect(await starting).toEqual(code('ERR_LOG_ROLLBACK'));
      // The mark and the checkpoint a signed are unchanged; b stored no checkpoint of its own.
      expect(await row(spec)).toEqual({ origin: ORIGIN, size: 10, rootHash: Buffer.from(signed.rootHash) });
      const cps = await sql(spec, `SELECT count(*) AS n FROM ${spec.schema}.log_kv WHERE k >= 'c/' AND k < 'c/~'`);
      const otherCps = await sql(
        spec,
        `SELECT count(*) AS n FROM ${other.schema}.log_kv WHERE k >= 'c/' AND k < 'c/~'`,
      );
      expect(Number(cps[0]?.n)).toBe(Number(otherCps[0]?.n)); // only the swapped-in table's own
    });
  });

  describe('when a standby takes over a healthy log', () => {
    it('continues from the mark, and the former holder can neither append nor move the mark', async () => {
      const spec = await fresh(60_000);
      const a = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR });
      await a.start();
      await a.append(items(0, 5));
      await a.checkpointNow();
      // a is "paused" past its lease: the lease runs out while it does nothing.
      await sql(spec, `UPDATE ${spec.schema}.lease SET expires_at = now() - interval '1 second'`);
      const b = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR, standby: true });
      await b.start();
      await b.append(items(5, 3));
      const cp = await b.checkpointNow();
      expect(cp.size).toBe(8);
      expect(await row(spec)).toMatchObject({ size: 8, rootHash: Buffer.from(rootOf(0, 8)) });
      // a wakes up: its appends are refused and it signs nothing.
      await expect(a.append(items(50, 2))).rejects.toThrow();
      expect(await row(spec)).toMatchObject({ size: 8, rootHash: Buffer.from(rootOf(0, 8)) });
      await a.stop().catch(() => {});
      await b.stop();
      expect(await row(spec)).toMatchObject({ size: 8 });
    });
  });

  describe('when two marks of one schema race', () => {
    it('writes only a mark that is still the one read (else ERR_LOG_ROLLBACK); a fenced holder writes nothing', async () => {
      const spec = await fresh(60_000);
      const a = await openPgLogDb(spec, { holder: 'a' });
      const m1 = new HighWaterMark(a.highWaterMark(ORIGIN));
      const m2 = new HighWaterMark(a.highWaterMark(ORIGIN));
      expect(await m1.load()).toBeUndefined();
      expect(await m2.load()).toBeUndefined();
      await m2.raise({ size: 4, rootHash: rootOf(0, 4) });
      // m1 read no mark: another root for size 4, or a larger tree it never checked against 4, is refused.
      await expect(m1.raise({ size: 4, rootHash: rootOf(1, 4) })).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      await expect(m1.raise({ size: 6, rootHash: rootOf(1, 6) })).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      expect(await row(spec)).toMatchObject({ size: 4, rootHash: Buffer.from(rootOf(0, 4)) });

      await sql(spec, `UPDATE ${spec.schema}.lease SET expires_at = now() - interval '1 second'`);
      const b = await openPgLogDb(spec, { holder: 'b' });
      await expect(m2.raise({ size: 9, rootHash: rootOf(0, 9) })).rejects.toThrow(code('ERR_LEASE_LOST'));
      expect(await row(spec)).toMatchObject({ size: 4 });
      const mb = new HighWaterMark(b.highWaterMark(ORIGIN));
      expect(await mb.load()).toMatchObject({ size: 4 });
      await mb.raise({ size: 9, rootHash: rootOf(0, 9) });
      expect(await row(spec)).toMatchObject({ size: 9 });
      await a.close();
      await b.close();
    });
  });

  describe('when the row is for another origin', () => {
    it('refuses to start with ERR_INVALID_CONFIG', async () => {
      const spec = await fresh();
      const a = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR });
      await a.start();
      await a.stop();
      await sql(spec, `UPDATE ${spec.schema}.high_water SET origin = 'govfed/other/00000000'`);
      await expect(
        new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: HOUR }).start(),
      ).rejects.toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});
