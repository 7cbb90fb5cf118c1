/**
 * The CLI's token commands (`govfed token create|list|revoke --home DIR`) for either kind of home: the
 * embedded default edits DIR/tokens.json (tokens.ts); a home whose log is in PostgreSQL edits the org's
 * one token list in the database (pg-tokens.ts), which every process of the org reads. There, minting
 * and revoking are fenced writes: with every process of the org stopped the command takes the writer
 * lease for the job (offline-lease.ts); while one runs it is ERR_NOT_LEADER — use the API of the process
 * that holds the lease (POST /v1/tokens) instead.
 */
import { homePaths, readConfig } from './config.ts';
import { homeStore } from './load.ts';
import { withOfflineLease } from './offline-lease.ts';
import { PgStateDb } from './pg-state.ts';
import { PgTokenStore } from './pg-tokens.ts';
import { createToken, listTokens, type NewToken, type Role, revokeToken, type TokenInfo } from './tokens.ts';

async function pgSpecOf(dir: string) {
  const paths = homePaths(dir);
  const config = await readConfig(dir);
  const store = await homeStore(paths, config);
  return store.driver === 'postgres' ? { spec: store, homeFile: paths.tokens } : undefined;
}

export async function createHomeToken(dir: string, role: Role, opts: { ttlMs?: number } = {}): Promise<NewToken> {
  const pg = await pgSpecOf(dir);
  if (pg === undefined) return createToken(dir, role, opts);
  return withOfflineLease(pg.spec, 'token create', (db) =>
    new PgTokenStore(db, { homeFile: pg.homeFile }).create(role, opts),
  );
}

export async function revokeHomeToken(dir: string, id: string): Promise<TokenInfo> {
  const pg = await pgSpecOf(dir);
  if (pg === undefined) return revokeToken(dir, id);
  return withOfflineLease(pg.spec, 'token revoke', (db) => new PgTokenStore(db, { homeFile: pg.homeFile }).revoke(id));
}

export async function listHomeTokens(dir: string): Promise<TokenInfo[]> {
  const pg = await pgSpecOf(dir);
  if (pg === undefined) return listTokens(dir);
  const db = PgStateDb.open(pg.spec, () => undefined);
  try {
    return await new PgTokenStore(db, { homeFile: pg.homeFile }).list();
  } finally {
    await db.close();
  }
}
