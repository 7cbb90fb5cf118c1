import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromBase64, fromHex, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import {
  appendSignatures,
  formatSignatureLine,
  MAX_NOTE_BYTES,
  MAX_SIGNATURES,
  type NoteSignature,
  openNote,
  parseNote,
  signNote,
} from '../../../protocol/note/note.ts';
import { ed25519Signer, type NoteVerifier, parseVerifierKey } from '../../../protocol/note/verifier.ts';
import { vectorPath } from '../../helpers/paths.ts';

interface Vector {
  desc: string;
  note: string;
  verifierKeys: string[];
  wantErr: boolean;
  wantText?: string;
  wantVerifiedBy?: string[];
}
interface VectorFile {
  keys: Record<string, string>;
  seedsHex: Record<string, string>;
  vectors: Vector[];
}
const vectorFile = JSON.parse(readFileSync(vectorPath('signed-note.json'), 'utf8')) as VectorFile;
const valid = vectorFile.vectors.filter((v) => !v.wantErr);
const invalid = vectorFile.vectors.filter((v) => v.wantErr);

const code = (c: string) => expect.objectContaining({ code: c });
const signerFor = (name: string) => ed25519Signer(name, fromHex(vectorFile.seedsHex[name]!));
const verifierFor = (name: string) => parseVerifierKey(vectorFile.keys[name]!);

// From the package documentation of golang.org/x/mod/sumdb/note.
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_LINE =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const GO_NOTE = `${GO_TEXT}\n${GO_LINE}`;
const GO_VERIFIER = parseVerifierKey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
const GO_SEED = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').slice(1);

const LOG = 'eu.example-bank.org/audit';
const WITNESS = 'us.example-insurer.com/audit';
const CHECKPOINT = 'eu.example-bank.org/audit\n1\noy3zc0l1i9q4jaX3uyOmOMfcmOhpIvCPnlrFfzAb1vQ=\n';

/** The expected code for the error vectors we know; others need only be a GovfedError. */
const VECTOR_CODES: Record<string, string> = {
  'no known key': 'ERR_NO_VERIFIED_SIGNATURE',
  'body altered after signing': 'ERR_BAD_SIGNATURE',
  'missing blank line before signatures': 'ERR_MALFORMED_NOTE',
  'text without final newline is not a note': 'ERR_MALFORMED_NOTE',
};

/** Names of the signature lines of a note, in order. */
const lineNames = (note: string) => parseNote(note).signatures.map((s) => s.name);

