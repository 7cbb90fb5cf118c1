/**
 * The benches' settings from the environment (GOVFED_…), read once and checked: a value that is not
 * what the setting takes (`GOVFED_BENCH_SECONDS=10s`, `GOVFED_FED_NODES=5,,20`) stops the bench with one
 * line naming the variable, instead of running with NaN and writing its nonsense into docs/benchmarks.md.
 *
 * Settings are read when a bench file is loaded. Under the runner (bench/run.ts) the error is a
 * BenchSetupError, reported as that file's failure while the other files run; a bench file run alone
 * (`npx node bench/<name>.bench.ts`) prints the line and exits with 2, as a CLI usage error does.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

/** A bench's setting has a value it cannot take. */
export class BenchSetupError extends Error {
  override name = 'BenchSetupError';
}

/** A script of bench/ run alone (`npx node bench/x.bench.ts`, bench/charter-cost.ts…), not bench/run.ts. */
function startedAlone(): boolean {
  const main = process.argv[1];
  return main !== undefined && path.dirname(path.resolve(main)) === BENCH_DIR && path.basename(main) !== 'run.ts';
}

function refuse(message: string): never {
  if (startedAlone()) {
    console.error(`bench: ${message}`);
    process.exit(2);
  }
  throw new BenchSetupError(message);
}

function wholeNumber(name: string, text: string, min: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) refuse(`${name}: "${text}" is not a whole number ≥ ${min}`);
  return n;
}

/** A whole number ≥ min (default 1). */
export function intSetting(name: string, fallback: number, min = 1): number {
  const text = process.env[name];
  return text === undefined ? fallback : wholeNumber(name, text.trim(), min);
}

/** A number ≥ min (decimals allowed: e.g. seconds). */
export function numberSetting(name: string, fallback: number, min = 0): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n < min) refuse(`${name}: "${text}" is not a number ≥ ${min}`);
  return n;
}

/** A comma-separated list of whole numbers ≥ min, at least one (e.g. node counts: "5,10,20"). */
export function intListSetting(name: string, fallback: string, min = 1): number[] {
  const text = process.env[name] ?? fallback;
  return text.split(',').map((part) => wholeNumber(name, part.trim(), min));
}

/** One of `choices` (the first is the default). */
export function choiceSetting<T extends string>(name: string, choices: readonly [T, ...T[]]): T {
  const text = process.env[name];
  if (text === undefined) return choices[0];
  if (!(choices as readonly string[]).includes(text)) refuse(`${name}: "${text}" is not one of ${choices.join(', ')}`);
  return text as T;
}

/** A comma-separated list of some of `choices`, at least one; undefined when the variable is not set. */
export function choiceListSetting<T extends string>(name: string, choices: readonly T[]): T[] | undefined {
  const text = process.env[name];
  if (text === undefined) return undefined;
  const picked = text.split(',').map((part) => part.trim());
  for (const p of picked) {
    if (!(choices as readonly string[]).includes(p)) refuse(`${name}: "${p}" is not one of ${choices.join(', ')}`);
  }
  return picked as T[];
}
