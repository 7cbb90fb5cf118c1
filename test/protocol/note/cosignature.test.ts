import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { concatBytes, fromHex, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { GovfedError } from '../../../protocol/errors.ts';
import { openCheckpoint, signCheckpoint } from '../../../protocol/note/checkpoint.ts';
import {
  COSIGNATURE_V1_LENGTH,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureSignerKey,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignatureVerifierKey,
  formatSignatureLine,
  signCosignature,
  verifyCosignature,
} from '../../../protocol/note/cosignature.ts';
import { ALG_COSIGNATURE_V1 } from '../../../protocol/note/key-id.ts';
import { appendSignatures, type NoteSignature, openNote, parseNote, signNote } from '../../../protocol/note/note.ts';
import { ed25519Signer, ed25519Verifier, parseSignerKey, parseVerifierKey } from '../../../protocol/note/verifier.ts';
import { vectorPath } from '../../helpers/paths.ts';

interface VectorFile {
  keys: Record<string, string>;
  seedsHex: Record<string, string>;
}
const vectorFile = JSON.parse(readFileSync(vectorPath('signed-note.json'), 'utf8')) as VectorFile;

const code = (c: string) => expect.objectContaining({ code: c });

const LOG = 'eu.example-bank.org/audit';
const logSigner = ed25519Signer(LOG, fromHex(vectorFile.seedsHex[LOG]!));
const logVerifier = parseVerifierKey(vectorFile.keys[LOG]!);
/** The size-1 checkpoint of the shared vectors. */
const CHECKPOINT = 'eu.example-bank.org/audit\n1\noy3zc0l1i9q4jaX3uyOmOMfcmOhpIvCPnlrFfzAb1vQ=\n';
const OTHER_CHECKPOINT = 'eu.example-bank.org/audit\n2\noy3zc0l1i9q4jaX3uyOmOMfcmOhpIvCPnlrFfzAb1vQ=\n';

/**
 * Known answer computed independently of this code, with Python's `cryptography` (OpenSSL Ed25519)
 * following c2sp.org/tlog-cosignature: seed = SHA-256(0x03), key ID = SHA-256(name || 0x0A || 0x04 ||
 * pub)[:4], message = "cosignature/v1\ntime 1700000000\n" || CHECKPOINT, signature line =
 * "— name base64(keyID || u64be(1700000000) || sig)\n".
 */
const KAT = {
  name: 'witness.example.org/w1',
  seed: sha256(Uint8Array.of(3)),
  vkey: 'witness.example.org/w1+65ca6ec3+BJP7znMWRQp06KfxLfsyExCWzAb08Itjy/ZJMXshhp24',
  timestamp: 1_700_000_000,
  line: '— witness.example.org/w1 ZcpuwwAAAABlU/EACw3IvB2/+4p1aq3oEsD66ATp/3PXSlNQE7/hsVLUAChtTqWpVAYccntvwle4p6DTrLCwVpb6f8zZ9N2AunFpBA==\n',
};
const katPublicKey = ed25519Signer(KAT.name, KAT.seed).publicKey;
const katVerifier = cosignatureVerifier(KAT.name, katPublicKey);

/** The example from c2sp.org/tlog-cosignature (the witness public key is not published). */
const SPEC_EXAMPLE =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';

describe('cosignatureMessage', () => {
  describe('when given the spec example checkpoint and time', () => {
    it('is the header line, the time line and the checkpoint text', () => {
      const text = parseNote(SPEC_EXAMPLE).text;
      expect(cosignatureMessage(text, 1679315147)).toEqual(
        utf8(
          'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
        ),
      );
    });
  });

  describe('when the timestamp is zero', () => {
    it('writes "time 0" (no leading zeros, nothing omitted)', () => {
      expect(new TextDecoder().decode(cosignatureMessage(CHECKPOINT, 0))).toBe(`cosignature/v1\ntime 0\n${CHECKPOINT}`);
    });
  });

  describe('when the timestamp is not a non-negative safe integer', () => {
    it.each([-1, 1.5, Number.NaN, 2 ** 53])('rejects %d with ERR_INVALID_INPUT', (t) => {
      expect(() => cosignatureMessage(CHECKPOINT, t)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('cosignatureVerifierKey', () => {
  describe('when given the known-answer key', () => {
    it('uses signature type 0x04 in the key ID and the key data', () => {
      expect(cosignatureVerifierKey(KAT.name, katPublicKey)).toBe(KAT.vkey);
      const parsed = parseVerifierKey(KAT.vkey);
      expect(parsed.alg).toBe(ALG_COSIGNATURE_V1);
      expect(parsed.keyHash).toBe(0x65ca6ec3);
    });
  });
});

describe('cosignatureSignerKey', () => {
  describe('when parsed back with a clock', () => {
    it('gives a signer with the cosigner key ID', () => {
      const signer = parseSignerKey(cosignatureSignerKey(KAT.name, KAT.seed), { now: () => KAT.timestamp });
      expect(signer.keyHash).toBe(0x65ca6ec3);
      expect(
        formatSignatureLine({ name: signer.name, keyHash: signer.keyHash, signature: signer.sign(utf8(CHECKPOINT)) }),
      ).toBe(KAT.line);
    });
  });
});

describe('signCosignature', () => {
  describe('when given the known-answer inputs', () => {
    it('produces the independently computed signature line byte for byte', () => {
      const sig = signCosignature(CHECKPOINT, KAT.name, KAT.seed, KAT.timestamp);
      expect(sig.signature).toHaveLength(COSIGNATURE_V1_LENGTH);
      expect(formatSignatureLine(sig)).toBe(KAT.line);
    });
  });

  describe('when the text is not a checkpoint', () => {
    it.each([
      ['a plain text', 'hello\n'],
      ['a leading-zero size', 'o\n01\noy3zc0l1i9q4jaX3uyOmOMfcmOhpIvCPnlrFfzAb1vQ=\n'],
      ['a missing final newline', CHECKPOINT.slice(0, -1)],
    ])('refuses %s with ERR_MALFORMED_CHECKPOINT', (_why, text) => {
      expect(() => signCosignature(text, KAT.name, KAT.seed, KAT.timestamp)).toThrow(code('ERR_MALFORMED_CHECKPOINT'));
    });
  });
});

describe('cosignatureSigner', () => {
  describe('when used as a note signer', () => {
    it('stamps floor(now()) and records it as lastTimestamp', () => {
      let now = 1_700_000_000.9;
      const signer = cosignatureSigner(KAT.name, KAT.seed, () => now);
      expect(signer.lastTimestamp).toBe(0);
      const note = signNote(CHECKPOINT, [signer]);
      expect(signer.lastTimestamp).toBe(1_700_000_000);
      expect(note).toBe(`${CHECKPOINT}\n${KAT.line}`);
      now = 1_700_000_100;
      signNote(CHECKPOINT, [signer]);
      expect(signer.lastTimestamp).toBe(1_700_000_100);
    });
  });

  describe('when the clock returns nonsense', () => {
    it.each([-5, Number.NaN, Number.POSITIVE_INFINITY])('refuses a clock reading of %d with ERR_INVALID_INPUT', (t) => {
      const signer = cosignatureSigner(KAT.name, KAT.seed, () => t);
      expect(() => signer.sign(utf8(CHECKPOINT))).toThrow(code('ERR_INVALID_INPUT'));
    });
  });

  describe('when a witness adds its cosignature to a log checkpoint (round trip)', () => {
    it('verifies with openCheckpoint and verifyCosignature', () => {
      const logNote = signCheckpoint(
        { origin: LOG, size: 7, rootHash: new Uint8Array(32).fill(7), extensions: [] },
        logSigner,
      );
      const { text } = openCheckpoint(logNote, logVerifier);
      const witness = cosignatureSigner(KAT.name, KAT.seed, () => 1_234_567_890);
      const sig: NoteSignature = { name: witness.name, keyHash: witness.keyHash, signature: witness.sign(utf8(text)) };
      const cosigned = appendSignatures(logNote, [sig]);
      const opened = openCheckpoint(cosigned, logVerifier, [katVerifier]);
      expect(opened.verified.map((s) => s.name)).toEqual([LOG, KAT.name]);
      const witnessSig = opened.verified[1]!;
      expect(verifyCosignature(opened.text, witnessSig, katVerifier)).toEqual({ timestamp: 1_234_567_890 });
      expect(cosignatureTimestamp(witnessSig)).toBe(1_234_567_890);
    });
  });
});

describe('cosignatureTimestamp', () => {
  describe('when reading the spec example cosignature', () => {
    it('finds the time of the example message (1679315147)', () => {
      const witness = parseNote(SPEC_EXAMPLE).signatures[1]!;
      expect(witness.name).toBe('witness.example.com/w1');
      expect(witness.signature).toHaveLength(COSIGNATURE_V1_LENGTH);
      expect(cosignatureTimestamp(witness)).toBe(1679315147);
    });
  });

  describe('when the signature is a plain 64-byte Ed25519 signature', () => {
    it('throws ERR_MALFORMED_COSIGNATURE', () => {
      const plain = parseNote(SPEC_EXAMPLE).signatures[0]!;
      expect(() => cosignatureTimestamp(plain)).toThrow(code('ERR_MALFORMED_COSIGNATURE'));
    });
  });
});

describe('verifyCosignature', () => {
  const good = parseNote(`${CHECKPOINT}\n${KAT.line}`).signatures[0]!;

  describe('when given the known-answer cosignature', () => {
    it('returns its timestamp', () => {
      expect(verifyCosignature(CHECKPOINT, good, katVerifier)).toEqual({ timestamp: KAT.timestamp });
      expect(verifyCosignature(CHECKPOINT, good, parseVerifierKey(KAT.vkey))).toEqual({ timestamp: KAT.timestamp });
    });
  });

  describe('when the timestamp was changed', () => {
    it.each([KAT.timestamp + 1, KAT.timestamp - 1, 0])('rejects time %d with ERR_BAD_SIGNATURE', (t) => {
      const signature = Uint8Array.from(good.signature);
      new DataView(signature.buffer).setBigUint64(0, BigInt(t));
      expect(() => verifyCosignature(CHECKPOINT, { ...good, signature }, katVerifier)).toThrow(
        code('ERR_BAD_SIGNATURE'),
      );
    });
  });

  describe('when the timestamp does not fit a safe integer', () => {
    it('rejects it with ERR_MALFORMED_COSIGNATURE', () => {
      const signature = Uint8Array.from(good.signature);
      new DataView(signature.buffer).setBigUint64(0, 2n ** 63n - 1n);
      expect(() => verifyCosignature(CHECKPOINT, { ...good, signature }, katVerifier)).toThrow(
        code('ERR_MALFORMED_COSIGNATURE'),
      );
    });
  });

  describe('when the checkpoint body differs', () => {
    it('rejects another checkpoint with ERR_BAD_SIGNATURE', () => {
      expect(() => verifyCosignature(OTHER_CHECKPOINT, good, katVerifier)).toThrow(code('ERR_BAD_SIGNATURE'));
    });

    it('rejects an extension line added after signing with ERR_BAD_SIGNATURE', () => {
      expect(() => verifyCosignature(`${CHECKPOINT}ext\n`, good, katVerifier)).toThrow(code('ERR_BAD_SIGNATURE'));
    });

    it('rejects a text that is not a checkpoint with ERR_MALFORMED_CHECKPOINT', () => {
      expect(() => verifyCosignature('hello\n', good, katVerifier)).toThrow(code('ERR_MALFORMED_CHECKPOINT'));
    });
  });

  describe('when the key is wrong', () => {
    it('rejects a cosignature by another cosigner with ERR_UNKNOWN_KEY', () => {
      const other = cosignatureVerifier(KAT.name, ed25519Signer('x', new Uint8Array(32).fill(1)).publicKey);
      expect(() => verifyCosignature(CHECKPOINT, good, other)).toThrow(code('ERR_UNKNOWN_KEY'));
    });

    it('rejects a verifier with the right name and key ID but another key with ERR_BAD_SIGNATURE', () => {
      const other = cosignatureVerifier(KAT.name, ed25519Signer('x', new Uint8Array(32).fill(1)).publicKey);
      const impostor = { name: katVerifier.name, keyHash: katVerifier.keyHash, verify: other.verify };
      expect(() => verifyCosignature(CHECKPOINT, good, impostor)).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when the signature type does not match', () => {
    it('rejects a plain Ed25519 (0x01) verifier of the same key with ERR_INVALID_KEY', () => {
      const plain = ed25519Verifier(KAT.name, katPublicKey);
      expect(() => verifyCosignature(CHECKPOINT, { ...good, keyHash: plain.keyHash }, plain)).toThrow(
        code('ERR_INVALID_KEY'),
      );
    });

    it('rejects a plain Ed25519 signature by the same key with ERR_MALFORMED_COSIGNATURE', () => {
      const plainSig = ed25519Signer(KAT.name, KAT.seed).sign(utf8(CHECKPOINT));
      const sig = { ...good, signature: plainSig };
      expect(() => verifyCosignature(CHECKPOINT, sig, katVerifier)).toThrow(code('ERR_MALFORMED_COSIGNATURE'));
    });

    it('does not let a plain Ed25519 verifier open a cosigned note (key IDs differ)', () => {
      const note = `${CHECKPOINT}\n${KAT.line}`;
      expect(() => openNote(note, [ed25519Verifier(KAT.name, katPublicKey)])).toThrow(
        code('ERR_NO_VERIFIED_SIGNATURE'),
      );
    });

    it('does not verify an Ed25519 signature over the cosignature message without the timestamp prefix', () => {
      const message = cosignatureMessage(CHECKPOINT, KAT.timestamp);
      const raw = ed25519Signer(KAT.name, KAT.seed).sign(message);
      const wrongLayout = concatBytes(raw, new Uint8Array(8)); // signature || timestamp, reversed
      expect(katVerifier.verify(utf8(CHECKPOINT), wrongLayout)).toBe(false);
    });
  });

  describe('when the cosigner signed a note whose text is not a checkpoint', () => {
    it('its verifier returns false, so openNote reports ERR_BAD_SIGNATURE', () => {
      const text = 'not\na\ncheckpoint\n';
      const raw = ed25519Signer(KAT.name, KAT.seed).sign(cosignatureMessage(text, 5));
      const signature = concatBytes(new Uint8Array(8), raw);
      new DataView(signature.buffer).setBigUint64(0, 5n);
      const note = `${text}\n${formatSignatureLine({ name: KAT.name, keyHash: katVerifier.keyHash, signature })}`;
      expect(() => openNote(note, [katVerifier])).toThrow(code('ERR_BAD_SIGNATURE'));
    });
  });

  describe('when a single bit of the checkpoint or the signature is flipped', () => {
    it('rejects the cosignature (property)', () => {
      const textBytes = utf8(CHECKPOINT);
      const total = (textBytes.length + good.signature.length) * 8;
      fc.assert(
        fc.property(fc.integer({ min: 0, max: total - 1 }), (bit) => {
          const text = Uint8Array.from(textBytes);
          const signature = Uint8Array.from(good.signature);
          const byte = bit >> 3;
          if (byte < text.length) text[byte]! ^= 1 << (bit & 7);
          else signature[byte - text.length]! ^= 1 << (bit & 7);
          const flippedText = new TextDecoder('utf-8', { ignoreBOM: true }).decode(text);
          expect(() => verifyCosignature(flippedText, { ...good, signature }, katVerifier)).toThrow(GovfedError);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('cosignatureVerifier', () => {
  describe('when the public key is invalid', () => {
    it('throws ERR_INVALID_KEY', () => {
      expect(() => cosignatureVerifier('w', concatBytes(Uint8Array.of(1), new Uint8Array(31)))).toThrow(
        code('ERR_INVALID_KEY'),
      );
    });
  });

  describe('when the key is shown as a vkey', () => {
    it('carries type 0x04', () => {
      expect(katVerifier.vkey.split('+')[2]).toBe(toBase64(concatBytes(Uint8Array.of(4), katPublicKey)));
    });
  });
});
