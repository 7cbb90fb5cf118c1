/**
 * A follower's side of a shared log's enforcement view: the lease holder's last published snapshot
 * (enforcement.ts), read every pollMs when its version moved, and given to the follower's ingest as what
 * the lease holder's modules give to its own — the enforced rules (with the same change listener the
 * ingest workers copy them by), each model reference resolved, and the kill-switch state's age (the
 * published age plus the time since it was published: a follower of a lease holder that is gone sees
 * the state grow stale, and contracts that bound staleness deny, as they would on a node cut off).
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
      const stored = await this.#o.store.read();
      if (stored === undefined || stored.version === this.#version) return;
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

  /** The kill-switch state's age now: as published, plus the time since. */
  revocationAgeMs(): number {
    const s = this.#snapshot;
    if (s === undefined) return Number.POSITIVE_INFINITY;
    return s.revocationAgeMs + Math.max(0, Date.now() - Date.parse(s.publishedAt));
  }
}
