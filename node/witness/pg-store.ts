/**
 * The witness's storage on a home whose log is in PostgreSQL: rows of `<schema>.witness_kv (k, v)` in
 * the log's database (migration 5), with the same keys and JSON values as the LevelDB store (store.ts):
 *
 *     created          when the store was made (its presence is what "the store exists" means)
 *     s/<origin>       the latest checkpoint this witness cosigned for the origin
 *     w/<origin>       the newest witnessed checkpoint of the origin this node holds
 *     a/<origin>/<hex> an equivocation alert (DSSE envelope JSON)
 *     logs             {logs: [verifier keys]}: logs outside the federation this node witnesses
 *
 * Only the process holding the org's writer lease runs the witness; every write is one transaction
 * fenced by that lease (node/home/pg-state.ts `fenced`: ERR_LEASE_LOST / ERR_NOT_LEADER, nothing
 * written), so a former leader that wakes up can never record — and so never hand out — a cosignature
 * the next leader does not know of. A new leader opens the store and reads every row again.
 *
 * The error behaviour of the LevelDB store is kept: when the node is in a federation (`mustExist`) and
 * the schema holds no `created` row — the rows were deleted, or the database restored without them —
 * it is ERR_WITNESS_STATE_MISSING, never a fresh empty store that could cosign a smaller or conflicting
 * tree; a row that does not parse as what its key says is ERR_WITNESS_STORE_CORRUPT. Both stop the node
 * at start. (`govfed witness reset` works on the LevelDB store only.)
 */
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import type { Envelope } from '../../protocol/federation/index.ts';
import { NodeError } from '../errors.ts';
import type { PgStateDb } from '../home/pg-state.ts';
import { quoteIdent } from '../log/postgres/migrations.ts';
import type { CosignedState, WitnessedCheckpoint, WitnessStorage } from './store.ts';

const CREATED = 'created';
const LOGS = 'logs';
/** Rows read at open (a witness holds a few rows per member log and alert). */
const MAX_ROWS = 100_000;

