/**
 * WindowBook: the monitoring-window statements this node holds — its own and every member's, each
 * verified (protocol/monitoring verifyWindow) before it is added — and what follows from them: the
 * latest window of each org × monitor of a model version, and the breaches among them (the flags).
 * Bounded: the newest MAX_KEPT windows per org × model × contract × monitor, MAX_SERIES series.
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { MonitorWindow } from '../../protocol/monitoring/statement.ts';
import { modelKey } from '../registry/model-book.ts';

export const MAX_KEPT = 16;
export const MAX_SERIES = 65_536;

export interface HeldWindow {
  window: MonitorWindow;
  envelope: Envelope;
  /** This node's log index of its own windows (absent for members'). */
  logIndex?: number;
}

function seriesKey(w: MonitorWindow): string {
  return `${w.org}\n${modelKey(w.model)}\n${w.contract}\n${w.monitor}\n${w.shadow}`;
}

export class WindowBook {
  readonly #series = new Map<string, HeldWindow[]>();

  get size(): number {
    return this.#series.size;
  }

  clear(): void {
    this.#series.clear();
  }

  /** The seq the next window of this series gets (1 + the newest held). */
  nextSeq(w: Pick<MonitorWindow, 'org' | 'model' | 'contract' | 'monitor' | 'shadow'>): number {
    const held = this.#series.get(seriesKey(w as MonitorWindow));
    return (held?.at(-1)?.window.seq ?? 0) + 1;
  }

  /** Adds a verified window; false when it is held already or older than every kept one. */
  add(h: HeldWindow): boolean {
    const key = seriesKey(h.window);
    let list = this.#series.get(key);
    if (list === undefined) {
      if (this.#series.size >= MAX_SERIES) return false;
      list = [];
      this.#series.set(key, list);
    }
    if (list.some((x) => x.window.seq === h.window.seq)) return false;
    if (list.length >= MAX_KEPT && h.window.seq < (list[0] as HeldWindow).window.seq) return false;
    list.push(h);
    list.sort((a, b) => a.window.seq - b.window.seq);
    if (list.length > MAX_KEPT) list.shift();
    return true;
  }

  /** Every held window's envelope (what the store keeps). */
  envelopes(): Envelope[] {
    const out: Envelope[] = [];
    for (const list of this.#series.values()) for (const h of list) out.push(h.envelope);
    return out;
  }

  /** The latest window of every series (what the anti-entropy serves). */
  latest(): HeldWindow[] {
    const out: HeldWindow[] = [];
    for (const list of this.#series.values()) if (list.length > 0) out.push(list[list.length - 1] as HeldWindow);
    return out;
  }

  /** The windows of the version `key` (`org/name@version`), newest last per series; optionally only the latest. */
  of(key: string, latestOnly = false): HeldWindow[] {
    const out: HeldWindow[] = [];
    for (const list of this.#series.values()) {
      const first = list[0];
      if (first === undefined || modelKey(first.window.model) !== key) continue;
      if (latestOnly) out.push(list[list.length - 1] as HeldWindow);
      else out.push(...list);
    }
    return out.sort((a, b) =>
      a.window.org !== b.window.org
        ? a.window.org < b.window.org
          ? -1
          : 1
        : a.window.monitor - b.window.monitor || a.window.seq - b.window.seq,
    );
  }

  /** The latest window of each org × monitor of `key` that breaches: the version's flags. */
  breaches(key: string): HeldWindow[] {
    return this.of(key, true).filter((h) => h.window.breach);
  }
}
