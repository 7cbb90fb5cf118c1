/**
 * Where a home's module state lives, chosen once for the daemon (openHomeState):
 *
 *   the embedded default (LevelDB log)   the home directory, as always: DIR/<module>/state.json,
 *                                        DIR/witness/db, DIR/tokens.json, DIR/keys/monitor.key, …
 *   a log in PostgreSQL (config.store)   the log's database schema: `node_state` rows for the modules'
 *                                        states, the token list and the monitor key (pg-state.ts,
 *                                        pg-tokens.ts), `witness_kv` rows for the witness
 *                                        (node/witness/pg-store.ts)
 *
 * so that a second home of the same org — the same keys and config.json, its own DIR, on another machine
 * — pointed at the same database continues with exactly the same state when its process takes the
 * writer lease. What stays in each home: the keys (copied by the operator: they are the org's identity),
 * config.json, the retired logs (read-only) and the run files (pid, api.addr). Every write to the
 * database is fenced by the writer lease (`lease`: the log's current lease, undefined on a follower,
 * whose writes are refused with ERR_NOT_LEADER).
 */
import type { LoadedHome } from './load.ts';
import { type LeaseFn, PgStateDb } from './pg-state.ts';
import { PgTokenStore } from './pg-tokens.ts';
import { fileStateStorage, type StateStorage } from './state-backend.ts';
import { type TokenAuthority, TokenStore } from './tokens.ts';

/** What the modules get: their state storage, and the database (for the witness) on PostgreSQL. */
export interface ModuleState {
  readonly storage: StateStorage;
  /** The log's database (PostgreSQL homes); undefined on the embedded default. */
  readonly db: PgStateDb | undefined;
}

export interface HomeState extends ModuleState {
  readonly tokens: TokenAuthority;
  /** Migrates the schema (PostgreSQL), adopts the home's tokens.json when leading, loads the tokens. */
  start(): Promise<void>;
  /** By a process that just took the lease: carries the home's tokens.json in when the database has none. */
  adopt(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The state of `home`, fenced by `lease` when it is in PostgreSQL: the audit log's writer lease,
 * `() => log.writerLease()` (undefined on a follower: its writes are refused with ERR_NOT_LEADER).
 */
export function openHomeState(home: Pick<LoadedHome, 'dir' | 'paths' | 'store'>, lease: LeaseFn): HomeState {
  if (home.store.driver !== 'postgres') {
    return {
      storage: fileStateStorage(home.dir),
      db: undefined,
      tokens: TokenStore.forHome(home.dir),
      start: async () => {},
      adopt: async () => {},
      stop: async () => {},
    };
  }
  const db = PgStateDb.open(home.store, lease);
  const tokens = new PgTokenStore(db, { homeFile: home.paths.tokens });
  const adopt = async () => {
    if ((await lease()) !== undefined) await tokens.adopt();
  };
  return {
    storage: db.storage(),
    db,
    tokens,
    start: async () => {
      await db.migrate();
      await adopt();
      await tokens.load();
    },
    adopt,
    stop: () => db.close(),
  };
}
