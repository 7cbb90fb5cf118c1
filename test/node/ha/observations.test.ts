/**
 * The followers' observations handed to the lease holder (node/ha/observations.ts) on a real PostgreSQL:
 * written by any process, taken only by the lease holder (fenced), in order, each row checked; a follower
 * keeps what the database refused and tries again.
 */
import { afterAll, expect, it } from 'vitest';
import { decodeRuns, ObservationInbox, ObservationOutbox } from '../../../node/ha/observations.ts';
import type { ObservationRun } from '../../../protocol/monitoring/observe.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const schemas: StateSchema[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
});

const run = (model: string, values: (number | string | null)[], width = 1): ObservationRun => ({
  model,
  contract: 'c1',
  shadow: false,
  width,
  values,
});

describeWithPostgres('observations from followers to the lease holder', () => {
  const server = usePostgres();

  it('hands every run to the leader in order; only the lease holder takes them; a bad row is reported', async () => {
    const st = await stateSchema(server(), 'obs');
    schemas.push(st);
    const held = await st.take('leader');
    const leaderDb = st.open(() => held);
    const followerDb = st.open(() => undefined);
    const events: string[] = [];
    const outbox = new ObservationOutbox({ db: followerDb, events: (e) => events.push(e), flushMs: 60_000 });
    outbox.push([run('a@1', [1, 2])]);
    await outbox.flush();
    outbox.push([run('a@1', [3]), run('b@1', ['x', null], 2)]);
    await outbox.flush();
    await server().sql(
      `INSERT INTO ${st.schema}.observations (body) VALUES ($1)`,
      [Buffer.from('[{"model":1}]')],
      st.dbName,
    );
    // A follower cannot take them.
    const stolen: ObservationRun[] = [];
    const wrong = new ObservationInbox({ db: followerDb, events: () => {}, observe: (r) => stolen.push(...r) });
    await expect(wrong.take()).rejects.toThrow(code('ERR_NOT_LEADER'));
    const seen: ObservationRun[] = [];
    const inbox = new ObservationInbox({
      db: leaderDb,
      events: (e) => events.push(e),
      observe: (r) => seen.push(...r),
    });
    expect(await inbox.take()).toBe(3);
    expect(seen.map((r) => [r.model, r.values])).toEqual([
      ['a@1', [1, 2]],
      ['a@1', [3]],
      ['b@1', ['x', null]],
    ]);
    expect(events).toEqual(['ha:observations-invalid']);
    expect(await inbox.take()).toBe(0); // taken once
    expect(stolen).toEqual([]);
  });

  it('keeps what the database refused and writes it at the next flush', async () => {
    const st = await stateSchema(server(), 'obs');
    schemas.push(st);
    const db = st.open(() => undefined);
    let away = true;
    const flaky = {
      schema: db.schema,
      fenced: db.fenced.bind(db),
      query: ((...args: Parameters<typeof db.query>) =>
        away ? Promise.reject(new Error('down')) : db.query(...args)) as typeof db.query,
    };
    const outbox = new ObservationOutbox({ db: flaky, events: () => {}, flushMs: 60_000 });
    outbox.push([run('a@1', [1])]);
    await outbox.flush();
    away = false;
    outbox.push([run('a@1', [2])]);
    await outbox.flush();
    const rows = await server().sql<{ body: Buffer }>(
      `SELECT body FROM ${st.schema}.observations ORDER BY id`,
      [],
      st.dbName,
    );
    expect(rows.flatMap((r) => decodeRuns(new Uint8Array(r.body)) ?? []).map((r) => r.values)).toEqual([[1], [2]]);
  });

  it('drops the oldest past its bound while the database is away, and says so', () => {
    const events: { e: string; f: unknown }[] = [];
    const outbox = new ObservationOutbox({
      db: {
        schema: 's',
        query: () => Promise.reject(new Error('down')),
        fenced: () => Promise.reject(new Error('down')),
      },
      events: (e, f) => events.push({ e, f }),
      maxHeldValues: 3,
    });
    outbox.push([run('a@1', [1, 2]), run('a@1', [3, 4])]);
    expect(events).toEqual([{ e: 'ha:observations-dropped', f: { values: 2 } }]);
  });

  it('checks rows read back', () => {
    const ok = new TextEncoder().encode(JSON.stringify([run('a@1', [1, 'x', null], 3)]));
    expect(decodeRuns(ok)).toHaveLength(1);
    for (const bad of [
      '{',
      '{}',
      '[{"model":"a","contract":"c","shadow":false,"width":2,"values":[1]}]',
      '[{"model":"a","contract":"c","shadow":false,"width":1,"values":[{}]}]',
    ]) {
      expect(decodeRuns(new TextEncoder().encode(bad)), bad).toBeUndefined();
    }
  });
});
