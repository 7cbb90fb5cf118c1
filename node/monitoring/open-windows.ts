/**
 * OpenWindows: the windows this node is filling now, one per (model version, contract version, shadow,
 * monitor) — counts only (protocol/monitoring WindowAccumulator). A window of `{"decisions": N}` closes
 * with its N-th decision; one of `{"seconds": N}` closes at the first decision or tick N seconds after
 * it opened (a time window that saw no decision closes with nothing to say and is not reported).
 * Bounded: at most MAX_OPEN_SERIES series (a model version × contract × shadow); past it the oldest is
 * dropped with its counts (reported by the caller as an event).
 */
import type { Baseline } from '../../protocol/monitoring/baseline.ts';
import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import { WindowAccumulator } from '../../protocol/monitoring/window.ts';
import type { RequiredMonitor } from '../../protocol/registry/contract-terms.ts';

export const MAX_OPEN_SERIES = 4096;

/** What the node knows of a monitored version: its contract's monitors and its committed baseline. */
export interface MonitoredVersion {
  monitors: readonly RequiredMonitor[];
  baseline: Baseline | undefined;
}

export interface ClosedWindow {
  model: string;
  /** Contract id, hex. */
  contract: string;
  shadow: boolean;
  monitor: number;
  spec: RequiredMonitor;
  acc: WindowAccumulator;
  from: Date;
  to: Date;
}

interface Series {
  model: string;
  contract: string;
  shadow: boolean;
  version: MonitoredVersion;
  open: { acc: WindowAccumulator; from: Date }[];
}

export class OpenWindows {
  readonly #series = new Map<string, Series>();

  get size(): number {
    return this.#series.size;
  }

  /**
   * Adds observations made at `now`; returns the windows they closed. `lookup` gives the version's
   * monitors (undefined: the contract is not held here — the observations are dropped).
   */
  add(
    runs: readonly ObservationRun[],
    now: Date,
    lookup: (model: string, contract: string) => MonitoredVersion | undefined,
  ): { closed: ClosedWindow[]; dropped: number } {
    const closed: ClosedWindow[] = [];
    let dropped = 0;
    for (const run of runs) {
      const decisions = run.width === 0 ? 0 : run.values.length / run.width;
      // A run is one version: its series is looked up once.
      const s = this.#seriesOf(run, now, lookup);
      if (s === undefined) {
        dropped += decisions;
        continue;
      }
      const { monitors } = s.version;
      for (let d = 0; d < decisions; d++) {
        const at = d * run.width;
        for (let i = 0; i < monitors.length; i++) {
          const spec = monitors[i] as RequiredMonitor;
          if (this.#elapsed(spec, (s.open[i] as Series['open'][number]).from, now)) this.#close(s, i, now, closed);
          const cur = s.open[i] as Series['open'][number];
          cur.acc.add(run.values[at + i] ?? null);
          if ('decisions' in spec.window && cur.acc.decisions >= spec.window.decisions) {
            this.#close(s, i, now, closed);
          }
        }
      }
    }
    return { closed, dropped };
  }

  /** Closes the time windows that have run their span by `now`. */
  tick(now: Date): ClosedWindow[] {
    const closed: ClosedWindow[] = [];
    for (const s of this.#series.values()) {
      s.open.forEach((w, i) => {
        if (this.#elapsed(s.version.monitors[i] as RequiredMonitor, w.from, now)) this.#close(s, i, now, closed);
      });
    }
    return closed;
  }

  #elapsed(spec: RequiredMonitor, from: Date, now: Date): boolean {
    return 'seconds' in spec.window && now.getTime() - from.getTime() >= spec.window.seconds * 1000;
  }

  #close(s: Series, i: number, now: Date, out: ClosedWindow[]): void {
    const w = s.open[i] as Series['open'][number];
    const spec = s.version.monitors[i] as RequiredMonitor;
    if (w.acc.decisions > 0) {
      out.push({
        model: s.model,
        contract: s.contract,
        shadow: s.shadow,
        monitor: i,
        spec,
        acc: w.acc,
        from: w.from,
        to: now,
      });
    }
    s.open[i] = { acc: new WindowAccumulator(spec, s.version.baseline), from: now };
  }

  #seriesOf(
    o: ObservationRun,
    now: Date,
    lookup: (model: string, contract: string) => MonitoredVersion | undefined,
  ): Series | undefined {
    const key = `${o.model}\n${o.contract}\n${o.shadow}`;
    let s = this.#series.get(key);
    if (s !== undefined) return s;
    const version = lookup(o.model, o.contract);
    if (version === undefined || version.monitors.length !== o.width) return undefined;
    if (this.#series.size >= MAX_OPEN_SERIES) {
      const oldest = this.#series.keys().next().value;
      if (oldest !== undefined) this.#series.delete(oldest);
    }
    s = {
      model: o.model,
      contract: o.contract,
      shadow: o.shadow,
      version,
      open: version.monitors.map((m) => ({ acc: new WindowAccumulator(m, version.baseline), from: now })),
    };
    this.#series.set(key, s);
    return s;
  }
}
