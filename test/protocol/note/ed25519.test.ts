import { describe, expect, it } from 'vitest';
import { concatBytes, fromBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import { ed25519Signer, ed25519Verifier } from '../../../protocol/note/ed25519.ts';
import { ALG_ED25519 } from '../../../protocol/note/key-id.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const GO_SEED = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').slice(1);
const GO_PUB = fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').slice(1);

describe('ed25519Signer', () => {
  describe('when signing the same text twice', () => {
    it('is deterministic (RFC 8032) and 64 bytes', () => {
      const s = ed25519Signer('PeterNeumann', GO_SEED);
      const a = s.sign(utf8('hello\n'));
      expect(a).toHaveLength(64);
      expect(s.sign(utf8('hello\n'))).toEqual(a);
    });
  });

  describe('when the seed is not 32 bytes', () => {
    it('throws ERR_INVALID_LENGTH', () => {
      expect(() => ed25519Signer('x', new Uint8Array(33))).toThrow(code('ERR_INVALID_LENGTH'));
    });
  });
});

describe('ed25519Verifier', () => {
  describe('when built from the Go documentation key', () => {
    it('has its vkey, alg and key ID', () => {
      const v = ed25519Verifier('PeterNeumann', GO_PUB);
      expect(v.alg).toBe(ALG_ED25519);
      expect(v.keyHash).toBe(0xc74f20a3);
      expect(v.vkey).toBe('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    });
  });

  describe('when the signature is not 64 bytes or does not match', () => {
    it('returns false without throwing', () => {
      const s = ed25519Signer('PeterNeumann', GO_SEED);
      const v = ed25519Verifier('PeterNeumann', GO_PUB);
      const sig = s.sign(utf8('hello\n'));
      expect(v.verify(utf8('hello\n'), sig)).toBe(true);
      expect(v.verify(utf8('hello\n'), sig.slice(1))).toBe(false);
      expect(v.verify(utf8('hello\n'), concatBytes(sig, Uint8Array.of(0)))).toBe(false);
      expect(v.verify(utf8('hellp\n'), sig)).toBe(false);
    });
  });

  describe('when the caller mutates the key it passed in', () => {
    it('keeps verifying with the original key', () => {
      const pub = Uint8Array.from(GO_PUB);
      const v = ed25519Verifier('PeterNeumann', pub);
      pub.fill(0);
      expect(v.verify(utf8('hello\n'), ed25519Signer('PeterNeumann', GO_SEED).sign(utf8('hello\n')))).toBe(true);
    });
  });

  describe('when the public key is small-order or the wrong length', () => {
    it('throws ERR_INVALID_KEY', () => {
      const identity = concatBytes(Uint8Array.of(1), new Uint8Array(31));
      expect(() => ed25519Verifier('x', identity)).toThrow(code('ERR_INVALID_KEY'));
      expect(() => ed25519Verifier('x', GO_PUB.slice(1))).toThrow(code('ERR_INVALID_KEY'));
    });
  });
});
