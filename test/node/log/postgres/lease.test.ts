import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../../../node/log/index.ts';
import { fence, leaseFree, renew, tryAcquire } from '../../../../node/log/postgres/lease.ts';
import { openPgLogDb } from '../../../../node/log/postgres/open.ts';
import type { PostgresStoreSpec } from '../../../../node/log/store.ts';
import { utf8 } from '../../../../protocol/encoding/bytes.ts';
import { describeWithPostgres, usePostgres } from '../../../helpers/postgres.ts';
import { items, ORIGIN, signer, sleep } from '../helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describeWithPostgres('the writer lease', () => {
  const server = usePostgres();
  let n = 0;
  const fresh = async (leaseMs = 600): Promise<PostgresStoreSpec> => ({
    driver: 'postgres',
    url: await server().createDatabase('lease'),
    schema: `l_${++n}`,
    leaseMs,
  });
  const dbName = (spec: PostgresStoreSpec) => new URL(spec.url).pathname.slice(1);

  describe('when the holder was paused past its lease and another process took it', () => {
    it('refuses the former holder every write (ERR_LEASE_LOST), writes nothing, and the new token is larger', async () => {
      const spec = await fresh(60_000);
      const a = await openPgLogDb(spec, { holder: 'a' });
      await a.put('k', utf8('a1'));
      // A pause longer than the lease: the lease runs out while "a" does nothing.
      await server().sql(`UPDATE ${spec.schema}.lease SET expires_at = now() - interval '1 second'`, [], dbName(spec));
      const b = await openPgLogDb(spec, { holder: 'b' });
      expect(b.leaseToken).toBeGreaterThan(a.leaseToken as bigint);
      await expect(a.put('k', utf8('a2'))).rejects.toThrow(code('ERR_LEASE_LOST'));
      const batch = a.batch();
      batch.put('x', utf8('from a'));
      await expect(batch.write({ sync: true })).rejects.toThrow();
      await b.put('k', utf8('b1'));
      expect(await b.getMany(['k', 'x'])).toEqual([utf8('b1'), undefined]);
      await a.close(); // does not release b's lease
      await expect(openPgLogDb(spec, { holder: 'c' })).rejects.toThrow(code('ERR_ALREADY_RUNNING'));
      await b.close();
    });
  });

  describe('when a standby waits for the lease', () => {
    it('takes it when the holder stops, continues the same tree and signs it', async () => {
      const spec = await fresh();
      const a = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
      await a.start();
      await a.append(items(0, 12));
      const b = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000, standby: true });
      let started = false;
      const starting = b.start().then(() => {
        started = true;
      });
      await sleep(700); // longer than the lease: a renews it, b keeps waiting
      expect(started).toBe(false);
      await a.stop();
      const t0 = Date.now();
      await starting;
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(b.size).toBe(12);
      expect(b.checkpoint().size).toBe(12);
      const [next] = await b.append(items(12, 1));
      expect(next?.index).toBe(12);
      await b.stop();
    });

    it('ends the wait when stopped', async () => {
      const spec = await fresh();
      const a = new AuditLog({ store: spec, signer, origin: ORIGIN });
      await a.start();
      const b = new AuditLog({ store: spec, signer, origin: ORIGIN, standby: true });
      const starting = b.start();
      await sleep(100);
      await b.stop();
      await expect(starting).rejects.toThrow(code('ERR_SHUTTING_DOWN'));
      await a.stop();
    });
  });

  describe("when a standby looks at the lease while the holder's write transaction runs", () => {
    it('leaseFree answers at once (no row lock), where tryAcquire waits for the transaction', async () => {
      const spec = await fresh(60_000);
      const a = await openPgLogDb(spec, { holder: 'a' });
      const schema = spec.schema as string;
      const writer = new pg.Client({ connectionString: spec.url });
      const other = new pg.Pool({ connectionString: spec.url, max: 2 });
      await writer.connect();
      try {
        // The holder's fenced write transaction: the lease row locked as fence() locks it, until COMMIT.
        await writer.query('BEGIN');
        await fence(writer, schema, { holder: 'a', token: a.leaseToken as bigint });
        // The holder's renewal does not wait for its own write transactions.
        const r0 = Date.now();
        expect(await renew(other, schema, { holder: 'a', token: a.leaseToken as bigint }, 60_000)).toBe(true);
        expect(Date.now() - r0).toBeLessThan(1000);
        const t0 = Date.now();
        expect(await leaseFree(other, schema)).toBe(false);
        expect(Date.now() - t0).toBeLessThan(1000);
        let acquired = false;
        const trying = tryAcquire(other, schema, 'b', 60_000).then((held) => {
          acquired = true;
          return held;
        });
        await sleep(500);
        expect(acquired).toBe(false); // queued behind the holder's transaction
        await writer.query('COMMIT');
        expect(await trying).toBeUndefined(); // the lease is valid: not taken
        await server().sql(`UPDATE ${schema}.lease SET expires_at = now() - interval '1 second'`, [], dbName(spec));
        expect(await leaseFree(other, schema)).toBe(true);
      } finally {
        await writer.end();
        await other.end();
        await a.close();
      }
    });
  });
});
