import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { failureText, resultLine } from '../../bench/alone.ts';
import { BenchSetupError } from '../../bench/settings.ts';

describe('a bench run alone', () => {
  it('prints a result as one line', () => {
    const r = { group: 'g', name: 'N = 20: publish → accepted', ops: 50, unit: 'charter versions', opsPerSec: 1.4321 };
    expect(resultLine(r)).toBe('N = 20: publish → accepted: 1.43 charter versions/s');
    expect(resultLine({ ...r, opsPerSec: 45593.4, unit: 'decisions', notes: 'p99 298 ms' })).toBe(
      'N = 20: publish → accepted: 45,593 decisions/s; p99 298 ms',
    );
  });

  it("reports a setting's error as its message, anything else with its stack", () => {
    expect(failureText(new BenchSetupError('GOVFED_X: "a" is not a whole number ≥ 1'))).toBe(
      'GOVFED_X: "a" is not a whole number ≥ 1',
    );
    const err = new Error('the cluster did not form');
    expect(failureText(err)).toContain('at ');
    expect(failureText('plain')).toBe('plain');
  });

  it('stops on a bad setting with exit code 2 and one line, before starting anything', () => {
    const out = spawnSync(process.execPath, ['bench/federation.bench.ts'], {
      env: { ...process.env, GOVFED_FED_HALVES: 'sideways', GOVFED_FED_NODES: '2' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe('bench: GOVFED_FED_HALVES: "sideways" is not one of both, quiet, back-to-back');
    expect(out.stdout).toBe('');
  });
});
