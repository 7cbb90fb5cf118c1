/**
 * The guard of a shared log's home against outdated keys (node/ha/keys-guard.ts) and the finishing of a
 * rotation that stopped between the database and the home (node/ha/keys-recovery.ts), on a real
 * PostgreSQL: the record written by the lease holder (fenced), compared before the log opens and again
 * under the lease, watched by a follower; nothing written on a refusal.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type KeysGuard, keysGuardOf, recordKeys } from '../../../node/ha/keys-guard.ts';
import { finishRecordedRotation } from '../../../node/ha/keys-recovery.ts';
import { keysOfConfig, parseOrgKeys } from '../../../node/ha/org-keys.ts';
import { exists } from '../../../node/home/fs.ts';
import { initHome } from '../../../node/home/init.ts';
import { newPeerKey, newWitnessKey } from '../../../node/home/keys.ts';
import { loadHome } from '../../../node/home/load.ts';
import type { PgStateDb } from '../../../node/home/pg-state.ts';
import type { Held } from '../../../node/log/postgres/lease.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const schemas: StateSchema[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const HOME = { dir: '/srv/acme-b', config: {} as never };
const config = {
  org: 'acme',
  origin: 'govfed/acme/0a1b2c3d',
  verifierKey: 'govfed/acme/0a1b2c3d+0a1b2c3d+AQID',
  peerId: '12D3KooWOld',
  witnessKey: 'govfed/acme/witness+11223344+BAUG',
  api: '127.0.0.1:7380',
  listen: '/ip4/0.0.0.0/tcp/7381',
};

describeWithPostgres('KeysGuard', () => {
  const server = usePostgres();
  const fresh = async () => {
    const s = await stateSchema(server(), 'keys');
    schemas.push(s);
    return s;
  };

  /** A guard for a home with `keys` on `st`, run by a process holding `held` (undefined: a follower). */
  function guardOn(st: StateSchema, held: Held | undefined, keys = config) {
    const events: { event: string; fields: Record<string, unknown> }[] = [];
    const outdated: unknown[] = [];
    const db = st.open(() => held);
    const guard = keysGuardOf(
      { ...HOME, config: keys, store: { ...st.spec, shared: true, leaseMs: 1000 } },
      { db },
      {
        events: (event, fields) => events.push({ event, fields: fields as Record<string, unknown> }),
        now: () => new Date('2026-12-06T07:00:00Z'),
        onOutdated: (err) => outdated.push(err),
      },
    ) as KeysGuard;
    const parts = guard.components(
      () => held !== undefined,
      () => held === undefined,
    );
    return { guard, db, events, outdated, parts };
  }
  const start = async (g: ReturnType<typeof guardOn>) => {
    await g.parts.before.service.start();
    for (const c of g.parts.after) await c.service.start();
  };
  const stop = async (g: ReturnType<typeof guardOn>) => {
    for (const c of g.parts.after) await c.service.stop();
  };
  const recorded = async (db: PgStateDb) => {
    const s = await db.read('ha/keys');
    return s === undefined ? undefined : parseOrgKeys(s.body, 'test');
  };

  it('is not made for a home whose log is not shared', () => {
    const noop = { events: () => {}, now: () => new Date(), onOutdated: () => {} };
    expect(keysGuardOf({ ...HOME, config, store: { driver: 'leveldb', dir: '/x' } }, { db: undefined }, noop)).toBe(
      undefined,
    );
  });

  describe('when no keys are recorded (a new shared home, or one from before the record)', () => {
    it('the first leader records its keys, with who and where; a follower starts and waits', async () => {
      const st = await fresh();
      const follower = guardOn(st, undefined);
      await start(follower); // nothing recorded yet: nothing to compare with
      await stop(follower);
      expect(follower.outdated).toEqual([]);
      const held = await st.take('host-a:1:aa');
      const leader = guardOn(st, held);
      await start(leader);
      const r = await recorded(leader.db);
      expect(r).toMatchObject({ ...keysOfConfig(config), by: { holder: 'host-a:1:aa', home: '/srv/acme-b' } });
      expect(leader.events.map((e) => e.event)).toEqual(['ha:keys-recorded']);
      // started again with the same keys: compared, nothing written
      const version = await leader.db.version();
      await start(guardOn(st, held));
      expect(await leader.db.version()).toBe(version);
    });
  });

  describe('when the recorded keys are not the home\u2019s (a rotation elsewhere)', () => {
    const rotated = { ...config, peerId: '12D3KooWNew' };

    it('refuses before the log opens, in any role, with ERR_KEYS_OUTDATED and the event', async () => {
      const st = await fresh();
      const held = await st.take('host-a:1:aa');
      await start(guardOn(st, held, rotated)); // the rotating home's process records the new keys
      const stale = guardOn(st, undefined);
      await expect(stale.parts.before.service.start()).rejects.toMatchObject({ code: 'ERR_KEYS_OUTDATED' });
      expect(stale.events.map((e) => e.event)).toEqual(['ha:keys-outdated']);
      expect(stale.events[0]?.fields.code).toBe('ERR_KEYS_OUTDATED');
    });

    it('refuses again under the lease (a rotation after the first check), writing nothing', async () => {
      const st = await fresh();
      const held = await st.take('host-a:1:aa');
      const rotating = guardOn(st, held, rotated);
      await start(rotating);
      const version = await rotating.db.version();
      const stale = guardOn(st, held);
      await expect(stale.parts.after[0]?.service.start()).rejects.toMatchObject({ code: 'ERR_KEYS_OUTDATED' });
      expect(await rotating.db.version()).toBe(version);
      expect((await recorded(rotating.db))?.peerId).toBe('12D3KooWNew');
    });

    it('a running follower sees the change: it reports once, and mayLead says no', async () => {
      const st = await fresh();
      const held = await st.take('host-a:1:aa');
      await start(guardOn(st, held)); // recorded: the old keys
      const follower = guardOn(st, undefined);
      await start(follower);
      expect(await follower.guard.mayLead()).toBe(true);
      const leaderDb = st.open(() => held);
      await recordKeys(leaderDb, keysOfConfig(rotated), '/srv/acme-a', new Date());
      const deadline = Date.now() + 5000;
      while (follower.outdated.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await stop(follower);
      expect(follower.outdated).toEqual([expect.objectContaining({ code: 'ERR_KEYS_OUTDATED' })]);
      expect(await follower.guard.mayLead()).toBe(false);
      expect(follower.outdated.length).toBe(1); // said once
      expect(follower.events.filter((e) => e.event === 'ha:keys-outdated').length).toBe(1);
    });
  });

  describe('recordKeys', () => {
    it('is fenced: a process without the lease writes nothing (ERR_NOT_LEADER)', async () => {
      const st = await fresh();
      const db = st.open(() => undefined);
      await expect(recordKeys(db, keysOfConfig(config), '/srv/x', new Date())).rejects.toMatchObject({
        code: 'ERR_NOT_LEADER',
      });
      expect(await db.read('ha/keys')).toBeUndefined();
    });
  });
});

