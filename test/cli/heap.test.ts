/**
 * cli/heap.ts: the V8 flags `govfed start` sets for the daemon's process. V8 ignores an unknown flag
 * given to v8.setFlagsFromString without a word, so each flag is also checked to be one this Node.js
 * knows (on the command line an unknown flag is refused: "bad option").
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DAEMON_V8_FLAGS, tuneDaemonHeap } from '../../cli/heap.ts';

/** Exit status of this Node.js run with `flag` and an empty script. */
function runWith(flag: string): number | null {
  return spawnSync(process.execPath, [flag, '-e', ''], { encoding: 'utf8', timeout: 20_000 }).status;
}

describe('tuneDaemonHeap', () => {
  it('keeps the memory reducer but without its compacting collections', () => {
    expect(DAEMON_V8_FLAGS).toEqual(['--no-memory-reducer-favors-memory']);
  });

  it('sets each flag', () => {
    const set: string[] = [];
    tuneDaemonHeap((f) => set.push(f));
    expect(set).toEqual([...DAEMON_V8_FLAGS]);
  });

  it.each(DAEMON_V8_FLAGS)('sets %s, a flag this Node.js knows', (flag) => {
    expect(runWith(flag)).toBe(0);
  });

  it('would see an unknown flag (the check itself)', () => {
    expect(runWith('--no-such-v8-flag-in-any-version')).not.toBe(0);
  });
});
