import { describe, expect, it } from 'vitest';
import { parseTimeBound, TIME_BOUND_PATTERN } from '../../../protocol/audit/time-bound.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('parseTimeBound', () => {
  describe('when the value is an RFC 3339 time', () => {
    it.each([
      ['2026-01-31T00:00:00Z', '2026-01-31T00:00:00.000Z'],
      ['2026-01-31T00:00:00.123456789Z', '2026-01-31T00:00:00.123Z'],
      ['2026-01-31T02:00:00+02:00', '2026-01-31T00:00:00.000Z'],
      ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
      ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ])('reads %s as %s', (value, iso) => {
      expect(new Date(parseTimeBound(value, NOW) as number).toISOString()).toBe(iso);
    });
  });

  describe('when the value is a duration', () => {
    it('counts back from now', () => {
      expect(parseTimeBound('7d', NOW)).toBe(NOW - 7 * 86_400_000);
      expect(parseTimeBound('30s', NOW)).toBe(NOW - 30_000);
      expect(parseTimeBound('15m', NOW)).toBe(NOW - 900_000);
      expect(parseTimeBound('12h', NOW)).toBe(NOW - 43_200_000);
    });
  });

  describe('when the value is neither', () => {
    it.each([
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:60:00Z',
      '2026-01-01T00:00:00+24:00',
      '2026-01-01T00:00:00',
      '2026-01-01',
      '10000-01-01T00:00:00Z',
      '0d',
      '7w',
      '9999999999d',
      'yesterday',
    ])('refuses %s', (value) => {
      expect(parseTimeBound(value, NOW)).toBeUndefined();
    });
  });

  it('has a schema pattern that admits both forms', () => {
    const re = new RegExp(TIME_BOUND_PATTERN);
    expect(re.test('7d')).toBe(true);
    expect(re.test('2026-01-31T02:00:00+02:00')).toBe(true);
    expect(re.test('yesterday')).toBe(false);
  });
});
