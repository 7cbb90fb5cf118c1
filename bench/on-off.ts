/**
 * A/B ingest in one run and one daemon (bench/policy.bench.ts: enforcement; bench/registry.bench.ts:
 * model resolution): rounds off/on/on/off twice of durable ingest over HTTP (bench/ingest-http.bench.ts's
 * driver, batches of 1,000), each after a short warm-up of its own phase, GOVFED_BENCH_SECONDS (default
 * 10) each; reported: decisions/s of each (the mean of its rounds) and the cost = 1 − on/off.
 */
import { drive } from './ingest-http.bench.ts';
import { numberSetting } from './settings.ts';
import type { BenchResult } from './types.ts';

const DURATION_MS = numberSetting('GOVFED_BENCH_SECONDS', 10, 0.1) * 1000;

export type Phase = 'off' | 'on';

/** Decisions/s of each round of each phase, and the daemon's CPU µs per decision in each round. */
export type OnOffRates = Record<Phase, number[]> & { cpuUs: Record<Phase, number[]> };

/** `prepare(phase)` switches the daemon (or the records: it returns the model they name) to a phase. */
export async function measureOnOff(
  url: string,
  token: string,
  prepare: (phase: Phase) => Promise<string | undefined>,
): Promise<OnOffRates> {
  const rates: OnOffRates = { off: [], on: [], cpuUs: { off: [], on: [] } };
  await drive(url, token, 1000, 1000, false); // warm-up
  // off, on, on, off, twice: the log grows through the run and ingest slows as LevelDB compacts more, so
  // an off/on/off/on order puts "on" later on average and charges it the slowdown; this order gives both
  // phases the same mean position, cancelling a steady trend. Each round after a 2 s warm-up of its
  // phase (JIT, caches, the phase's first windows), not timed.
  for (const phase of ['off', 'on', 'on', 'off', 'off', 'on', 'on', 'off'] as const) {
    const model = await prepare(phase);
    await drive(url, token, 1000, 2000, false, model);
    const m = await drive(url, token, 1000, DURATION_MS, false, model);
    rates[phase].push(m.decisions / m.seconds);
    // The daemon's CPU per decision (all its threads): less sensitive than the rate to what else runs.
    rates.cpuUs[phase].push(((m.daemonCores * m.seconds) / m.decisions) * 1e6);
  }
  return rates;
}

/** The two result lines: `names` of the phases, `what` costs the difference (e.g. "enforcement"). */
export function onOffResults(
  group: string,
  rates: OnOffRates,
  names: Record<Phase, string>,
  what: string,
  goal = '',
): BenchResult[] {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const each = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en')).join(' / ');
  const off = mean(rates.off);
  const on = mean(rates.on);
  const cpuOff = mean(rates.cpuUs.off);
  const cpuOn = mean(rates.cpuUs.on);
  const line = (phase: Phase, rate: number, notes: string): BenchResult => ({
    group,
    name: names[phase],
    ops: Math.round(rate * (DURATION_MS / 1000) * rates[phase].length),
    unit: 'decisions',
    opsPerSec: rate,
    notes,
  });
  return [
    line('off', off, `rounds ${each(rates.off)} decisions/s`),
    line(
      'on',
      on,
      `rounds ${each(rates.on)} decisions/s; ${what} costs ${((1 - on / off) * 100).toFixed(1)} % of ingest throughput${goal}; ` +
        `daemon CPU per decision ${cpuOff.toFixed(1)} µs off, ${cpuOn.toFixed(1)} µs on (+${((cpuOn / cpuOff - 1) * 100).toFixed(1)} %)`,
    ),
  ];
}
