import { describe, expect, it } from 'vitest';
import { bufferIo, formatDuration, formatJson, formatKeyValues, formatTable, safeText } from '../../cli/output.ts';

describe('safeText', () => {
  describe('when text carries control characters (attacker-controlled)', () => {
    it('escapes them so they cannot drive the terminal', () => {
      expect(safeText('a\u001b[2Jb\nc\u2028')).toBe('a\\x1b[2Jb\\x0ac\\u2028');
    });
  });

  describe('when text is plain', () => {
    it('leaves it unchanged, including non-ASCII letters', () => {
      expect(safeText('Zürich — ok')).toBe('Zürich — ok');
    });
  });
});

describe('formatKeyValues', () => {
  describe('when keys differ in length', () => {
    it('aligns the values', () => {
      expect(
        formatKeyValues([
          ['org', 'acme'],
          ['log origin', 'govfed/acme/1'],
        ]),
      ).toBe('org         acme\nlog origin  govfed/acme/1\n');
    });
  });
});

describe('formatTable', () => {
  describe('when a column is numeric', () => {
    it('pads text left-aligned and numbers right-aligned', () => {
      expect(
        formatTable(
          ['INDEX', 'TYPE'],
          [
            [5, 'decision'],
            [120, 'governance'],
          ],
        ),
      ).toBe('INDEX  TYPE\n    5  decision\n  120  governance\n');
    });
  });
});

describe('formatJson', () => {
  describe('when given a value', () => {
    it('prints parseable JSON ending in a newline', () => {
      const s = formatJson({ a: [1, 'x'] });
      expect(s.endsWith('\n')).toBe(true);
      expect(JSON.parse(s)).toEqual({ a: [1, 'x'] });
    });
  });
});

describe('formatDuration', () => {
  describe('when given milliseconds', () => {
    it('uses ms, s or min', () => {
      expect(formatDuration(120)).toBe('120 ms');
      expect(formatDuration(3200)).toBe('3.2 s');
      expect(formatDuration(600_000)).toBe('10 min');
    });
  });
});

describe('bufferIo', () => {
  describe('when written to', () => {
    it('keeps stdout and stderr apart', () => {
      const io = bufferIo();
      io.stdout('a');
      io.stderr('b');
      expect([io.out, io.err]).toEqual(['a', 'b']);
    });
  });
});
