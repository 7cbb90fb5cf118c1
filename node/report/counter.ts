/**
 * ModelCounter: this node's rolling decision counters per model version (the compliance report's signed
 * aggregates; protocol/report/counts.ts, docs/reports.md). Each decision leaf that names a registered
 * version (`modelDigest`) adds to that version's tally: decisions, denied by rule, flags by kind.
 *
 *   while running  ingest hands it what each durable batch adds (add(): node/decisions talliesOf, made
 *                  where the batch is sealed — the ingest workers — so the main thread only merges a few
 *                  numbers per batch), in log order, with the log size after the batch (`through`);
 *   at start       it reads its own log from the `through` it saved to the log's size at that moment
 *                  (catchUp(), in the background; ingest starts after that snapshot, so what it hands over
 *                  lies past it): what was appended after the last save, crash or not, is counted once;
 *   shared log     (several processes of one org, node/log follower.ts): ingest hands it nothing — the
 *                  followers' decisions never pass this process — and the lease holder counts by reading
 *                  its log after each checkpoint (catchUp() again), from `through` on, a page at a time.
 *
 * The counters and `through` are saved together (DIR/report/state.json, atomic writes) every few seconds
 * and at stop. Reading the log costs ~40 µs an entry (read a page at a time), so it is done only for that tail; a report costs one
 * statement per org and version, whatever the number of decisions. On a home whose log is in PostgreSQL
 * the state is the row 'report' of `<schema>.node_state` (node/home/pg-state.ts), saved behind the
 * writer lease.
 */
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { addTallies, countLeaf, emptyTally, type Tally } from '../../protocol/report/counts.ts';
import type { StateStorage } from '../home/state-backend.ts';
import { JsonStateFile } from '../home/state-file.ts';
import type { AuditLog } from '../log/index.ts';

/** Entries read between two yields to the event loop while catching up. */
const BATCH = 512;

export interface CounterState {
  version: 1;
  federationId: string | null;
  /** Every entry below this index is counted. */
  through: number;
  tallies: Record<string, Tally>;
  /** The newest statement signed of each version (by digest), and the tally it states. */
  statements: Record<string, { envelope: Envelope; tally: Tally; logIndex: number }>;
}

function isCounterState(v: unknown): boolean {
  const s = v as Partial<CounterState>;
  return (
    s.version === 1 &&
    (s.federationId === null || typeof s.federationId === 'string') &&
    typeof s.through === 'number' &&
    Number.isSafeInteger(s.through) &&
    s.through >= 0 &&
    typeof s.tallies === 'object' &&
    s.tallies !== null &&
    typeof s.statements === 'object' &&
    s.statements !== null
  );
}

export class CounterStore extends JsonStateFile<CounterState> {
  constructor(home: string | StateStorage) {
    super(home, 'report', 'report counters state (version 1)', isCounterState);
  }
}

export class ModelCounter {
  readonly #log: Pick<AuditLog, 'size' | 'entries'>;
  readonly #store: CounterStore;
  #state: CounterState = { version: 1, federationId: null, through: 0, tallies: {}, statements: {} };
  #tail: Promise<unknown> = Promise.resolve();
  #dirty = false;

  /** `home`: the home directory (files) or the home's state storage (node/home/state-backend.ts). */
  constructor(home: string | StateStorage, log: Pick<AuditLog, 'size' | 'entries'>) {
    this.#log = log;
    this.#store = new CounterStore(home);
  }

  async load(): Promise<void> {
    const s = await this.#store.load();
    if (s !== undefined) this.#state = s;
  }

  /** Every entry below this index is counted. */
  get through(): number {
    return this.#state.through;
  }

  get federationId(): string | null {
    return this.#state.federationId;
  }

  /** Another federation: the statements signed for the old one are forgotten (the counts stay: they are the log's). */
  async setFederation(id: string): Promise<void> {
    if (this.#state.federationId === id) return;
    this.#state = { ...this.#state, federationId: id, statements: {} };
    this.#dirty = true;
    await this.save();
  }

  /**
   * Adds what a durable batch of decisions adds (by model digest); `end` is the log size after it.
   * Called in log order, for batches past the log size catchUp() started from (ingest starts after it).
   */
  add(tallies: Readonly<Record<string, Tally>>, end: number): void {
    const s = this.#state;
    for (const [digest, t] of Object.entries(tallies))
      s.tallies[digest] = addTallies([s.tallies[digest] ?? emptyTally(), t]);
    if (end > s.through) s.through = end;
    this.#dirty = true;
  }

  /** Saves the counters when they changed since the last save. */
  save(): Promise<void> {
    if (!this.#dirty) return this.#store.flush();
    this.#dirty = false;
    return this.#store.save(structuredClone(this.#state)).catch((err: unknown) => {
      this.#dirty = true; // not saved: the next save() tries again
      throw err;
    });
  }

  /** Counts the entries appended since the saved `through` (at start, before ingest); resolves once saved. */
  catchUp(): Promise<number> {
    const work = this.#tail.catch(() => {}).then(() => this.#catchUp());
    this.#tail = work.catch(() => {});
    return work;
  }

  async #catchUp(): Promise<number> {
    const size = this.#log.size;
    const from = this.#state.through;
    if (from >= size) return from;
    // Only the entries below `size` are read here; ingest's add() counts every batch past it meanwhile
    // (ingest starts after this snapshot), so the scanned tallies are merged into the current ones.
    const tallies: Record<string, Tally> = {};
    let n = 0;
    for await (const [, bytes] of this.#log.entries(from, size)) {
      if (++n % BATCH === 0) await new Promise((r) => setImmediate(r));
      let leaf: ReturnType<typeof decodeLeaf>;
      try {
        leaf = decodeLeaf(bytes);
      } catch {
        continue; // not a leaf this version knows: nothing to count
      }
      if (leaf.type !== 'decision' || leaf.modelDigest === undefined) continue;
      const t = tallies[leaf.modelDigest] ?? emptyTally();
      countLeaf(t, leaf);
      tallies[leaf.modelDigest] = t;
    }
    const s = this.#state;
    for (const [digest, t] of Object.entries(tallies))
      s.tallies[digest] = addTallies([s.tallies[digest] ?? emptyTally(), t]);
    if (size > s.through) s.through = size;
    await this.#store.save(structuredClone(s));
    return s.through;
  }

  /** Resolves once the counting started so far (the start's catch-up) is done. */
  async ready(): Promise<void> {
    await this.#tail.catch(() => {});
  }

  /** The tally of the version with this digest, as counted so far (zero when none). */
  tally(digest: string): { tally: Tally; through: number } {
    return { tally: structuredClone(this.#state.tallies[digest] ?? emptyTally()), through: this.#state.through };
  }

  statement(digest: string): CounterState['statements'][string] | undefined {
    return this.#state.statements[digest];
  }

  async keepStatement(digest: string, s: CounterState['statements'][string]): Promise<void> {
    this.#state = { ...this.#state, statements: { ...this.#state.statements, [digest]: s } };
    this.#dirty = false;
    await this.#store.save(structuredClone(this.#state));
  }

  async flush(): Promise<void> {
    await this.#tail.catch(() => {});
    await this.save();
  }
}
