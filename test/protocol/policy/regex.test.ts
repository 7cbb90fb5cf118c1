import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRegex, MAX_PATTERN_CHARS, regexFor } from '../../../protocol/policy/regex.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('compileRegex', () => {
  describe('when the pattern is in the supported subset', () => {
    it.each([
      ['a*b', 'xxaaab', true],
      ['a*b', 'aaa', false],
      ['^gpt-4', 'gpt-4o', true],
      ['^gpt-4$', 'gpt-4o', false],
      ['[a-z]+-v[0-9]+', 'model-v12', true],
      ['(?i)CLAUDE', 'claude-3', true],
      ['CLAUDE', 'claude-3', false],
      ['^(foo|bar)-\\d{2,3}$', 'bar-123', true],
      ['^(foo|bar)-\\d{2,3}$', 'bar-1234', false],
      ['colou?r', 'color', true],
      ['x.y', 'x\ny', false],
      ['[^abc]', 'abc', false],
      ['[\\d.]+$', 'v1.2', true],
      ['^\\w+@\\w+\\.com$', 'a_b@c.com', true],
      ['^.$', '😀', true],
      ['', 'anything', true],
      ['a{3}', 'aa', false],
      ['a{2,}', 'xaay', true],
      ['\\.', 'a', false],
    ])('%s on %j is %s', (pattern, text, want) => {
      expect(compileRegex(pattern).test(text)).toBe(want);
    });
  });

  describe('when the pattern is unsafe or unsupported', () => {
    it.each([
      ['^(a+)+$', 'nested quantifier'],
      ['(a|a)*', 'alternation under a quantifier'],
      ['(a*)*', 'nested star'],
      ['a**', 'quantifier after quantifier'],
      ['(a)\\1', 'backreference'],
      ['(?=a)', 'lookahead'],
      ['(?<!a)b', 'lookbehind'],
      ['\\bword', 'word boundary'],
      ['[z-a]', 'reversed range'],
      ['(', 'unclosed group'],
      ['a{1000}', 'huge repeat'],
      ['[[:alpha:]]', 'POSIX class'],
      ['(?P<n>a)', 'named group'],
      ['x{2', 'stray brace'],
      ['a'.repeat(MAX_PATTERN_CHARS + 1), 'too long'],
      ['[a-z]{100}[a-z]{100}[a-z]{100}', 'too large a program'],
    ])('rejects %s (%s) with ERR_INVALID_RULE', (pattern) => {
      expect(() => compileRegex(pattern)).toThrow(code('ERR_INVALID_RULE'));
    });

    it('gives the offset of the problem', () => {
      expect(() => compileRegex('^(a+)+$')).toThrow(expect.objectContaining({ offset: 5 }));
    });
  });

  describe('when the text is large and the pattern would backtrack in RegExp', () => {
    it('answers in linear time', () => {
      const text = `${'a'.repeat(65536)}!`;
      const t = performance.now();
      expect(compileRegex('a*b').test(text)).toBe(false);
      expect(compileRegex('^a*a*b$').test(text)).toBe(false);
      expect(compileRegex('a+$').test(text)).toBe(false);
      // RegExp takes seconds on each of these; the linear matcher well under one.
      expect(performance.now() - t).toBeLessThan(1000);
    });
  });

  describe('when compared with RegExp on simple patterns', () => {
    it('agrees', () => {
      const patterns = ['^ab*c', 'a[bc]+d$', '(ab|cd)e', 'x?y{1,2}z', '[^a]b', '^$', 'b.c'];
      fc.assert(
        fc.property(fc.constantFrom(...patterns), fc.stringMatching(/^[abcdexyz]{0,12}$/), (p, s) => {
          expect(compileRegex(p).test(s)).toBe(new RegExp(p).test(s));
        }),
      );
    });
  });
});

describe('regexFor', () => {
  describe('when asked twice for one pattern', () => {
    it('returns the same compiled matcher', () => {
      expect(regexFor('^x')).toBe(regexFor('^x'));
    });
  });

  describe('when the pattern is unsafe', () => {
    it('throws ERR_INVALID_RULE', () => {
      expect(() => regexFor('(a+)+')).toThrow(code('ERR_INVALID_RULE'));
    });
  });
});