describe('openNote', () => {
  describe('when given the shared vectors (golang.org/x/mod/sumdb/note)', () => {
    it.each(valid.map((v) => [v.desc, v] as const))('opens: %s', (_desc, v) => {
      const opened = openNote(
        v.note,
        v.verifierKeys.map((k) => parseVerifierKey(k)),
      );
      expect(opened.text).toBe(v.wantText);
      expect(opened.verified.map((s) => s.name)).toEqual(v.wantVerifiedBy);
      const everyName = lineNames(v.note);
      expect([...opened.verified, ...opened.unverified].map((s) => s.name).sort()).toEqual([...everyName].sort());
    });

    it.each(invalid.map((v) => [v.desc, v] as const))('rejects: %s', (_desc, v) => {
      const verifiers = v.verifierKeys.map((k) => parseVerifierKey(k));
      expect(() => openNote(v.note, verifiers)).toThrow(GovfedError);
      const want = VECTOR_CODES[v.desc];
      if (want !== undefined) expect(() => openNote(v.note, verifiers)).toThrow(code(want));
    });
  });

  describe('when the note is given as bytes', () => {
    it('opens exactly as the string', () => {
      const v = valid[0]!;
      const opened = openNote(
        utf8(v.note),
        v.verifierKeys.map((k) => parseVerifierKey(k)),
      );
      expect(opened.text).toBe(v.wantText);
    });
  });

  describe('when the bytes start with a UTF-8 byte order mark', () => {
    it('keeps the BOM in the text, so the signature does not verify', () => {
      const v = valid[0]!;
      const bytes = concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), utf8(v.note));
      expect(parseNote(bytes).text.startsWith('\ufeff')).toBe(true);
      expect(() =>
        openNote(
          bytes,
          v.verifierKeys.map((k) => parseVerifierKey(k)),
        ),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when a known key signs the same note twice', () => {
    it('verifies the first signature and drops the rest, as Go does', () => {
      const good = signNote(CHECKPOINT, [signerFor(LOG)]);
      const sig = parseNote(good).signatures[0]!;
      const forged = formatSignatureLine({ ...sig, signature: new Uint8Array(64) });
      const opened = openNote(`${good}${forged}`, [verifierFor(LOG)]);
      expect(opened.verified).toHaveLength(1);
      expect(() =>
        openNote(`${CHECKPOINT}\n${forged}${good.slice(CHECKPOINT.length + 1)}`, [verifierFor(LOG)]),
      ).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when an unknown key signs twice with identical lines', () => {
    it('reports the line once', () => {
      const note = signNote(CHECKPOINT, [signerFor(LOG), signerFor(WITNESS), signerFor(WITNESS)]);
      const opened = openNote(note, [verifierFor(LOG)]);
      expect(opened.unverified.map((s) => s.name)).toEqual([WITNESS]);
    });
  });

  describe('when a signature shares only the name or only the key ID with a known key', () => {
    it('ignores it (spec: MUST ignore signatures from unknown keys)', () => {
      const note = signNote(CHECKPOINT, [signerFor(LOG)]);
      const sig = parseNote(note).signatures[0]!;
      const sameName: NoteSignature = { ...sig, keyHash: (sig.keyHash ^ 1) >>> 0, signature: new Uint8Array(64) };
      const sameHash: NoteSignature = { ...sig, name: 'impostor.example', signature: new Uint8Array(64) };
      const extended = appendSignatures(note, [sameName, sameHash]);
      const opened = openNote(extended, [verifierFor(LOG)]);
      expect(opened.verified).toHaveLength(1);
      expect(opened.unverified).toHaveLength(2);
    });
  });

  describe('when no verifiers are given', () => {
    it('throws ERR_NO_VERIFIED_SIGNATURE', () => {
      expect(() => openNote(GO_NOTE, [])).toThrow(code('ERR_NO_VERIFIED_SIGNATURE'));
    });
  });

  describe('when two verifiers have the same name and key ID', () => {
    it('throws ERR_INVALID_INPUT (ambiguous, as in Go)', () => {
      expect(() => openNote(GO_NOTE, [GO_VERIFIER, parseVerifierKey(GO_VERIFIER.vkey)])).toThrow(
        code('ERR_INVALID_INPUT'),
      );
    });
  });

  describe('when a verifier throws', () => {
    it('treats it as a bad signature', () => {
      const throwing: NoteVerifier = {
        name: GO_VERIFIER.name,
        keyHash: GO_VERIFIER.keyHash,
        verify: () => {
          throw new Error('boom');
        },
      };
      expect(() => openNote(GO_NOTE, [throwing])).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when a single bit of a signed note is flipped', () => {
    it('rejects the note (property)', () => {
      const bytes = utf8(signNote(CHECKPOINT, [signerFor(LOG)]));
      const verifiers = [verifierFor(LOG)];
      expect(openNote(bytes, verifiers).verified).toHaveLength(1);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
          const flipped = Uint8Array.from(bytes);
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          expect(() => openNote(flipped, verifiers)).toThrow(GovfedError);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('parseNote', () => {
  describe('when given the Go documentation note', () => {
    it('splits text and signature', () => {
      const parsed = parseNote(GO_NOTE);
      expect(parsed.text).toBe(GO_TEXT);
      expect(parsed.signatures).toHaveLength(1);
      expect(parsed.signatures[0]!.name).toBe('PeterNeumann');
      expect(parsed.signatures[0]!.keyHash).toBe(0xc74f20a3);
      expect(parsed.signatures[0]!.signature).toHaveLength(64);
    });
  });

  describe('when the text itself contains blank lines', () => {
    it('separates at the last blank line', () => {
      const note = `a\n\nb\n\n${GO_LINE}`;
      expect(parseNote(note).text).toBe('a\n\nb\n');
    });
  });

  describe('when the note is malformed', () => {
    it.each([
      ['no blank line', `${GO_TEXT}${GO_LINE}`],
      ['no final newline', GO_NOTE.slice(0, -1)],
      ['no signature lines', `${GO_TEXT}\n`],
      ['a blank line after the signatures', `${GO_NOTE}\n`],
      ['a hyphen instead of the em dash', GO_NOTE.replace('— ', '- ')],
      ['an en dash instead of the em dash', GO_NOTE.replace('— ', '– ')],
      ['no space after the em dash', GO_NOTE.replace('— ', '—')],
      ['no signature after the name', `${GO_TEXT}\n— PeterNeumann\n`],
      ['an empty signature', `${GO_TEXT}\n— PeterNeumann \n`],
      ['two spaces before the signature', GO_NOTE.replace('PeterNeumann ', 'PeterNeumann  ')],
      ['a "+" in the name', GO_NOTE.replace('PeterNeumann', 'Peter+Neumann')],
      ['a no-break space in the name', GO_NOTE.replace('PeterNeumann', 'Peter\u00a0Neumann')],
      ['invalid base64 characters', GO_NOTE.replace('x08go/', 'x08go_')],
      ['unpadded base64', GO_NOTE.replace('AM=\n', 'AM\n')],
      ['non-canonical base64 padding bits', GO_NOTE.replace('AM=\n', 'AN=\n')],
      ['a signature of 4 bytes (key ID only)', `${GO_TEXT}\n— PeterNeumann ${toBase64(new Uint8Array(4))}\n`],
      ['a carriage return', GO_NOTE.replace('problem,\n', 'problem,\r\n')],
      ['CRLF line endings', GO_NOTE.replace(/\n/g, '\r\n')],
      ['a tab', GO_NOTE.replace(' you', '\tyou')],
      ['a NUL', GO_NOTE.replace(' you', '\u0000you')],
      ['a lone surrogate', GO_NOTE.replace('If', 'I\ud800f')],
    ])('rejects %s with ERR_MALFORMED_NOTE', (_why, note) => {
      expect(() => parseNote(note)).toThrow(code('ERR_MALFORMED_NOTE'));
    });

    it.each([
      ['a 0xFF byte', Uint8Array.of(0xff)],
      ['a truncated em dash', Uint8Array.of(0xe2, 0x80)],
      ['an overlong encoding of "/"', Uint8Array.of(0xc0, 0xaf)],
      ['an encoded surrogate', Uint8Array.of(0xed, 0xa0, 0x80)],
    ])('rejects invalid UTF-8 (%s) with ERR_MALFORMED_NOTE', (_why, bad) => {
      const bytes = concatBytes(utf8(GO_TEXT.slice(0, 10)), bad, utf8(GO_NOTE.slice(10)));
      expect(() => parseNote(bytes)).toThrow(code('ERR_MALFORMED_NOTE'));
    });

    it('rejects a non-string, non-bytes input with ERR_INVALID_INPUT', () => {
      expect(() => parseNote(42 as unknown as string)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });

  describe('when the note has many signatures', () => {
    const lines = (n: number) => GO_LINE.repeat(n);
    it(`accepts ${MAX_SIGNATURES}`, () => {
      expect(parseNote(`${GO_TEXT}\n${lines(MAX_SIGNATURES)}`).signatures).toHaveLength(MAX_SIGNATURES);
    });
    it(`rejects ${MAX_SIGNATURES + 1} with ERR_MALFORMED_NOTE`, () => {
      expect(() => parseNote(`${GO_TEXT}\n${lines(MAX_SIGNATURES + 1)}`)).toThrow(code('ERR_MALFORMED_NOTE'));
    });
  });

  describe('when the note is near the size limit', () => {
    const noteOf = (textBytes: number, unit = 'a') => `${unit.repeat(textBytes - 1)}\n\n${GO_LINE}`;
    const fixed = 1 + utf8(GO_LINE).length; // blank line + signature line

    it(`accepts exactly ${MAX_NOTE_BYTES} bytes`, () => {
      const note = noteOf(MAX_NOTE_BYTES - fixed);
      expect(utf8(note).length).toBe(MAX_NOTE_BYTES);
      expect(parseNote(note).signatures).toHaveLength(1);
      expect(parseNote(utf8(note)).signatures).toHaveLength(1);
    });

    it('rejects one byte more, as string and as bytes', () => {
      const note = noteOf(MAX_NOTE_BYTES - fixed + 1);
      expect(() => parseNote(note)).toThrow(code('ERR_MALFORMED_NOTE'));
      expect(() => parseNote(utf8(note))).toThrow(code('ERR_MALFORMED_NOTE'));
    });

    it('counts UTF-8 bytes, not UTF-16 code units', () => {
      const note = `${'é'.repeat(MAX_NOTE_BYTES / 2)}\n\n${GO_LINE}`; // fewer code units than the cap
      expect(note.length).toBeLessThan(MAX_NOTE_BYTES);
      expect(() => parseNote(note)).toThrow(code('ERR_MALFORMED_NOTE'));
    });
  });
});

describe('signNote', () => {
  describe('when re-signing the vector texts with the vector seeds', () => {
    it.each(valid.map((v) => [v.desc, v] as const))('reproduces the note byte for byte: %s', (_desc, v) => {
      const signers = lineNames(v.note).map(signerFor);
      expect(signNote(v.wantText!, signers)).toBe(v.note);
      for (const name of v.wantVerifiedBy!) {
        const line = signNote(v.wantText!, [signerFor(name)]).slice(v.wantText!.length + 1);
        expect(v.note).toContain(line);
      }
    });
  });

  describe('when given the Go documentation key', () => {
    it('reproduces the Go documentation note', () => {
      expect(signNote(GO_TEXT, [ed25519Signer('PeterNeumann', GO_SEED)])).toBe(GO_NOTE);
    });
  });

  describe('when the text contains or ends with blank lines', () => {
    it.each(['a\n\nb\n', 'a\n\n', '\n', 'x\n\n\n'])('round-trips %j', (text) => {
      const note = signNote(text, [ed25519Signer('PeterNeumann', GO_SEED)]);
      expect(openNote(note, [GO_VERIFIER]).text).toBe(text);
    });
  });

  describe('when texts are arbitrary valid note texts', () => {
    it('round-trips through openNote (property)', () => {
      const signer = ed25519Signer('PeterNeumann', GO_SEED);
      const line = fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s.replace(/[\u0000-\u001f]/g, ''));
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 5 }), (lines) => {
          const text = `${lines.join('\n')}\n`;
          expect(openNote(signNote(text, [signer]), [GO_VERIFIER]).text).toBe(text);
        }),
        { numRuns: 100 },
      );
    });
  });

  describe('when the text is not a valid note text', () => {
    it.each([
      ['no final newline', 'abc'],
      ['empty', ''],
      ['a control character', 'a\u0007b\n'],
      ['a carriage return', 'a\r\n'],
      ['a lone surrogate', '\udc00\n'],
    ])('rejects %s with ERR_MALFORMED_NOTE', (_why, text) => {
      expect(() => signNote(text, [ed25519Signer('PeterNeumann', GO_SEED)])).toThrow(code('ERR_MALFORMED_NOTE'));
    });

    it('rejects a text that makes the note too large with ERR_MALFORMED_NOTE', () => {
      const text = `${'a'.repeat(MAX_NOTE_BYTES)}\n`;
      expect(() => signNote(text, [ed25519Signer('PeterNeumann', GO_SEED)])).toThrow(code('ERR_MALFORMED_NOTE'));
    });
  });

  describe('when the signers are unusable', () => {
    it('rejects no signers with ERR_INVALID_INPUT', () => {
      expect(() => signNote(GO_TEXT, [])).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('rejects a signer with an invalid name with ERR_INVALID_INPUT', () => {
      const bad = { name: 'a b', keyHash: 1, sign: () => new Uint8Array(64) };
      expect(() => signNote(GO_TEXT, [bad])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('formatSignatureLine', () => {
  describe('when given the Go documentation signature', () => {
    it('writes "— name base64(keyID || sig)\\n"', () => {
      const sig = parseNote(GO_NOTE).signatures[0]!;
      expect(formatSignatureLine(sig)).toBe(GO_LINE);
      expect(utf8(formatSignatureLine(sig)).subarray(0, 4)).toEqual(Uint8Array.of(0xe2, 0x80, 0x94, 0x20));
    });
  });

  describe('when the fields are invalid', () => {
    it.each([
      ['a name with a space', { name: 'a b', keyHash: 1, signature: new Uint8Array(64) }],
      ['a negative key hash', { name: 'a', keyHash: -1, signature: new Uint8Array(64) }],
      ['a key hash over 32 bits', { name: 'a', keyHash: 2 ** 32, signature: new Uint8Array(64) }],
      ['an empty signature', { name: 'a', keyHash: 1, signature: new Uint8Array(0) }],
    ])('rejects %s with ERR_INVALID_INPUT', (_why, sig) => {
      expect(() => formatSignatureLine(sig)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('appendSignatures', () => {
  describe('when a witness adds its signature to the log-signed vector', () => {
    it('gives the two-signature vector byte for byte', () => {
      const one = valid.find((v) => v.desc === 'size-1 checkpoint signed by log key')!;
      const two = valid.find((v) => v.desc === 'two signatures, both keys known')!;
      const witnessLine = parseNote(signNote(one.wantText!, [signerFor(WITNESS)])).signatures[0]!;
      expect(appendSignatures(one.note, [witnessLine])).toBe(two.note);
    });
  });

  describe('when the new signature has the name and key ID of an existing one', () => {
    it('replaces it', () => {
      const note = signNote(CHECKPOINT, [signerFor(LOG), signerFor(WITNESS)]);
      const fresh = parseNote(signNote(CHECKPOINT, [signerFor(LOG)])).signatures[0]!;
      const updated = appendSignatures(note, [fresh]);
      expect(lineNames(updated)).toEqual([WITNESS, LOG]);
    });
  });

  describe('when the result would have too many signatures', () => {
    it('throws ERR_MALFORMED_NOTE', () => {
      const note = `${GO_TEXT}\n${GO_LINE.repeat(MAX_SIGNATURES)}`;
      const other = { name: 'other', keyHash: 1, signature: new Uint8Array(64) };
      expect(() => appendSignatures(note, [other])).toThrow(code('ERR_MALFORMED_NOTE'));
    });
  });
});
