import { describe, expect, it } from 'vitest';
import { checkLocalPolicy, LOCAL_POLICY_TYPE } from '../../../protocol/policy/local.ts';
import { EU_BIOMETRIC, rule } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const local = (over: Record<string, unknown> = {}) => ({
  type: LOCAL_POLICY_TYPE,
  version: 1,
  updatedAt: '2025-01-01T00:00:00Z',
  rules: [EU_BIOMETRIC],
  ...over,
});

describe('checkLocalPolicy', () => {
  describe('when well-formed', () => {
    it('returns it (an empty overlay too)', () => {
      expect(checkLocalPolicy(local())).toEqual(local());
      expect(checkLocalPolicy(local({ version: 0, rules: [] })).rules).toEqual([]);
    });
  });

  describe('when the shape is wrong', () => {
    it('throws ERR_MALFORMED_POLICY', () => {
      expect(() => checkLocalPolicy(local({ type: 'x' }))).toThrow(code('ERR_MALFORMED_POLICY'));
      expect(() => checkLocalPolicy(local({ extra: 1 }))).toThrow(code('ERR_MALFORMED_POLICY'));
      expect(() => checkLocalPolicy(local({ version: -1 }))).toThrow(code('ERR_MALFORMED_POLICY'));
    });
  });

  describe('when a rule does not type-check', () => {
    it('throws ERR_INVALID_RULE, as for a global bundle', () => {
      expect(() => checkLocalPolicy(local({ rules: [rule('decision.model == 1')] }))).toThrow(code('ERR_INVALID_RULE'));
    });
  });
});
