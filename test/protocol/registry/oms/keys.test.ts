import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type HashName,
  parsePublicKeyPem,
  parseSpki,
  publicKeyHint,
  publicKeyPem,
  verifySignature,
} from '../../../../protocol/registry/oms/keys.ts';
import { code, PUB } from './fixtures.ts';

const spkiOf = (k: Parameters<typeof createPublicKey>[0]) =>
  new Uint8Array(createPublicKey(k).export({ format: 'der', type: 'spki' }));

describe('verifySignature', () => {
  describe('when OpenSSL signed with ECDSA (DER signatures)', () => {
    it.each([
      ['P-256', 'sha256'],
      ['P-256', 'sha384'],
      ['P-384', 'sha384'],
      ['P-384', 'sha256'],
      ['P-521', 'sha512'],
    ] as const)('verifies %s with %s, and refuses another message', (curve, hash) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const key = parseSpki(spkiOf(privateKey));
      const sig = sign(hash, Buffer.from('model'), { key: privateKey, dsaEncoding: 'der' });
      expect(verifySignature(key, hash, Buffer.from('model'), sig)).toBe(true);
      expect(verifySignature(key, hash, Buffer.from('modem'), sig)).toBe(false);
      expect(verifySignature(key, hash, Buffer.from('model'), sig.subarray(1))).toBe(false);
    });
  });

  describe('when OpenSSL signed with RSA PKCS #1 v1.5', () => {
    it.each(['sha256', 'sha384', 'sha512'] as HashName[])('verifies %s, and refuses a flipped bit', (hash) => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key = parseSpki(spkiOf(privateKey));
      const sig = sign(hash, Buffer.from('tbs'), privateKey);
      expect(verifySignature(key, hash, Buffer.from('tbs'), sig)).toBe(true);
      sig.writeUInt8(sig.readUInt8(10) ^ 1, 10);
      expect(verifySignature(key, hash, Buffer.from('tbs'), sig)).toBe(false);
    });
  });
});

describe('publicKeyHint', () => {
  it("is the SHA-256 of the key's canonical PEM, the hint the reference wrote in v1.1.0-elliptic-key", () => {
    // signing-key-pub.pem has a text dump before the PEM block; the hint is over the canonical PEM only.
    const key = parsePublicKeyPem(PUB);
    expect(publicKeyHint(key.spki)).toBe('e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e');
    expect(publicKeyPem(key.spki)).toBe(createPublicKey(PUB).export({ format: 'pem', type: 'spki' }));
  });
});

describe('parsePublicKeyPem', () => {
  it('refuses curves and algorithms OMS does not use: ERR_UNSUPPORTED_ALGORITHM', () => {
    for (const pem of [
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'pem', type: 'spki' }),
      generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }),
    ]) {
      expect(() => parsePublicKeyPem(pem as string)).toThrow(code('ERR_UNSUPPORTED_ALGORITHM'));
    }
  });

  it('refuses what is not a public key: ERR_INVALID_KEY', () => {
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    for (const text of [
      priv as string,
      'hello',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      'x'.repeat(70_000),
    ]) {
      expect(() => parsePublicKeyPem(text)).toThrow(code('ERR_INVALID_KEY'));
    }
  });

  it('refuses an RSA key under 2048 bits', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    expect(() => parsePublicKeyPem(small as string)).toThrow(code('ERR_INVALID_KEY'));
  });
});
