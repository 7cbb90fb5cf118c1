/**
 * A log shared by several processes of one org (PostgreSQL, `shared: true`): several AuditLogs with
 * different lease holders on one schema stand for the processes (the multi-process proof, with kill -9
 * and SIGSTOP, is test/integration/ha.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditLogOptions } from '../../../node/log/index.ts';
import type { PostgresStoreSpec } from '../../../node/log/store.ts';
import { leafHash, MemoryTree, verifyInclusion } from '../../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../../protocol/note/index.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';
import { items, leafBytes, ORIGIN, signer, sleep, verifierKey, until as waitFor } from './helpers.ts';

const verifier = parseVerifierKey(verifierKey);
const code = (c: string) => expect.objectContaining({ code: c });

describeWithPostgres('a shared log (several processes, one PostgreSQL schema)', () => {
  const server = usePostgres();
  let n = 0;
  const fresh = async (leaseMs = 1000): Promise<PostgresStoreSpec> => ({
    driver: 'postgres',
    url: await server().createDatabase('shared'),
    schema: `s_${++n}`,
    leaseMs,
    shared: true,
  });
  const dbName = (spec: PostgresStoreSpec) => new URL(spec.url).pathname.slice(1);
  const started = async (spec: PostgresStoreSpec, opts: Partial<AuditLogOptions> = {}) => {
    const log = new AuditLog({
      signer,
      origin: ORIGIN,
      store: spec,
      checkpointIntervalMs: 50,
      followPollMs: 20,
      ...opts,
    });
    await log.start();
    return log;
  };

  describe('when three processes append at once', () => {
    it('gives every entry one index, the leader integrates them all, and every process serves the same proven tree', async () => {
      const spec = await fresh();
      const a = await started(spec, { holder: 'a' });
      const b = await started(spec, { holder: 'b' });
      const c = await started(spec, { holder: 'c' });
      expect([a.role, b.role, c.role]).toEqual(['leader', 'follower', 'follower']);
      const results = await Promise.all(
        [a, b, c].flatMap((log, p) => Array.from({ length: 10 }, (_, k) => log.append(items(p * 1000 + k * 10, 10)))),
      );
      const indexes = results.flat().map((r) => r.index);
      expect(new Set(indexes).size).toBe(300);
      expect(Math.min(...indexes)).toBe(0);
      expect(Math.max(...indexes)).toBe(299);
      await waitFor(() => [b, c].every((f) => f.size === 300 && f.checkpoint().size === 300), 10_000);
      // The same tree everywhere: each entry is what was appended at the index it was given.
      const mem = new MemoryTree();
      const byIndex = new Map<number, Uint8Array>();
      results.forEach((r, i) => {
        const p = Math.floor(i / 10);
        const k = i % 10;
        r.forEach((e, j) => {
          byIndex.set(e.index, leafBytes(p * 1000 + k * 10 + j));
        });
      });
      for (let i = 0; i < 300; i++) mem.append(byIndex.get(i) as Uint8Array);
      const cp = openCheckpoint(c.checkpoint().note, verifier).checkpoint;
      expect(cp.rootHash).toEqual(mem.root());
      for (const log of [a, b, c]) {
        expect(await log.entry(123)).toEqual(byIndex.get(123));
        const proof = await log.proveInclusion(123, 300);
        expect(() =>
          verifyInclusion(123, 300, leafHash(byIndex.get(123) as Uint8Array), proof, cp.rootHash),
        ).not.toThrow();
      }
      await c.stop();
      await b.stop();
      await a.stop();
    });
  });

  describe('when the leader stops', () => {
    it('lets a follower take the lease: restarted as the holder, it integrates what the others sequenced and continues the tree', async () => {
      const spec = await fresh();
      const a = await started(spec, { holder: 'a' });
      let available = 0;
      const b = await started(spec, { holder: 'b', onLeaseAvailable: () => available++ });
      await a.append(items(0, 5));
      await b.append(items(5, 5));
      await a.stop(); // clean: releases the lease at once
      await waitFor(() => available === 1, 5000);
      // What b sequenced while no one led waits, durable, for the next holder.
      const queued = await b.append(items(10, 3));
      expect(queued.map((e) => e.index)).toEqual([10, 11, 12]);
      await b.stop();
      const b2 = await started(spec, { holder: 'b' });
      expect(b2.role).toBe('leader');
      await waitFor(() => b2.size === 13, 5000);
      expect(await b2.entry(12)).toEqual(leafBytes(12));
      await b2.checkpointNow();
      expect(b2.checkpoint().size).toBe(13);
      await b2.stop();
    });
  });

  describe('when the leader is paused past its lease and another process takes it', () => {
    it('hears it at once, integrates and signs nothing more, and never signs a size twice', async () => {
      const spec = await fresh(600);
      let lost = 0;
      const a = await started(spec, { holder: 'a', onLeaseLost: () => lost++ });
      await a.append(items(0, 4));
      const signedByA = await a.checkpointNow(); // nothing of "a" left to write when it is fenced
      expect(signedByA.size).toBe(4);
      // The pause: the lease ran out while "a" did nothing, and "b" took it (what lease.ts tryAcquire does,
      // in one statement: "a" is not really paused, and must not take its expired lease back first).
      await server().sql(
        `UPDATE ${spec.schema}.lease SET holder = 'b', token = token + 1, expires_at = now() + interval '1 minute'`,
        [],
        dbName(spec),
      );
      const b = await started(spec, { holder: 'b' });
      expect(b.role).toBe('leader');
      await waitFor(() => lost === 1, 5000);
      expect(a.writerLease()).toBeUndefined();
      await b.append(items(4, 4));
      await b.checkpointNow();
      // "a" still takes appends as a sequencer would, but its integration and signing are fenced.
      await a.append(items(8, 1)).catch(() => {});
      await expect(a.checkpointNow()).rejects.toThrow(code('ERR_LEASE_LOST'));
      await sleep(200);
      expect(a.checkpoint().size).toBe(signedByA.size);
      await waitFor(() => b.size === 9, 5000);
      const sizes: number[] = [];
      for await (const c of b.checkpoints()) sizes.push(c.size);
      expect(new Set(sizes).size).toBe(sizes.length);
      await a.stop().catch(() => {});
      await b.stop();
    });
  });

  describe('when no process has ever held the lease of a shared log', () => {
    it('a follower cannot start before the first leader signed', async () => {
      const spec = await fresh(60_000);
      // Another holder took the lease and never shared the log (a process that died at once).
      const a = await started({ ...spec, shared: false }, { holder: 'x' });
      await a.stop();
      await server().sql(
        `UPDATE ${spec.schema}.lease SET holder = 'y', expires_at = now() + interval '1 minute'`,
        [],
        dbName(spec),
      );
      const f = new AuditLog({ signer, origin: ORIGIN, store: spec, holder: 'f' });
      await f.start();
      expect(f.role).toBe('follower');
      await expect(f.append(items(0, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
      await f.stop();
    });
  });
});
