import { generateKeyPair as generateLibp2pKey, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { describe, expect, it } from 'vitest';
import { logOrigin, newLogKey, newPeerKey, parseLogKey, peerIdOfKey } from '../../../node/home/keys.ts';
import { keyPairFromSeed } from '../../../protocol/crypto/ed25519.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { toHex } from '../../../protocol/encoding/bytes.ts';
import { cosignatureSignerKey, parseVerifierKey } from '../../../protocol/note/index.ts';

describe('logOrigin', () => {
  describe('when given an org and a public key', () => {
    it('is govfed/<org>/<first 8 hex of SHA-256(key)>', () => {
      const { publicKey } = keyPairFromSeed(new Uint8Array(32).fill(7));
      expect(logOrigin('eu', publicKey)).toBe(`govfed/eu/${toHex(sha256(publicKey)).slice(0, 8)}`);
    });
  });
});

describe('newLogKey / parseLogKey', () => {
  describe('when a new key is parsed back', () => {
    it('gives a signer named by the origin whose verifier key is the published one', () => {
      const k = newLogKey('eu');
      expect(k.signerKey.startsWith(`PRIVATE+KEY+${k.origin}+`)).toBe(true);
      const parsed = parseLogKey(`${k.signerKey}\n`);
      expect(parsed.signer.name).toBe(k.origin);
      expect(parsed.verifierKey).toBe(k.verifierKey);
      expect(logOrigin('eu', parsed.publicKey)).toBe(k.origin);
      expect(parseVerifierKey(k.verifierKey).publicKey).toEqual(parsed.publicKey);
    });
  });

  describe('when the key is not an Ed25519 note signer key', () => {
    it('throws ERR_INVALID_CONFIG for garbage and for a cosignature key', () => {
      expect(() => parseLogKey('hello')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
      const cosigner = cosignatureSignerKey('witness', new Uint8Array(32).fill(1));
      expect(() => parseLogKey(cosigner)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    });
  });
});

describe('newPeerKey / peerIdOfKey', () => {
  describe('when a new key is read back', () => {
    it('derives the same Ed25519 peer id', async () => {
      const k = await newPeerKey();
      expect(k.peerId).toMatch(/^12D3KooW/);
      expect(peerIdOfKey(k.protobuf)).toBe(k.peerId);
    });
  });

  describe('when the key is not an Ed25519 libp2p key', () => {
    it('throws ERR_INVALID_CONFIG', async () => {
      expect(() => peerIdOfKey(new Uint8Array([1, 2, 3]))).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
      const secp = privateKeyToProtobuf(await generateLibp2pKey('secp256k1'));
      expect(() => peerIdOfKey(secp)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }));
    });
  });
});
