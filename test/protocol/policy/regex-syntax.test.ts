import { describe, expect, it } from 'vitest';
import { inSet, parseRegex, RegexError } from '../../../protocol/policy/regex-syntax.ts';

const offset = (pattern: string, start = 0): number | undefined => {
  try {
    parseRegex(pattern, start);
  } catch (e) {
    expect(e).toBeInstanceOf(RegexError);
    expect(e).toEqual(expect.objectContaining({ code: 'ERR_INVALID_RULE' }));
    return (e as RegexError).offset;
  }
  return undefined;
};

describe('parseRegex', () => {
  describe('when the pattern is in the subset', () => {
    it('gives anchors, groups, alternation and repeats as a tree', () => {
      const tree = parseRegex('^(ab|c)d{2,3}$');
      expect(tree.t).toBe('cat');
      if (tree.t !== 'cat') return;
      expect(tree.items.map((n) => n.t)).toEqual(['bol', 'group', 'rep', 'eol']);
      const rep = tree.items[2];
      expect(rep).toEqual(expect.objectContaining({ t: 'rep', min: 2, max: 3, at: 8 }));
    });

    it('reads an open-ended repeat as max = Infinity', () => {
      expect(parseRegex('a{2,}')).toEqual(expect.objectContaining({ t: 'rep', min: 2, max: Number.POSITIVE_INFINITY }));
    });

    it('starts at `start` (after a leading (?i))', () => {
      expect(parseRegex('(?i)a', 4)).toEqual({ t: 'char', set: { ranges: [[0x61, 0x61]], negated: false } });
    });

    it('reads the empty pattern as empty', () => {
      expect(parseRegex('')).toEqual({ t: 'empty' });
    });
  });

  describe('when the pattern is outside the subset or unsafe', () => {
    it.each([
      ['^(a+)+$', 5],
      ['a**', 2],
      ['(a)\\1', 3],
      ['(?=a)', 0],
      ['[z-a]', 3],
      ['(', 0],
      ['x{2', 1],
      ['[abc', 0],
      ['\\xZZ', 0],
    ])('rejects %s with ERR_INVALID_RULE at offset %i', (pattern, at) => {
      expect(offset(pattern)).toBe(at);
    });
  });
});

describe('inSet', () => {
  describe('when the set is negated', () => {
    it('holds the code points outside its ranges', () => {
      const set = { ranges: [[0x61, 0x63] as const], negated: true };
      expect(inSet(set, 0x62)).toBe(false);
      expect(inSet(set, 0x64)).toBe(true);
    });
  });
});
