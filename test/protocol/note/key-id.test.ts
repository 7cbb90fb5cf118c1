import { describe, expect, it } from 'vitest';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { concatBytes, fromBase64 } from '../../../protocol/encoding/bytes.ts';
import {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  formatKeyHash,
  formatSignerKey,
  formatVerifierKey,
  keyHash,
  splitKeyFields,
} from '../../../protocol/note/key-id.ts';

// From the package documentation of golang.org/x/mod/sumdb/note.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';

describe('keyHash', () => {
  describe('when given the Go documentation key', () => {
    it('is SHA-256(name || 0x0A || 0x01 || key)[:4] big-endian', () => {
      const keyWithAlg = fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
      expect(keyHash('PeterNeumann', keyWithAlg)).toBe(0xc74f20a3);
    });
  });

  describe('when the signature type byte differs', () => {
    it('gives a different key ID for the same name and key', () => {
      const { publicKey } = keyPairFromSeed(new Uint8Array(32).fill(7));
      const plain = keyHash('w', concatBytes(Uint8Array.of(ALG_ED25519), publicKey));
      const cosig = keyHash('w', concatBytes(Uint8Array.of(ALG_COSIGNATURE_V1), publicKey));
      expect(plain).not.toBe(cosig);
    });
  });

  describe('when the top bit of the hash is set', () => {
    it('returns an unsigned 32-bit number', () => {
      const h = keyHash('PeterNeumann', fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'));
      expect(h).toBeGreaterThan(0x7fffffff);
      expect(Number.isInteger(h)).toBe(true);
    });
  });
});

describe('formatKeyHash', () => {
  describe('when the hash has leading zero nibbles', () => {
    it('pads to 8 lowercase hex digits', () => {
      expect(formatKeyHash(0x81e578a)).toBe('081e578a');
      expect(formatKeyHash(0)).toBe('00000000');
      expect(formatKeyHash(0xc74f20a3)).toBe('c74f20a3');
    });
  });
});

describe('formatVerifierKey', () => {
  describe('when given the Go documentation key', () => {
    it('reproduces the Go vkey string', () => {
      expect(formatVerifierKey('PeterNeumann', fromBase64('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'))).toBe(
        GO_VKEY,
      );
    });
  });
});

describe('formatSignerKey', () => {
  describe('when given the Go documentation key', () => {
    it('reproduces the Go skey string', () => {
      const priv = fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz');
      expect(formatSignerKey('PeterNeumann', 0xc74f20a3, priv)).toBe(GO_SKEY);
    });
  });
});

describe('splitKeyFields', () => {
  describe('when the key string is well-formed', () => {
    it('splits at the first two "+" (base64 may contain more)', () => {
      const f = splitKeyFields(GO_SKEY.slice('PRIVATE+KEY+'.length));
      expect(f?.name).toBe('PeterNeumann');
      expect(f?.hash).toBe(0xc74f20a3);
      expect(f?.alg).toBe(ALG_ED25519);
      expect(f?.key).toEqual(fromBase64('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz').slice(1));
    });
  });

  describe('when a field is malformed', () => {
    it.each([
      ['no "+"', 'PeterNeumann'],
      ['one "+"', 'PeterNeumann+c74f20a3'],
      ['upper-case hex', 'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['7 hex digits', 'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['9 hex digits', 'PeterNeumann+c74f20a30+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['empty name', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['space in name', 'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'],
      ['empty key data', 'PeterNeumann+c74f20a3+'],
      ['unpadded base64', 'PeterNeumann+c74f20a3+AQ'],
      ['non-canonical base64', 'PeterNeumann+c74f20a3+AR=='],
      ['URL-safe base64', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW'],
    ])('rejects %s', (_why, s) => {
      expect(splitKeyFields(s)).toBeUndefined();
    });
  });

  describe('when the hash does not match the key', () => {
    it('still splits: the hash is checked by the caller', () => {
      expect(splitKeyFields(`x+00000000+${'A'.repeat(4)}`)?.hash).toBe(0);
    });
  });
});