type Stored = { size: number; rootHash: string; note: string; cosigned: string };

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Throws unless the row `k` holds what its key says (the checks the LevelDB store's readers rely on). */
function checkRow(k: string, v: string): void {
  const o = JSON.parse(v) as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new Error('not a JSON object');
  if (k === CREATED) return;
  if (k === LOGS) {
    if (!Array.isArray(o.logs) || !o.logs.every((x) => typeof x === 'string')) throw new Error('not {logs: [keys]}');
  } else if (k.startsWith('s/')) {
    if (!isCount(o.size) || typeof o.rootHash !== 'string' || fromBase64(o.rootHash).length !== 32) {
      throw new Error('not a cosigned state');
    }
    if (typeof o.note !== 'string' || typeof o.cosigned !== 'string') throw new Error('not a cosigned state');
  } else if (k.startsWith('w/')) {
    if (!isCount(o.size) || typeof o.note !== 'string') throw new Error('not a witnessed checkpoint');
  } else if (k.startsWith('a/')) {
    if (k.lastIndexOf('/') <= 2 || typeof o.payload !== 'string') throw new Error('not an alert');
  } else {
    throw new Error('an unknown key');
  }
}

export class PgWitnessStore implements WitnessStorage {
  readonly #db: PgStateDb;
  readonly #table: string;
  #open = false;
  #cosigned = new Map<string, CosignedState>();

  constructor(db: PgStateDb) {
    this.#db = db;
    this.#table = `${quoteIdent(db.schema)}.witness_kv`;
  }

  get where(): string {
    return this.#table;
  }

  /** Reads and checks every row; makes the store (its `created` row) unless it `mustExist`. See the top. */
  async open(opts: { mustExist?: boolean } = {}): Promise<void> {
    const r = await this.#db.query<{ k: string; v: string }>(
      'open the witness store',
      `SELECT k, v FROM ${this.#table} LIMIT ${MAX_ROWS + 1}`,
    );
    const rows = new Map(r.rows.map((row) => [row.k, row.v]));
    if (!rows.has(CREATED)) {
      if (opts.mustExist === true) {
        throw new NodeError(
          'ERR_WITNESS_STATE_MISSING',
          `the witness store ${this.#table} is missing, but this node is in a federation: its witness has ` +
            'cosigned checkpoints, and a new empty store could cosign a smaller or conflicting tree of the same ' +
            'log. Restore the database from a backup that has it. See "Storage faults and recovery" in ' +
            'docs/operators-guide.md.',
        );
      }
      await this.#put(CREATED, JSON.stringify({ time: new Date().toISOString() }), 'make the witness store', true);
    }
    const corrupt = (why: string) =>
      new NodeError(
        'ERR_WITNESS_STORE_CORRUPT',
        `the witness store ${this.#table} is damaged (${why}). Restore the database from a backup. See ` +
          '"Storage faults and recovery" in docs/operators-guide.md.',
      );
    if (rows.size > MAX_ROWS) throw corrupt(`more than ${MAX_ROWS} rows`);
    const cosigned = new Map<string, CosignedState>();
    for (const [k, v] of rows) {
      try {
        checkRow(k, v);
      } catch (err) {
        throw corrupt(`row ${JSON.stringify(k.slice(0, 200))}: ${(err as Error).message}`);
      }
      if (k.startsWith('s/')) {
        const s = JSON.parse(v) as Stored;
        cosigned.set(k.slice(2), { ...s, rootHash: fromBase64(s.rootHash) });
      }
    }
    this.#cosigned = cosigned;
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
    this.#cosigned.clear();
  }

  #check(): void {
    if (!this.#open) throw new NodeError('ERR_SHUTTING_DOWN', 'the witness store is closed');
  }

  /** Upserts one row in a fenced transaction (`onlyNew`: keep a row that exists). */
  async #put(k: string, v: string, what: string, onlyNew = false): Promise<void> {
    await this.#db.fenced(what, async (c) => {
      await c.query(
        `INSERT INTO ${this.#table} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO ${onlyNew ? 'NOTHING' : 'UPDATE SET v = EXCLUDED.v'}`,
        [k, v],
      );
    });
  }

  async #prefixed(prefix: string): Promise<{ k: string; v: string }[]> {
    this.#check();
    const r = await this.#db.query<{ k: string; v: string }>(
      'read the witness store',
      `SELECT k, v FROM ${this.#table} WHERE starts_with(k, $1) ORDER BY k COLLATE "C"`,
      [prefix],
    );
    return r.rows;
  }

  /** The cosigned state of `origin` (all read at open, then kept: only the lease holder writes it). */
  async cosigned(origin: string): Promise<CosignedState | undefined> {
    this.#check();
    return this.#cosigned.get(origin);
  }

  async setCosigned(origin: string, s: CosignedState): Promise<void> {
    this.#check();
    const value = JSON.stringify({ size: s.size, rootHash: toBase64(s.rootHash), note: s.note, cosigned: s.cosigned });
    await this.#put(`s/${origin}`, value, 'record a cosignature');
    this.#cosigned.set(origin, { ...s, rootHash: s.rootHash.slice() });
  }

  async witnessed(): Promise<Map<string, WitnessedCheckpoint>> {
    const out = new Map<string, WitnessedCheckpoint>();
    for (const { k, v } of await this.#prefixed('w/')) out.set(k.slice(2), JSON.parse(v) as WitnessedCheckpoint);
    return out;
  }

  async setWitnessed(origin: string, w: WitnessedCheckpoint): Promise<void> {
    this.#check();
    await this.#put(`w/${origin}`, JSON.stringify(w), 'record a witnessed checkpoint');
  }

  async alerts(): Promise<{ origin: string; id: string; envelope: Envelope }[]> {
    return (await this.#prefixed('a/')).map(({ k, v }) => {
      const at = k.lastIndexOf('/');
      return { origin: k.slice(2, at), id: k.slice(at + 1), envelope: JSON.parse(v) as Envelope };
    });
  }

  async addAlert(origin: string, id: string, envelope: Envelope): Promise<void> {
    this.#check();
    await this.#put(`a/${origin}/${id}`, JSON.stringify(envelope), 'record an equivocation alert');
  }

  async externalLogs(): Promise<string[]> {
    const r = await this.#db.query<{ v: string }>(
      'read the witness store',
      `SELECT v FROM ${this.#table} WHERE k = $1`,
      [LOGS],
    );
    const v = r.rows[0]?.v;
    if (v === undefined) return [];
    try {
      checkRow(LOGS, v);
    } catch {
      throw new NodeError('ERR_INVALID_CONFIG', `${this.#table} 'logs': expected {"logs": [verifier keys]}`);
    }
    return (JSON.parse(v) as { logs: string[] }).logs;
  }

  async setExternalLogs(keys: readonly string[]): Promise<void> {
    await this.#put(LOGS, JSON.stringify({ logs: keys }), 'change the witnessed external logs');
  }
}
