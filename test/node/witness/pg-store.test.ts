/**
 * The witness's store in PostgreSQL (node/witness/pg-store.ts) on a real server: what one leader stores
 * the next one reads; writes fenced by the writer lease; a missing store is ERR_WITNESS_STATE_MISSING
 * and a damaged row ERR_WITNESS_STORE_CORRUPT, as on LevelDB.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PgWitnessStore } from '../../../node/witness/pg-store.ts';
import type { Envelope } from '../../../protocol/federation/index.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const ORIGIN = 'example.org/log/one';
const cosigned = (size: number) => ({
  size,
  rootHash: new Uint8Array(32).fill(size),
  note: `${ORIGIN}\n${size}\n…\n`,
  cosigned: `${ORIGIN}\n${size}\n…\n— witness sig\n`,
});
const alert: Envelope = { payloadType: 'application/vnd.govfed.alert', payload: 'e30=', signatures: [] } as Envelope;

const schemas: StateSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
});

describeWithPostgres('PgWitnessStore', () => {
  const server = usePostgres();
  const fresh = async () => {
    const s = await stateSchema(server(), 'wit');
    schemas.push(s);
    return s;
  };

  describe('when a leader stores and the next leader opens', () => {
    it('reads every kind of row back: cosigned, witnessed, alerts, external logs', async () => {
      const s = await fresh();
      const a = await s.take('a');
      const first = new PgWitnessStore(s.open(() => a));
      await first.open();
      expect(await first.cosigned(ORIGIN)).toBeUndefined();
      await first.setCosigned(ORIGIN, cosigned(7));
      await first.setWitnessed(ORIGIN, { size: 7, note: 'witnessed note' });
      await first.addAlert(ORIGIN, 'ab12', alert);
      await first.setExternalLogs(['other.example+abcd+key']);
      await first.close();

      await s.expireLease();
      const b = await s.take('b');
      const next = new PgWitnessStore(s.open(() => b));
      await next.open({ mustExist: true });
      expect(await next.cosigned(ORIGIN)).toEqual(cosigned(7));
      expect(await next.witnessed()).toEqual(new Map([[ORIGIN, { size: 7, note: 'witnessed note' }]]));
      expect(await next.alerts()).toEqual([{ origin: ORIGIN, id: 'ab12', envelope: alert }]);
      expect(await next.externalLogs()).toEqual(['other.example+abcd+key']);
    });
  });

  describe('when the former leader writes after the lease passed on', () => {
    it('is ERR_LEASE_LOST and the cosignature is not stored', async () => {
      const s = await fresh();
      const a = await s.take('a');
      const stale = new PgWitnessStore(s.open(() => a));
      await stale.open();
      await stale.setCosigned(ORIGIN, cosigned(3));
      await s.expireLease();
      const b = await s.take('b');
      await expect(stale.setCosigned(ORIGIN, cosigned(9))).rejects.toThrow(code('ERR_LEASE_LOST'));
      await expect(stale.addAlert(ORIGIN, 'cd34', alert)).rejects.toThrow(code('ERR_LEASE_LOST'));
      const next = new PgWitnessStore(s.open(() => b));
      await next.open({ mustExist: true });
      expect((await next.cosigned(ORIGIN))?.size).toBe(3);
      expect(await next.alerts()).toEqual([]);
    });
  });

  describe('when a follower (no lease) opens a store that was never made', () => {
    it('is ERR_NOT_LEADER: it cannot make the store', async () => {
      const s = await fresh();
      await s.take('leader');
      await expect(new PgWitnessStore(s.open(() => undefined)).open()).rejects.toThrow(code('ERR_NOT_LEADER'));
    });
  });

  describe('when the node is in a federation but the store is gone', () => {
    it('is ERR_WITNESS_STATE_MISSING, and nothing is made', async () => {
      const s = await fresh();
      const a = await s.take('a');
      const made = new PgWitnessStore(s.open(() => a));
      await made.open();
      await made.setCosigned(ORIGIN, cosigned(5));
      await server().sql(`DELETE FROM ${s.schema}.witness_kv`, [], s.dbName); // lost with a partial restore
      const again = new PgWitnessStore(s.open(() => a));
      await expect(again.open({ mustExist: true })).rejects.toThrow(code('ERR_WITNESS_STATE_MISSING'));
      const rows = await server().sql(`SELECT k FROM ${s.schema}.witness_kv`, [], s.dbName);
      expect(rows).toEqual([]);
    });
  });

  describe('when a row is damaged', () => {
    it.each([
      ['s/example.org/log/one', '{"size":-1,"rootHash":"","note":"","cosigned":""}'],
      ['s/example.org/log/one', 'not json'],
      ['w/example.org/log/one', '{"size":"7"}'],
      ['logs', '{"logs":[1]}'],
      ['x/what', '{}'],
    ])('%s = %s is ERR_WITNESS_STORE_CORRUPT at open', async (k, v) => {
      const s = await fresh();
      const a = await s.take('a');
      await new PgWitnessStore(s.open(() => a)).open();
      await server().sql(`INSERT INTO ${s.schema}.witness_kv (k, v) VALUES ($1, $2)`, [k, v], s.dbName);
      await expect(new PgWitnessStore(s.open(() => a)).open({ mustExist: true })).rejects.toThrow(
        code('ERR_WITNESS_STORE_CORRUPT'),
      );
    });
  });
});
