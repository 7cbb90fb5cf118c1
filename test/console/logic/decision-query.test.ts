import { describe, expect, it } from 'vitest';
import { decisionQuery, EMPTY_FORM, localToUtc } from '../../../console/logic/decision-query.ts';
import { searchQueryProperties } from '../../../node/api/schemas/decisions.ts';

describe('decisionQuery', () => {
  describe('when the form is empty', () => {
    it('sends only the page size', () => {
      expect(decisionQuery(EMPTY_FORM, 50)).toBe('?limit=50');
    });
  });

  describe('when every field is set', () => {
    it('sends the search GET /v1/decisions takes, with times in UTC', () => {
      const q = new URLSearchParams(
        decisionQuery(
          { model: ' face-id-v3 ', verdict: 'denied', flag: 'no-biometric', since: '2026-01-02T03:04', until: '' },
          10,
          'c1',
        ).slice(1),
      );
      expect(Object.fromEntries(q)).toEqual({
        model: 'face-id-v3',
        verdict: 'denied',
        flag: 'no-biometric',
        since: localToUtc('2026-01-02T03:04'),
        limit: '10',
        cursor: 'c1',
      });
      for (const k of q.keys()) expect(Object.keys(searchQueryProperties)).toContain(k);
    });
  });

  describe('when a verdict or a time is not one the node takes', () => {
    it('leaves it out', () => {
      expect(decisionQuery({ ...EMPTY_FORM, verdict: 'maybe', since: 'not a time' }, 5)).toBe('?limit=5');
    });
  });
});

describe('localToUtc', () => {
  it('writes RFC 3339 UTC with seconds and Z', () => {
    expect(localToUtc('x', () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('2026-01-02T03:04:05Z');
    expect(localToUtc('  ')).toBeUndefined();
  });
});
