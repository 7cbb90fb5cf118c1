/**
 * The node's module state in PostgreSQL (node/home/pg-state.ts) on a real server: save / load / remove
 * through JsonStateFile, the change counter, fencing by the org's writer lease (a stale token writes
 * nothing, a follower is refused), the size bound, and ERR_STORE_UNAVAILABLE when the database is away.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDeparture, saveDeparture } from '../../../node/federation/departed.ts';
import { MAX_STATE_BYTES, PgStateDb } from '../../../node/home/pg-state.ts';
import type { Held } from '../../../node/log/postgres/lease.ts';
import type { PostgresStoreSpec } from '../../../node/log/store.ts';
import { PolicyStore } from '../../../node/policy/store.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const bytes = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

const schemas: StateSchema[] = [];
const opened: PgStateDb[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
  for (const db of opened) await db.close();
});

describeWithPostgres('PgStateDb', () => {
  const server = usePostgres();
  const fresh = async () => {
    const s = await stateSchema(server());
    schemas.push(s);
    return s;
  };

  describe('when the process holds the lease', () => {
    it('saves, loads and removes a state through JsonStateFile; another process reads the same', async () => {
      const st = await fresh();
      const held = await st.take('leader');
      const leader = st.open(() => held);
      const follower = st.open(() => undefined);
      const store = new PolicyStore(leader.storage());
      expect(await store.load()).toBeUndefined();
      const state = {
        version: 1 as const,
        federationId: 'ab'.repeat(32),
        bundles: [],
        pending: [],
        local: { rules: ['x'] },
        receipts: [],
        forks: [],
      };
      await store.save(state);
      expect(await new PolicyStore(follower.storage()).load()).toEqual(state);
      expect(store.where).toBe(`"${st.schema}".node_state 'policy'`);
      await store.remove();
      expect(await new PolicyStore(follower.storage()).load()).toBeUndefined();
    });

    it('counts changes: max(version) grows with every write and removal, readAll gives every state', async () => {
      const st = await fresh();
      const held = await st.take('leader');
      const db = st.open(() => held);
      expect(await db.version()).toBe(0n);
      await db.write('federation', bytes('{"a":1}'));
      const v1 = await db.version();
      expect(v1).toBeGreaterThan(0n);
      expect(await db.changedSince(v1)).toBe(false);
      await db.write('policy', bytes('{"b":2}'));
      expect(await db.changedSince(v1)).toBe(true);
      const v2 = await db.version();
      await db.remove('policy'); // the newest row removed: the counter still moves on
      expect(await db.changedSince(v2)).toBe(true);
      const all = await db.readAll();
      expect([...all.keys()]).toEqual(['federation']);
      expect(text(all.get('federation')?.body)).toBe('{"a":1}');
      expect(all.get('federation')?.version).toBe(v1);
    });

    it("reads a state with the database's clock (readTimed, clock): what a follower times snapshots by", async () => {
      const st = await fresh();
      const held = await st.take('leader');
      const leader = st.open(() => held);
      const follower = st.open(() => undefined);
      const before = Date.now(); // the server runs on this machine here: its clock is this clock
      const none = await follower.readTimed('ha/enforcement');
      expect(none.stored).toBeUndefined();
      expect(none.clockMs).toBeGreaterThanOrEqual(before - 1000);
      expect(none.clockMs).toBeLessThanOrEqual(Date.now() + 1000);
      await leader.write('ha/enforcement', bytes('{"s":1}'));
      const t0 = await follower.clock();
      const read = await follower.readTimed('ha/enforcement');
      expect(text(read.stored?.body)).toBe('{"s":1}');
      expect(read.stored?.version).toBe(await follower.version());
      expect(read.clockMs).toBeGreaterThanOrEqual(t0);
    });

    it('refuses a state above MAX_STATE_BYTES (ERR_STATE_TOO_LARGE) and keeps the previous one', async () => {
      const st = await fresh();
      const held = await st.take('leader');
      const db = st.open(() => held);
      await db.write('report', bytes('{"small":true}'));
      await expect(db.write('report', new Uint8Array(MAX_STATE_BYTES + 1))).rejects.toThrow(
        code('ERR_STATE_TOO_LARGE'),
      );
      expect(text((await db.read('report'))?.body)).toBe('{"small":true}');
    });
  });

  describe('when the federation records a departure (a named state outside JsonStateFile)', () => {
    it('the next leader reads it; the record is not in any home directory', async () => {
      const st = await fresh();
      const held = await st.take('leader');
      const d = {
        federationId: 'cd'.repeat(32),
        name: 'f',
        version: 3,
        reason: 'left' as const,
        at: '2026-01-01T00:00:00.000Z',
      };
      await saveDeparture(st.open(() => held).storage(), d);
      expect(await loadDeparture(st.open(() => undefined).storage())).toEqual(d);
      await expect(saveDeparture(st.open(() => undefined).storage(), d)).rejects.toThrow(code('ERR_NOT_LEADER'));
    });
  });

  describe('when another process took the lease (a stale token)', () => {
    it('writes nothing and throws ERR_LEASE_LOST', async () => {
      const st = await fresh();
      const old = await st.take('a');
      const a = st.open(() => old);
      await a.write('federation', bytes('{"by":"a"}'));
      const before = await a.version();
      // a's lease runs out (a pause), b takes it with a larger token
      await st.expireLease();
      const held = await st.take('b');
      expect(held.token).toBeGreaterThan(old.token);
      await expect(a.write('federation', bytes('{"by":"a again"}'))).rejects.toThrow(code('ERR_LEASE_LOST'));
      await expect(a.write('policy', bytes('{"by":"a"}'))).rejects.toThrow(code('ERR_LEASE_LOST'));
      await expect(a.remove('federation')).rejects.toThrow(code('ERR_LEASE_LOST'));
      expect(await a.version()).toBe(before);
      expect(text((await a.read('federation'))?.body)).toBe('{"by":"a"}');
      expect(await a.read('policy')).toBeUndefined();
      const b = st.open(() => held);
      await b.write('federation', bytes('{"by":"b"}'));
      expect(text((await a.read('federation'))?.body)).toBe('{"by":"b"}');
    });
  });

  describe('when the process is a follower (no lease)', () => {
    it('refuses every write with ERR_NOT_LEADER naming the holder, and reads', async () => {
      const st = await fresh();
      const held = await st.take('the-leader');
      const leader = st.open(() => held);
      await leader.write('monitoring', bytes('{"m":1}'));
      const follower = st.open(() => undefined);
      const refused = follower.write('monitoring', bytes('{"m":2}'));
      await expect(refused).rejects.toThrow(code('ERR_NOT_LEADER'));
      await expect(refused).rejects.toThrow(/the-leader/);
      await expect(follower.update('tokens', () => ({ body: bytes('{}'), result: 1 }))).rejects.toThrow(
        code('ERR_NOT_LEADER'),
      );
      expect(text((await follower.read('monitoring'))?.body)).toBe('{"m":1}');
      expect(await follower.read('tokens')).toBeUndefined();
    });
  });

  describe('when the database is away', () => {
    it('answers ERR_STORE_UNAVAILABLE for reads and writes', async () => {
      const spec: PostgresStoreSpec = { driver: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', schema: 'x' };
      const held: Held = { holder: 'h', token: 1n };
      const db = PgStateDb.open(spec, () => held);
      opened.push(db);
      await expect(db.read('federation')).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
      await expect(db.version()).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
      await expect(db.readTimed('ha/enforcement')).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
      await expect(db.clock()).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
      await expect(db.write('federation', bytes('{}'))).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
      const follower = PgStateDb.open(spec, () => undefined);
      opened.push(follower);
      await expect(follower.write('federation', bytes('{}'))).rejects.toThrow(code('ERR_STORE_UNAVAILABLE'));
    });
  });
});
