/**
 * A bench file run alone (`npx node bench/<name>.bench.ts`): every bench file ends with
 * `await runAlone(import.meta, run)`, which runs the bench only when that file is the one started, prints
 * each result on a line (the runner, bench/run.ts, prints its table instead and writes
 * docs/benchmarks.md), and turns a failure into exit code 1 — a setting it cannot take (settings.ts)
 * as its one line, anything else with its stack.
 */
import { fileURLToPath } from 'node:url';
import { BenchSetupError } from './settings.ts';
import type { BenchResult } from './types.ts';

/** Three significant digits below 100, whole numbers above, with thousands separators (also bench/run.ts). */
export function formatRate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en');
  return n.toLocaleString('en', { maximumSignificantDigits: 3 });
}

/** One result as a line: name, rate, notes. */
export function resultLine(r: BenchResult): string {
  return `${r.name}: ${formatRate(r.opsPerSec)} ${r.unit}/s${r.notes ? `; ${r.notes}` : ''}`;
}

/** How a bench's failure is reported: a setting's as its message, anything else whole. */
export function failureText(err: unknown): string {
  if (err instanceof BenchSetupError) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

export async function runAlone(meta: ImportMeta, run: () => Promise<BenchResult[]>): Promise<void> {
  if (process.argv[1] !== fileURLToPath(meta.url)) return;
  try {
    for (const r of await run()) console.log(resultLine(r));
  } catch (err) {
    console.error(`bench: ${failureText(err)}`);
    process.exitCode = 1;
  }
}
