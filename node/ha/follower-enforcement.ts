/**
 * A follower's side of a shared log's enforcement view: the lease holder's last published snapshot
 * (enforcement.ts), read every pollMs when its version moved, and given to the follower's ingest as what
 * the lease holder's modules give to its own — the enforced rules (with the same change listener the
 * ingest workers copy them by), each model reference resolved, and the kill-switch state's age (the
 * published age plus the time since it was published: a follower of a lease holder that is gone sees
 * the state grow stale, and contracts that bound staleness deny, as they would on a node cut off). The
 * time since is measured on the database's clock, not this machine's: at each read the database's clock
 * minus `publishedAt` (both the database's), plus this process's monotonic time since that read.
 *
 * Until it has read one snapshot it is not ready: the follower's API refuses decisions (503) rather than
 * take them without the org's rules. A snapshot that does not check is reported (`ha:snapshot-invalid`)
 * and not used; the last good one stays.
 */
import type { EventSink } from '../events.ts';
import type { Startable } from '../lifecycle.ts';
import type { EnforcedRules } from '../policy/service.ts';
import type { ResolvedModel } from '../registry/model-book.ts';
import { decodeSnapshot, type EnforcementSnapshot, resolveIn } from './enforcement.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export interface FollowerEnforcementOptions {
  store: SnapshotStore;
  org: string;
  events: EventSink;
  pollMs?: number;
  /** Counts this follower's verdicts (the policy metrics), as the lease holder's PolicyService does. */
  onEvaluated?: (allowed: number, denied: number) => void;
}

export class FollowerEnforcement implements Startable {
  readonly #o: FollowerEnforcementOptions;
  #snapshot: EnforcementSnapshot | undefined;
  #version = -1n;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  /** The database's clock at the last read, and this process's monotonic clock then. */
  #anchor = { clockMs: 0, mono: 0 };
  readonly #listeners: ((rules: EnforcedRules) => void)[] = [];

  constructor(opts: FollowerEnforcementOptions) {
    this.#o = opts;
  }

  /** A snapshot has been read: decisions can be taken. */
  get ready(): boolean {
    return this.#snapshot !== undefined;
  }

  /** The snapshot in use (its leader, its time). */
  get snapshot(): EnforcementSnapshot | undefined {
    return this.#snapshot;
  }

  async start(): Promise<void> {
    await this.poll().catch(() => {}); // not ready yet: decisions are refused until one is read
    this.#timer = setInterval(() => void this.poll().catch(() => {}), this.#o.pollMs ?? 250);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Reads the published snapshot if it changed. */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const { stored, clockMs } = await this.#o.store.read();
      const anchor = { clockMs, mono: performance.now() };
      if (stored === undefined) return;
      if (stored.version === this.#version) {
        this.#anchor = anchor;
        return;
      }
      let s: EnforcementSnapshot;
      try {
        s = decodeSnapshot(stored.body, this.#o.org);
      } catch (err) {
        this.#version = stored.version;
        this.#o.events('ha:snapshot-invalid', { error: err instanceof Error ? err.message : String(err) });
        return;
      }
      const rulesChanged = JSON.stringify(s.rules) !== JSON.stringify(this.#snapshot?.rules);
      this.#snapshot = s;
      this.#anchor = anchor;
      this.#version = stored.version;
      if (rulesChanged) for (const fn of this.#listeners) fn(s.rules);
    } finally {
      this.#polling = false;
    }
  }

  // --- what the ingest pool reads (node/decisions pool.ts IngestPolicy, sealer.ts DecisionModels) ---

  get enforced(): EnforcedRules {
    return this.#snapshot?.rules ?? { baseline: undefined, local: undefined };
  }

  onRulesChanged(fn: (rules: EnforcedRules) => void): void {
    this.#listeners.push(fn);
  }

  countEvaluations(allowed: number, denied: number): void {
    this.#o.onEvaluated?.(allowed, denied);
  }

  resolve(ref: string): ResolvedModel {
    const s = this.#snapshot;
    if (s === undefined) throw new Error('FollowerEnforcement: no snapshot yet');
    return resolveIn(s, ref);
  }

  /**
   * The kill-switch state's age now: as published, plus the time since — on the database's clock at the
   * last read (never negative), plus this process's monotonic time since that read (it keeps growing while
   * the database is away).
   */
  revocationAgeMs(): number {
    const s = this.#snapshot;
    if (s === undefined) return Number.POSITIVE_INFINITY;
    const a = this.#anchor;
    return (
      s.revocationAgeMs + Math.max(0, a.clockMs - Date.parse(s.publishedAt)) + Math.max(0, performance.now() - a.mono)
    );
  }
}
