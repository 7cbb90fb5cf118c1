/**
 * The monitor identity's key on a home whose log is in PostgreSQL (node/monitoring/monitor-identity.ts):
 * made once by the lease holder, the same key for the next leader in another home (the roster names one
 * monitor key for the org), never made by a follower — and on the embedded store still
 * DIR/keys/monitor.key. Real PostgreSQL (test/helpers/postgres.ts).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StateStorage } from '../../../node/home/state-backend.ts';
import { MONITOR_PERSON, MonitorIdentity } from '../../../node/monitoring/monitor-identity.ts';
import { toBase64 } from '../../../protocol/encoding/bytes.ts';
import { type StateSchema, stateSchema } from '../../helpers/pg-state.ts';
import { describeWithPostgres, usePostgres } from '../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const schemas: StateSchema[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const s of schemas) await s.closeAll();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** An identity over a roster double that records the person added (the roster module is not under test). */
function identity(homeDir: string, storage?: StateStorage) {
  const added: { name: string; publicKey: Uint8Array }[] = [];
  const id = new MonitorIdentity({
    homeDir,
    ...(storage === undefined ? {} : { storage }),
    org: 'acme',
    now: () => new Date('2026-01-01T00:00:00Z'),
    rosters: {
      roster: () =>
        added.length === 0
          ? undefined
          : ({
              people: added.map((p) => ({ name: p.name, role: 'risk_officer', publicKey: toBase64(p.publicKey) })),
            } as never),
      addPerson: async (p) => {
        added.push(p);
      },
    },
  });
  return { id, added };
}

async function tempHome(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'govfed-monid-'));
  dirs.push(d);
  return d;
}

describeWithPostgres('MonitorIdentity on a PostgreSQL home', () => {
  const server = usePostgres();

  it('the next leader, in another home, signs with the key the first leader made; a follower makes none', async () => {
    const s = await stateSchema(server(), 'mon');
    schemas.push(s);
    const follower = identity(await tempHome(), s.open(() => undefined).storage());
    await s.take('leader-1');
    await expect(follower.id.ensure()).rejects.toThrow(code('ERR_NOT_LEADER'));

    await s.expireLease();
    const held1 = await s.take('leader-1b');
    const home1 = await tempHome();
    const first = identity(home1, s.open(() => held1).storage());
    const key1 = await first.id.ensure();
    expect(first.added.map((p) => p.name)).toEqual([MONITOR_PERSON]);
    await expect(readFile(join(home1, 'keys', 'monitor.key'))).rejects.toThrow(); // not a file of the home

    await s.expireLease();
    const held2 = await s.take('leader-2');
    const second = identity(await tempHome(), s.open(() => held2).storage());
    const key2 = await second.id.ensure();
    expect(toBase64(key2.publicKey)).toBe(toBase64(key1.publicKey));
    expect(key2.keyid).toBe(key1.keyid);
  });
});

describe('MonitorIdentity on the embedded store', () => {
  it('keeps the key in DIR/keys/monitor.key', async () => {
    const home = await tempHome();
    await mkdir(join(home, 'keys'), { mode: 0o700 }); // a home has keys/ from init
    const { id } = identity(home);
    const key = await id.ensure();
    expect(await readFile(join(home, 'keys', 'monitor.key'), 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect((await identity(home).id.ensure()).keyid).toBe(key.keyid);
  });
});
