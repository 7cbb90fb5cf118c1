import { describe, expect, it } from 'vitest';
import { checklist, STEPS } from '../../../console/logic/checklist.ts';

const states = (code?: string) => checklist(code).map((s) => `${s.id}:${s.state}`);

describe('checklist', () => {
  describe('when nothing failed', () => {
    it('marks every step passed', () => {
      expect(checklist().every((s) => s.state === 'passed')).toBe(true);
      expect(checklist()).toHaveLength(STEPS.length);
    });
  });

  describe('when a step failed', () => {
    it('marks the steps before it passed, it failed and the rest not run', () => {
      expect(states('ERR_ROOT_MISMATCH')).toEqual([
        'shape:passed',
        'key:passed',
        'checkpoint:passed',
        'treeSize:passed',
        'leafHash:passed',
        'inclusion:failed',
        'leaf:not run',
        'record:not run',
      ]);
      expect(states('ERR_UNKNOWN_KEY').slice(0, 3)).toEqual(['shape:passed', 'key:failed', 'checkpoint:not run']);
      expect(states('ERR_RECORD_MISMATCH').at(-1)).toBe('record:failed');
    });
  });

  describe('when the code belongs to no step', () => {
    it('marks none passed', () => {
      expect(checklist('ERR_UNREACHABLE').every((s) => s.state === 'not run')).toBe(true);
    });
  });
});
