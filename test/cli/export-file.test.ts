import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../cli/export-file.ts';

async function lines(chunks: string[], max: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(l);
  return out;
}

const code = (c: string) => expect.objectContaining({ code: c });

describe('boundedLines', () => {
  describe('when every line ends in a newline and fits', () => {
    it('yields the lines, also across chunk boundaries', async () => {
      expect(await lines(['ab\ncd', 'e\n', '\nf\n'], 8)).toEqual(['ab', 'cde', '', 'f']);
    });
  });

  describe('when the input is not bounded lines', () => {
    it('refuses a line longer than the bound before it ends (ERR_MALFORMED_EXPORT)', async () => {
      await expect(lines(['x'.repeat(5), 'x'.repeat(5)], 8)).rejects.toThrow(code('ERR_MALFORMED_EXPORT'));
      await expect(lines([`${'x'.repeat(9)}\n`], 8)).rejects.toThrow(code('ERR_MALFORMED_EXPORT'));
    });
    it('refuses input without a final newline, and bytes that are not UTF-8', async () => {
      await expect(lines(['a\nb'], 8)).rejects.toThrow(code('ERR_MALFORMED_EXPORT'));
      const bad = Readable.from([Buffer.from([0xff, 0x0a])]);
      const it = boundedLines(bad, 8);
      await expect(it.next()).rejects.toThrow(code('ERR_MALFORMED_EXPORT'));
    });
  });
});