describeWithPostgres('finishRecordedRotation', () => {
  const server = usePostgres();

  /** A shared home on a fresh database whose record names `change` (as after a crash mid-rotation). */
  async function crashedRotation() {
    const tmp = await mkdtemp(join(tmpdir(), 'govfed-keys-recovery-'));
    dirs.push(tmp);
    const dir = join(tmp, 'a');
    const st = await stateSchema(server(), 'recovery');
    schemas.push(st);
    await initHome({ dir, org: 'acme', store: st.spec.url, shared: true });
    const c = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    c.store.schema = st.schema; // config.json's optional store.schema: the suite's own schema
    await writeFile(join(dir, 'config.json'), `${JSON.stringify(c, null, 2)}\n`);
    const home = await loadHome(dir);
    return { dir, st, home };
  }

  it('makes the next witness key the home\u2019s when the database already names it', async () => {
    const { dir, st, home } = await crashedRotation();
    const next = newWitnessKey('acme');
    await writeFile(join(dir, 'keys', 'witness.key.next'), `${next.signerKey}\n`, { mode: 0o600 });
    const held = await st.take('host-a:1:aa');
    await recordKeys(
      st.open(() => held),
      { ...keysOfConfig(home.config), witnessKey: next.verifierKey },
      dir,
      new Date(),
    );
    expect(await finishRecordedRotation(dir)).toEqual(['witness']);
    const after = await loadHome(dir); // keys and config.json agree
    expect(after.config.witnessKey).toBe(next.verifierKey);
    expect(await exists(join(dir, 'keys', 'witness.key.next'))).toBe(false);
    const card = JSON.parse(await readFile(join(dir, 'member-card.json'), 'utf8')) as { payload: string };
    expect(Buffer.from(card.payload, 'base64').toString('utf8')).toContain(next.verifierKey); // signed again
  });

  it('makes the next peer key the home\u2019s when the database names its peer id', async () => {
    const { dir, st, home } = await crashedRotation();
    const next = await newPeerKey();
    await writeFile(join(dir, 'keys', 'peer.key.next'), next.protobuf, { mode: 0o600 });
    const held = await st.take('host-a:1:aa');
    await recordKeys(
      st.open(() => held),
      { ...keysOfConfig(home.config), peerId: next.peerId },
      dir,
      new Date(),
    );
    expect(await finishRecordedRotation(dir)).toEqual(['peer']);
    expect((await loadHome(dir)).config.peerId).toBe(next.peerId);
  });

  it('leaves a pending rotation alone while the database names the current key', async () => {
    const { dir, st, home } = await crashedRotation();
    const next = newWitnessKey('acme');
    await writeFile(join(dir, 'keys', 'witness.key.next'), `${next.signerKey}\n`, { mode: 0o600 });
    const held = await st.take('host-a:1:aa');
    await recordKeys(
      st.open(() => held),
      keysOfConfig(home.config),
      dir,
      new Date(),
    );
    const before = await readFile(join(dir, 'config.json'), 'utf8');
    expect(await finishRecordedRotation(dir)).toEqual([]);
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect(await exists(join(dir, 'keys', 'witness.key.next'))).toBe(true);
  });
});
