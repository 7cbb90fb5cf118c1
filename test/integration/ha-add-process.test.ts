/**
 * A home made by `govfed ha add-process` is the same node as the home it was made from, on a real
 * PostgreSQL: each home loaded as the daemon loads it (loadHome) gives the store, log key and origin its
 * AuditLog runs with; the two logs share the database as leader and follower, and when the first home's
 * process stops, the second home's takes the lease and signs checkpoints that verify with the first home's
 * verifier key — the continuation of one log, not a second one. (The daemons themselves, with kill -9,
 * SIGSTOP and the database restarted, are test/integration/ha.test.ts.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addProcessHome } from '../../node/home/add-process.ts';
import { setConfigValue } from '../../node/home/config-set.ts';
import { initHome } from '../../node/home/init.ts';
import { type LoadedHome, loadHome } from '../../node/home/load.ts';
import { AuditLog, type AuditLogOptions } from '../../node/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { items, until } from '../node/log/helpers.ts';

describeWithPostgres('a home made by govfed ha add-process, on a real PostgreSQL', () => {
  const server = usePostgres();
  let tmp: string;
  let a: LoadedHome;
  let b: LoadedHome;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'govfed-ha-add-'));
    const url = await server().createDatabase('haadd');
    await initHome({ dir: join(tmp, 'a'), org: 'acme', store: url, shared: true });
    await setConfigValue(join(tmp, 'a'), 'store.leaseMs', '1000'); // carried into b's home
    await addProcessHome({ from: join(tmp, 'a'), home: join(tmp, 'b'), api: '127.0.0.1:0' });
    a = await loadHome(join(tmp, 'a'));
    b = await loadHome(join(tmp, 'b'));
  }, 60_000);
  afterAll(async () => {
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  });

  const open = async (home: LoadedHome, holder: string, opts: Partial<AuditLogOptions> = {}) => {
    const log = new AuditLog({
      signer: home.signer,
      origin: home.config.origin,
      store: home.store,
      holder,
      checkpointIntervalMs: 50,
      followPollMs: 20,
      ...opts,
    });
    await log.start();
    return log;
  };

  it('loads as the same node on the same shared store', () => {
    expect(b.store).toEqual(a.store);
    expect(b.store).toMatchObject({ driver: 'postgres', shared: true, leaseMs: 1000 });
    expect(b.config.origin).toBe(a.config.origin);
    expect(b.config.peerId).toBe(a.config.peerId);
    expect(b.logPublicKey).toEqual(a.logPublicKey);
  });

  it("follows the first home's process, then takes over and continues its log", async () => {
    const verifier = parseVerifierKey(a.config.verifierKey);
    const la = await open(a, 'a');
    let available = 0;
    const lb = await open(b, 'b', { onLeaseAvailable: () => available++ });
    expect([la.role, lb.role]).toEqual(['leader', 'follower']);
    await la.append(items(0, 4));
    const fromB = await lb.append(items(4, 4)); // sequenced by the second home's process
    expect(fromB.map((e) => e.index)).toEqual([4, 5, 6, 7]);
    await until(() => lb.checkpoint().size === 8, 10_000);
    // what the follower serves was signed by the leader, and checks with the key both homes name
    expect(openCheckpoint(lb.checkpoint().note, verifier).checkpoint.size).toBe(8);
    await la.stop(); // clean: the lease is free at once
    await until(() => available === 1, 5000);
    await lb.stop();
    const leader = await open(b, 'b');
    try {
      expect(leader.role).toBe('leader');
      await leader.append(items(8, 2));
      await until(() => leader.size === 10, 5000);
      await leader.checkpointNow();
      const cp = openCheckpoint(leader.checkpoint().note, verifier).checkpoint;
      expect(cp.size).toBe(10);
      expect(cp.origin).toBe(a.config.origin);
    } finally {
      await leader.stop();
    }
  }, 60_000);
});
