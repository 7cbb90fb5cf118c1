import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { fromHex, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../../../protocol/note/checkpoint.ts';
import { cosignatureSigner, cosignatureVerifier } from '../../../protocol/note/cosignature.ts';
import { appendSignatures, parseNote, signNote } from '../../../protocol/note/note.ts';
import { ed25519Signer, parseVerifierKey } from '../../../protocol/note/verifier.ts';
import { vectorPath } from '../../helpers/paths.ts';

interface Vector {
  desc: string;
  note: string;
  wantErr: boolean;
  wantText?: string;
}
interface VectorFile {
  keys: Record<string, string>;
  seedsHex: Record<string, string>;
  vectors: Vector[];
}
const vectorFile = JSON.parse(readFileSync(vectorPath('signed-note.json'), 'utf8')) as VectorFile;

const code = (c: string) => expect.objectContaining({ code: c });
const LOG = 'eu.example-bank.org/audit';
const OTHER = 'us.example-insurer.com/audit';
const logSigner = ed25519Signer(LOG, fromHex(vectorFile.seedsHex[LOG]!));
const logVerifier = parseVerifierKey(vectorFile.keys[LOG]!);
const otherSigner = ed25519Signer(OTHER, fromHex(vectorFile.seedsHex[OTHER]!));
const otherVerifier = parseVerifierKey(vectorFile.keys[OTHER]!);

const ROOT = toBase64(new Uint8Array(32).fill(0xab));
const EMPTY_ROOT = sha256(new Uint8Array(0)); // RFC 6962 root of the empty tree

/** The checkpoint texts in the shared vectors (every valid vector's text, and the bodies of the others). */
const vectorTexts = [...new Set(vectorFile.vectors.flatMap((v) => (v.wantText === undefined ? [] : [v.wantText])))].map(
  (t) => [t] as const,
);

describe('parseCheckpoint', () => {
  describe('when given the shared vector checkpoints', () => {
    it.each(vectorTexts)('parses %j and formats it back', (text) => {
      const c = parseCheckpoint(text);
      expect(c.origin).toBe(LOG);
      expect(c.rootHash).toHaveLength(32);
      expect(c.extensions).toEqual([]);
      expect(formatCheckpoint(c)).toBe(text);
    });

    it('reads the empty tree with the SHA-256 of the empty string as root', () => {
      const c = parseCheckpoint(`${LOG}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`);
      expect(c.size).toBe(0);
      expect(c.rootHash).toEqual(EMPTY_ROOT);
    });
  });

  describe('when the checkpoint has extension lines', () => {
    it('returns them in order', () => {
      const c = parseCheckpoint(`log.example\n20852163\n${ROOT}\nfirst ext\n— second\n`);
      expect(c.size).toBe(20852163);
      expect(c.extensions).toEqual(['first ext', '— second']);
    });
  });

  describe('when the size is the largest safe integer', () => {
    it('accepts 2^53 - 1', () => {
      expect(parseCheckpoint(`o\n9007199254740991\n${ROOT}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
    });
  });

  describe('when the text is not a strict checkpoint', () => {
    it.each([
      ['a leading zero', `o\n01\n${ROOT}\n`],
      ['"00"', `o\n00\n${ROOT}\n`],
      ['a negative size', `o\n-1\n${ROOT}\n`],
      ['a plus sign', `o\n+1\n${ROOT}\n`],
      ['a space before the size', `o\n 1\n${ROOT}\n`],
      ['a space after the size', `o\n1 \n${ROOT}\n`],
      ['a hex size', `o\n0x10\n${ROOT}\n`],
      ['an exponent', `o\n1e3\n${ROOT}\n`],
      ['a fraction', `o\n1.0\n${ROOT}\n`],
      ['non-ASCII digits', `o\n١\n${ROOT}\n`],
      ['a size of 2^53', `o\n9007199254740992\n${ROOT}\n`],
      ['a size of 2^64', `o\n18446744073709551616\n${ROOT}\n`],
      ['an empty size', `o\n\n${ROOT}\n`],
      ['a 31-byte root', `o\n1\n${toBase64(new Uint8Array(31))}\n`],
      ['a 33-byte root', `o\n1\n${toBase64(new Uint8Array(33))}\n`],
      ['a hex root', `o\n1\n${'ab'.repeat(32)}\n`],
      ['an unpadded root', `o\n1\n${ROOT.slice(0, -1)}\n`],
      ['a URL-safe root', `o\n1\n${toBase64(new Uint8Array(32).fill(0xfb)).replace(/\+/g, '-')}\n`],
      ['a non-canonical root', `o\n1\n${ROOT.slice(0, -2)}t=\n`],
      ['only two lines', `o\n1\n`],
      ['only the origin', 'o\n'],
      ['nothing', ''],
      ['an empty origin', `\n1\n${ROOT}\n`],
      ['an empty extension line', `o\n1\n${ROOT}\n\next\n`],
      ['a trailing blank line', `o\n1\n${ROOT}\n\n`],
      ['no final newline', `o\n1\n${ROOT}`],
      ['CRLF line endings', `o\r\n1\r\n${ROOT}\r\n`],
      ['a CR in the origin', `o\r\n1\n${ROOT}\n`],
      ['a tab in an extension', `o\n1\n${ROOT}\na\tb\n`],
    ])('rejects %s with ERR_MALFORMED_CHECKPOINT', (_why, text) => {
      expect(() => parseCheckpoint(text)).toThrow(code('ERR_MALFORMED_CHECKPOINT'));
    });
  });
});

describe('formatCheckpoint', () => {
  describe('when given a valid checkpoint', () => {
    it('writes origin, decimal size, base64 root and extensions, one per line', () => {
      const c: Checkpoint = {
        origin: 'log.example',
        size: 10,
        rootHash: new Uint8Array(32).fill(0xab),
        extensions: ['x'],
      };
      expect(formatCheckpoint(c)).toBe(`log.example\n10\n${ROOT}\nx\n`);
    });

    it('round-trips through parseCheckpoint (property)', () => {
      const line = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/[\u0000-\u001f]/.test(s));
      fc.assert(
        fc.property(
          line,
          fc.nat({ max: Number.MAX_SAFE_INTEGER }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.array(line, { maxLength: 3 }),
          (origin, size, rootHash, extensions) => {
            const c = { origin, size, rootHash, extensions };
            expect(parseCheckpoint(formatCheckpoint(c))).toEqual(c);
          },
        ),
      );
    });
  });

  describe('when the checkpoint cannot be written', () => {
    const base: Checkpoint = { origin: 'o', size: 1, rootHash: new Uint8Array(32), extensions: [] };
    it.each([
      ['a negative size', { ...base, size: -1 }],
      ['a fractional size', { ...base, size: 1.5 }],
      ['an unsafe size', { ...base, size: 2 ** 53 }],
      ['NaN', { ...base, size: Number.NaN }],
      ['a 31-byte root', { ...base, rootHash: new Uint8Array(31) }],
      ['an empty origin', { ...base, origin: '' }],
      ['a newline in the origin', { ...base, origin: 'a\nb' }],
      ['a control character in the origin', { ...base, origin: 'a\u0000b' }],
      ['an empty extension', { ...base, extensions: [''] }],
      ['a newline in an extension', { ...base, extensions: ['a\n'] }],
    ])('rejects %s with ERR_MALFORMED_CHECKPOINT', (_why, c) => {
      expect(() => formatCheckpoint(c)).toThrow(code('ERR_MALFORMED_CHECKPOINT'));
    });
  });
});

describe('signCheckpoint', () => {
  describe('when signing the vector checkpoints with the vector log key', () => {
    it.each(vectorFile.vectors.filter((v) => v.desc.endsWith('signed by log key')).map((v) => [v.desc, v] as const))(
      'reproduces %s byte for byte',
      (_desc, v) => {
        expect(signCheckpoint(parseCheckpoint(v.wantText!), logSigner)).toBe(v.note);
      },
    );
  });
});

describe('openCheckpoint', () => {
  const checkpoint: Checkpoint = { origin: LOG, size: 5, rootHash: new Uint8Array(32).fill(1), extensions: [] };

  describe('when the log signed it', () => {
    it('returns the checkpoint, the signed text and the verified signatures', () => {
      const note = signCheckpoint(checkpoint, logSigner);
      const opened = openCheckpoint(note, logVerifier);
      expect(opened.checkpoint).toEqual(checkpoint);
      expect(opened.text).toBe(formatCheckpoint(checkpoint));
      expect(opened.verified.map((s) => s.name)).toEqual([LOG]);
    });

    it('accepts the note as bytes', () => {
      expect(openCheckpoint(utf8(signCheckpoint(checkpoint, logSigner)), logVerifier).checkpoint.size).toBe(5);
    });
  });

  describe('when witnesses cosigned it', () => {
    it('verifies their cosignatures with the extra verifiers', () => {
      const seed = new Uint8Array(32).fill(5);
      const witness = cosignatureSigner('witness.example/w1', seed, () => 1_700_000_000);
      const note = signNote(formatCheckpoint(checkpoint), [logSigner, witness]);
      const opened = openCheckpoint(note, logVerifier, [
        cosignatureVerifier('witness.example/w1', witness.publicKey),
        logVerifier,
      ]);
      expect(opened.verified.map((s) => s.name)).toEqual([LOG, 'witness.example/w1']);
    });

    it('ignores cosignatures by unknown witnesses', () => {
      const witness = cosignatureSigner('witness.example/w2', new Uint8Array(32).fill(6), () => 1);
      const note = appendSignatures(signCheckpoint(checkpoint, logSigner), [
        parseNote(signNote(formatCheckpoint(checkpoint), [witness])).signatures[0]!,
      ]);
      expect(openCheckpoint(note, logVerifier).verified.map((s) => s.name)).toEqual([LOG]);
    });
  });

  describe('when only another key signed it', () => {
    it('throws ERR_NO_VERIFIED_SIGNATURE even if that key is an extra verifier', () => {
      const note = signCheckpoint(checkpoint, otherSigner);
      expect(() => openCheckpoint(note, logVerifier, [otherVerifier])).toThrow(code('ERR_NO_VERIFIED_SIGNATURE'));
      expect(() => openCheckpoint(note, logVerifier)).toThrow(code('ERR_NO_VERIFIED_SIGNATURE'));
    });
  });

  describe('when the origin is not the log key name', () => {
    it('throws ERR_ORIGIN_MISMATCH', () => {
      const note = signCheckpoint({ ...checkpoint, origin: 'other.example/log' }, logSigner);
      expect(() => openCheckpoint(note, logVerifier)).toThrow(code('ERR_ORIGIN_MISMATCH'));
    });
  });

  describe('when the log signed a text that is not a checkpoint', () => {
    it('throws ERR_MALFORMED_CHECKPOINT', () => {
      const note = signNote(`${LOG}\n007\n${ROOT}\n`, [logSigner]);
      expect(() => openCheckpoint(note, logVerifier)).toThrow(code('ERR_MALFORMED_CHECKPOINT'));
    });
  });

  describe('when the body was altered', () => {
    it('throws ERR_BAD_SIGNATURE', () => {
      const note = signCheckpoint(checkpoint, logSigner).replace('\n5\n', '\n6\n');
      expect(() => openCheckpoint(note, logVerifier)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });
});
