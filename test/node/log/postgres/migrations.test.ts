import { expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../../node/log/postgres/migrations.ts';
import { openPgLogDb } from '../../../../node/log/postgres/open.ts';
import { describeWithPostgres, usePostgres } from '../../../helpers/postgres.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describeWithPostgres('migrate', () => {
  const server = usePostgres();

  it('runs every migration once, in order, recorded in schema_migrations, when processes start together', async () => {
    const url = await server().createDatabase('mig');
    // Two openers at once on two schemas and two on one: the advisory locks keep them apart.
    const opened = await Promise.allSettled([
      openPgLogDb({ driver: 'postgres', url, schema: 'a' }),
      openPgLogDb({ driver: 'postgres', url, schema: 'a' }),
      openPgLogDb({ driver: 'postgres', url, schema: 'b' }),
    ]);
    const ok = opened.filter((o) => o.status === 'fulfilled');
    const refused = opened.filter((o) => o.status === 'rejected');
    expect(ok).toHaveLength(2);
    expect(refused.map((r) => (r as PromiseRejectedResult).reason)).toEqual([code('ERR_ALREADY_RUNNING')]);
    for (const o of ok) await (o as PromiseFulfilledResult<{ close(): Promise<void> }>).value.close();
    for (const schema of ['a', 'b']) {
      const rows = await server().sql<{ version: number; name: string }>(
        `SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`,
        [],
        new URL(url).pathname.slice(1),
      );
      expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    }
    // Opening again changes nothing.
    const again = await openPgLogDb({ driver: 'postgres', url, schema: 'a' });
    await again.close();
    const n = await server().sql<{ n: string }>(
      'SELECT count(*) AS n FROM a.schema_migrations',
      [],
      new URL(url).pathname.slice(1),
    );
    expect(Number(n[0]?.n)).toBe(MIGRATIONS.length);
  });

  it('refuses a schema newer than this govfed knows with ERR_INVALID_CONFIG', async () => {
    const url = await server().createDatabase('mig');
    const db = await openPgLogDb({ driver: 'postgres', url });
    await db.close();
    await server().sql(
      `INSERT INTO govfed.schema_migrations (version, name) VALUES ($1, 'from the future')`,
      [SCHEMA_VERSION + 1],
      new URL(url).pathname.slice(1),
    );
    await expect(openPgLogDb({ driver: 'postgres', url })).rejects.toThrow(code('ERR_INVALID_CONFIG'));
  });
});
