import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { decodeFrame, encodeFrame, type FrameRules } from '../../../protocol/federation/frame.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** Messages `{n: <integer>}`; the normal form drops nothing (any extra field is rejected). */
const RULES: FrameRules<{ n: number }> = {
  name: 'test',
  maxBytes: 32,
  check: (v) => {
    const o = v as { n?: unknown };
    if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1 || !Number.isInteger(o.n)) {
      throw new GovfedError('ERR_MALFORMED_SYNC_MESSAGE', 'test: not {n}');
    }
    return { n: o.n as number };
  },
};

describe('encodeFrame', () => {
  describe('when the message is valid', () => {
    it('is its JCS bytes and round-trips', () => {
      const bytes = encodeFrame(RULES, { n: 7 });
      expect(new TextDecoder().decode(bytes)).toBe('{"n":7}');
      expect(decodeFrame(RULES, bytes)).toEqual({ n: 7 });
    });
  });
  describe('when the message is over the bound', () => {
    it('throws ERR_MALFORMED_SYNC_MESSAGE', () => {
      expect(() => encodeFrame({ ...RULES, maxBytes: 4 }, { n: 7 })).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });
  });
});

describe('decodeFrame', () => {
  describe.each([
    ['larger than the bound', utf8(`{"n":${'1'.repeat(40)}}`)],
    ['not JSON', utf8('{n:1}')],
    ['not canonical (whitespace)', utf8('{ "n": 1 }')],
    ['not a known message', utf8('{"m":1}')],
  ])('when the frame is %s', (_what, bytes) => {
    it('throws ERR_MALFORMED_SYNC_MESSAGE', () => {
      expect(() => decodeFrame(RULES, bytes)).toThrow(code('ERR_MALFORMED_SYNC_MESSAGE'));
    });
  });
});
