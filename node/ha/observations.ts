/**
 * What a follower's decisions contribute to the org's monitors (protocol/monitoring observe.ts runs),
 * handed to the lease holder, which alone runs the monitors (node/monitoring) — so a monitoring window
 * counts every process's decisions, not only the leader's.
 *
 *   follower  ObservationOutbox: the ingest pool hands it each durable batch's runs (onObserved: its
 *             decisions are sequenced); it writes them as one row of `<schema>.observations` (JSON)
 *             every flushMs — not fenced: any process may. While the database is away it keeps at most
 *             maxHeldValues values and drops the oldest beyond, said once per episode
 *             (`ha:observations-dropped`), as the monitors' own queue does under overload.
 *   leader    ObservationInbox: every pollMs it takes the oldest rows — deleted in a transaction fenced by
 *             the writer lease, so only the lease holder takes them — checks each (a run's shape and
 *             bounds), and hands the runs to its monitors in row order.
 *
 * Like the lease holder's own observations, those of an open window live in memory: a lease holder that
 * dies loses the open windows' counts (a window is stored once closed); nothing acknowledged in the log is
 * affected.
 */
import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import type { EventSink } from '../events.ts';
import type { PgStateDb } from '../home/pg-state.ts';
import type { Startable } from '../lifecycle.ts';
import { quoteIdent } from '../log/postgres/migrations.ts';

/** Most values held by a follower while the database is away. */
export const MAX_HELD_VALUES = 1_000_000;
/** Rows the lease holder takes at once. */
const TAKE = 100;
/** Bounds on a row read back. */
const MAX_RUNS = 100_000;
const MAX_WIDTH = 256;
const MAX_STRING = 256;

type Db = Pick<PgStateDb, 'schema' | 'query' | 'fenced'>;

function table(db: Db): string {
  return `${quoteIdent(db.schema)}.observations`;
}

export class ObservationOutbox implements Startable {
  readonly #db: Db;
  readonly #events: EventSink;
  readonly #flushMs: number;
  readonly #maxHeld: number;
  #held: ObservationRun[] = [];
  #heldValues = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #dropping = false;

  constructor(o: { db: Db; events: EventSink; flushMs?: number; maxHeldValues?: number }) {
    this.#db = o.db;
    this.#events = o.events;
    this.#flushMs = o.flushMs ?? 200;
    this.#maxHeld = o.maxHeldValues ?? MAX_HELD_VALUES;
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush(), this.#flushMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  /** A durable batch's runs (the ingest pool's onObserved). */
  push(runs: readonly ObservationRun[]): void {
    for (const r of runs) {
      this.#held.push(r);
      this.#heldValues += r.values.length;
    }
    let dropped = 0;
    while (this.#heldValues > this.#maxHeld && this.#held.length > 1) {
      const old = this.#held.shift() as ObservationRun;
      this.#heldValues -= old.values.length;
      dropped += old.values.length;
    }
    if (dropped > 0 && !this.#dropping) {
      this.#dropping = true;
      this.#events('ha:observations-dropped', { values: dropped });
    }
  }

  /** Writes what is held as one row (kept for the next try when the database refuses). */
  flush(): Promise<void> {
    const run = async () => {
      if (this.#held.length === 0) return;
      const runs = this.#held;
      const values = this.#heldValues;
      this.#held = [];
      this.#heldValues = 0;
      try {
        await this.#db.query(
          'hand observations to the lease holder',
          `INSERT INTO ${table(this.#db)} (body) VALUES ($1)`,
          [Buffer.from(JSON.stringify(runs))],
        );
        this.#dropping = false;
      } catch {
        this.#held = [...runs, ...this.#held];
        this.#heldValues += values;
      }
    };
    this.#flushing = this.#flushing.then(run, run);
    return this.#flushing;
  }
}

function isRun(v: unknown): v is ObservationRun {
  const r = v as Partial<ObservationRun> | null;
  if (typeof r !== 'object' || r === null) return false;
  if (typeof r.model !== 'string' || typeof r.contract !== 'string' || typeof r.shadow !== 'boolean') return false;
  if (r.model.length > MAX_STRING || r.contract.length > MAX_STRING) return false;
  if (!Number.isInteger(r.width) || (r.width as number) < 1 || (r.width as number) > MAX_WIDTH) return false;
  if (!Array.isArray(r.values) || r.values.length % (r.width as number) !== 0) return false;
  return r.values.every(
    (x) =>
      x === null || (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && x.length <= MAX_STRING),
  );
}

/** The runs of a row, or undefined when it does not check. */
export function decodeRuns(body: Uint8Array): ObservationRun[] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length > MAX_RUNS || !v.every(isRun)) return undefined;
  return v;
}

export class ObservationInbox implements Startable {
  readonly #db: Db;
  readonly #events: EventSink;
  readonly #observe: (runs: readonly ObservationRun[]) => void;
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #taking = false;
  #taken = 0;

  constructor(o: { db: Db; events: EventSink; observe: (runs: readonly ObservationRun[]) => void; pollMs?: number }) {
    this.#db = o.db;
    this.#events = o.events;
    this.#observe = o.observe;
    this.#pollMs = o.pollMs ?? 250;
  }

  /** Runs handed to the monitors so far. */
  get taken(): number {
    return this.#taken;
  }

  start(): void {
    this.#timer = setInterval(() => void this.take().catch(() => {}), this.#pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Takes the oldest rows (fenced) and hands their runs to the monitors; resolves with the rows taken. */
  async take(): Promise<number> {
    if (this.#taking) return 0;
    this.#taking = true;
    try {
      const rows = await this.#db.fenced("take the followers' observations", async (c) => {
        const r = await c.query<{ id: string; body: Buffer }>(
          `DELETE FROM ${table(this.#db)} WHERE id IN (SELECT id FROM ${table(this.#db)} ORDER BY id LIMIT ${TAKE}) RETURNING id, body`,
        );
        return r.rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      });
      for (const row of rows) {
        const runs = decodeRuns(new Uint8Array(row.body));
        if (runs === undefined) {
          this.#events('ha:observations-invalid', { id: row.id });
          continue;
        }
        this.#taken += runs.length;
        this.#observe(runs);
      }
      return rows.length;
    } finally {
      this.#taking = false;
    }
  }
}
