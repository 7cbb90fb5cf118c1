/**
 * A monitoring baseline file (`model register --baseline FILE`; docs/monitoring.md "Baselines"): strict
 * JSON, then protocol/monitoring baselineFromFile — sample values cut into quantile bins here, on the
 * submitter's machine, so only bins and proportions are signed with the registration. A bad file is
 * ERR_INVALID_BASELINE (exit 1).
 */
import { type Baseline, baselineFromFile } from '../protocol/monitoring/baseline.ts';
import { readJsonFile } from './commands/policy-view.ts';

export async function readBaselineFile(command: string, file: string): Promise<Baseline> {
  return baselineFromFile(await readJsonFile(command, file));
}
