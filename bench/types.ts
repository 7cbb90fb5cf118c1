/**
 * What every bench/*.bench.ts returns from `export async function run(): Promise<BenchResult[]>`.
 * The runner (bench/run.ts) imports each bench file, calls run(), and prints or records the results.
 */
export interface BenchResult {
  /** Which area was measured, e.g. 'log' or 'ingest-http'. */
  group: string;
  /** What exactly was measured, in words. */
  name: string;
  /** How many operations were timed. */
  ops: number;
  /** What one operation is, plural (e.g. 'leaves', 'proofs'). */
  unit: string;
  /** ops divided by the measured wall-clock seconds. */
  opsPerSec: number;
  /** Conditions worth knowing when reading the number (input sizes, what is included). */
  notes?: string;
}
