import { describe, expect, it } from 'vitest';
import { chooseVerifierKey, openNoteUnder } from '../../cli/checkpoint.ts';
import { ExitCode } from '../../cli/exit.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { ed25519Signer, ed25519VerifierKey, signCheckpoint } from '../../protocol/note/index.ts';

const ORIGIN = 'govfed/acme/00c0ffee';
const key = generateKeyPair();
const vkey = ed25519VerifierKey(ORIGIN, key.publicKey);
const otherKey = ed25519VerifierKey(ORIGIN, generateKeyPair().publicKey);
const note = signCheckpoint(
  { origin: ORIGIN, size: 5, rootHash: new Uint8Array(32).fill(7), extensions: [] },
  ed25519Signer(ORIGIN, key.seed),
);

describe('chooseVerifierKey', () => {
  describe('when no key is pinned', () => {
    it("uses the node's key", () => {
      expect(chooseVerifierKey(undefined, vkey)).toBe(vkey);
    });
  });

  describe('when the pinned key is the reported one', () => {
    it('uses it', () => {
      expect(chooseVerifierKey(vkey, vkey)).toBe(vkey);
    });
  });

  describe('when the node reports another key than the pinned one', () => {
    it('fails the check (exit 1, ERR_UNKNOWN_KEY)', () => {
      expect(() => chooseVerifierKey(vkey, otherKey)).toThrow(
        expect.objectContaining({ code: 'ERR_UNKNOWN_KEY', exitCode: ExitCode.CHECK_FAILED }),
      );
    });
  });
});

describe('openNoteUnder', () => {
  describe('when the note is signed by the key', () => {
    it('returns the parsed checkpoint', () => {
      expect(openNoteUnder(note, vkey).checkpoint).toMatchObject({ origin: ORIGIN, size: 5 });
    });
  });

  describe('when it is not', () => {
    it('fails the check with the protocol code (exit 1)', () => {
      expect(() => openNoteUnder(note, otherKey)).toThrow(
        expect.objectContaining({ code: 'ERR_NO_VERIFIED_SIGNATURE', exitCode: ExitCode.CHECK_FAILED }),
      );
      expect(() => openNoteUnder(note.replace('\n5\n', '\n6\n'), vkey)).toThrow(
        expect.objectContaining({ exitCode: ExitCode.CHECK_FAILED }),
      );
    });
  });
});
