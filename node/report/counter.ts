/**
 * ModelCounter: this node's rolling decision counters per model version (the compliance report's signed
 * aggregates; protocol/report/counts.ts, docs/reports.md). It reads its own audit log — never the ingest
 * path, which stays as it is — from the last index counted to the log's size, and adds each decision
 * leaf that names a registered version (`modelDigest`) to that version's tally. The counters and the
 * index counted to are kept in DIR/report/state.json (atomic writes), so a restart reads only the
 * entries appended since; a crash before a save reads a few entries again from the saved index, which
 * gives the same counts (the tallies are saved with the index they stop at).
 *
 * Counting costs O(new entries) once each; a report then costs one statement per org and version.
 */
import { join } from 'node:path';
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import type { Envelope } from '../../protocol/dsse/index.ts';
import { countLeaf, emptyTally, type Tally } from '../../protocol/report/counts.ts';
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
  constructor(homeDir: string) {
    super(join(homeDir, 'report'), 'report counters state (version 1)', isCounterState);
  }
}

export class ModelCounter {
  readonly #log: Pick<AuditLog, 'size' | 'entry'>;
  readonly #store: CounterStore;
  #state: CounterState = { version: 1, federationId: null, through: 0, tallies: {}, statements: {} };
  #tail: Promise<unknown> = Promise.resolve();

  constructor(homeDir: string, log: Pick<AuditLog, 'size' | 'entry'>) {
    this.#log = log;
    this.#store = new CounterStore(homeDir);
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
  setFederation(id: string): void {
    if (this.#state.federationId === id) return;
    this.#state = { ...this.#state, federationId: id, statements: {} };
    void this.#store.save(this.#state);
  }

  /** Counts the entries appended since the last call; resolves once counted and saved. Serialised. */
  catchUp(): Promise<number> {
    const work = this.#tail.catch(() => {}).then(() => this.#catchUp());
    this.#tail = work.catch(() => {});
    return work;
  }

  async #catchUp(): Promise<number> {
    const size = this.#log.size;
    const s = this.#state;
    if (s.through >= size) return s.through;
    const tallies = structuredClone(s.tallies);
    for (let i = s.through; i < size; i++) {
      let leaf: ReturnType<typeof decodeLeaf>;
      try {
        leaf = decodeLeaf(await this.#log.entry(i));
      } catch {
        continue; // not a leaf this version knows: nothing to count
      }
      if (leaf.type !== 'decision' || leaf.modelDigest === undefined) continue;
      const t = tallies[leaf.modelDigest] ?? emptyTally();
      countLeaf(t, leaf);
      tallies[leaf.modelDigest] = t;
      if ((i - s.through) % BATCH === BATCH - 1) await new Promise((r) => setImmediate(r));
    }
    this.#state = { ...this.#state, through: size, tallies };
    await this.#store.save(this.#state);
    return size;
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
    await this.#store.save(this.#state);
  }

  async flush(): Promise<void> {
    await this.#tail.catch(() => {});
    await this.#store.flush();
  }
}
