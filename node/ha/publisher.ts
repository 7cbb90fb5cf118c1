/**
 * The lease holder's side of a shared log's enforcement view: it publishes the snapshot (enforcement.ts)
 * at start — before its API takes a request — whenever the enforced rules change (at once), whenever
 * anything else in it changes (looked at every intervalMs), and at least every heartbeatMs (followers
 * add the time since publishedAt to the kill-switch state's age; a fresh snapshot brings it back down).
 * `publishedAt` is the database's clock (snapshot-store.ts), read right before each snapshot is built.
 * A failed publication is reported (`ha:publish-failed`) and tried again at the next look; a lost lease
 * refuses it (fenced) — the process is about to follow anyway.
 */
import type { EventSink } from '../events.ts';
import type { Startable } from '../lifecycle.ts';
import { type EnforcementSnapshot, encodeSnapshot } from './enforcement.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export interface PublisherOptions {
  store: SnapshotStore;
  /** The snapshot at `now` (the database's clock: snapshot-store.ts). */
  build: (now: Date) => EnforcementSnapshot;
  events: EventSink;
  intervalMs?: number;
  heartbeatMs?: number;
}

/** The part of a snapshot whose change must reach followers at once (not its time or age). */
function content(s: EnforcementSnapshot): string {
  return JSON.stringify([s.leader, s.rules, s.models]);
}

export class EnforcementPublisher implements Startable {
  readonly #o: PublisherOptions;
  #timer: NodeJS.Timeout | undefined;
  #last: { content: string; at: number } | undefined;
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;
  #published = 0;

  constructor(opts: PublisherOptions) {
    this.#o = opts;
  }

  /** Snapshots published so far. */
  get published(): number {
    return this.#published;
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#publish(true);
    this.#timer = setInterval(() => void this.look(), this.#o.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Publishes if anything changed (the rules just did: called from their listener). */
  look(): Promise<void> {
    return this.#publish(false).catch(() => {});
  }

  stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    return this.#chain.catch(() => {});
  }

  #publish(force: boolean): Promise<void> {
    const run = async () => {
      if (this.#stopped) return;
      const now = Date.now();
      const due = this.#last === undefined || now - this.#last.at >= (this.#o.heartbeatMs ?? 5000);
      let c = '';
      try {
        const s = this.#o.build(new Date(await this.#o.store.clock()));
        c = content(s);
        if (!force && !due && c === this.#last?.content) return;
        await this.#o.store.write(encodeSnapshot(s));
      } catch (err) {
        this.#o.events('ha:publish-failed', { error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
      this.#last = { content: c, at: now };
      this.#published++;
    };
    const p = this.#chain.then(run, run);
    this.#chain = p.catch(() => {});
    return p;
  }
}
