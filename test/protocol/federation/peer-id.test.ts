import { generateKeyPair as libp2pGenerateKeyPair, privateKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey as libp2pPeerIdFromPrivateKey } from '@libp2p/peer-id';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../protocol/crypto/ed25519.ts';
import { equalBytes } from '../../../protocol/encoding/bytes.ts';
import {
  fromBase58btc,
  isPeerId,
  peerIdFromSeed,
  peerIdToPublicKey,
  publicKeyToPeerId,
  toBase58btc,
} from '../../../protocol/federation/peer-id.ts';

const code = (c: string) => expect.objectContaining({ code: c });

// @libp2p/peer-id 5 is typed against @libp2p/interface 2 and @libp2p/crypto 5.1.23 against interface 3;
// the key objects are the same at run time, only their declared types differ.
function peerIdFromPrivateKey(key: unknown) {
  return libp2pPeerIdFromPrivateKey(key as Parameters<typeof libp2pPeerIdFromPrivateKey>[0]);
}

describe('publicKeyToPeerId', () => {
  describe('when given the key of a libp2p-generated Ed25519 identity', () => {
    it('produces the same string as @libp2p/peer-id', async () => {
      for (let i = 0; i < 8; i++) {
        const key = await libp2pGenerateKeyPair('Ed25519');
        const expected = peerIdFromPrivateKey(key).toString();
        expect(publicKeyToPeerId(key.publicKey.raw)).toBe(expected);
        expect(expected.startsWith('12D3KooW')).toBe(true);
      }
    });
  });

  describe('when given our own key pair', () => {
    it('matches libp2p for a private key built from seed || public key', () => {
      const kp = generateKeyPair();
      const raw = new Uint8Array(64);
      raw.set(kp.seed, 0);
      raw.set(kp.publicKey, 32);
      expect(peerIdFromSeed(kp.seed)).toBe(peerIdFromPrivateKey(privateKeyFromRaw(raw)).toString());
    });
  });

  describe('when the key is not a valid Ed25519 point', () => {
    it('throws ERR_INVALID_KEY for a wrong length', () => {
      expect(() => publicKeyToPeerId(new Uint8Array(31))).toThrow(code('ERR_INVALID_KEY'));
    });
    it('throws ERR_INVALID_KEY for a small-order key', () => {
      expect(() => publicKeyToPeerId(new Uint8Array(32))).toThrow(code('ERR_INVALID_KEY'));
    });
  });
});

describe('peerIdToPublicKey', () => {
  describe('when given a libp2p Ed25519 peer id', () => {
    it('returns the public key libp2p put in it', async () => {
      const key = await libp2pGenerateKeyPair('Ed25519');
      const pub = peerIdToPublicKey(peerIdFromPrivateKey(key).toString());
      expect(equalBytes(pub, key.publicKey.raw)).toBe(true);
    });
  });

  describe('when given a non-Ed25519 peer id', () => {
    it('throws ERR_INVALID_KEY for secp256k1 and RSA ids', async () => {
      const secp = peerIdFromPrivateKey(await libp2pGenerateKeyPair('secp256k1')).toString();
      expect(() => peerIdToPublicKey(secp)).toThrow(code('ERR_INVALID_KEY'));
      expect(() => peerIdToPublicKey('Qmd7yLp9HLtJ1neroaa3kVn8NKBtFjELJfkVYHJEFWKDMu')).toThrow(
        code('ERR_INVALID_KEY'),
      );
    });
    it('throws ERR_INVALID_KEY for the CID form', async () => {
      const cid = peerIdFromPrivateKey(await libp2pGenerateKeyPair('Ed25519'))
        .toCID()
        .toString();
      expect(() => peerIdToPublicKey(cid)).toThrow(code('ERR_INVALID_KEY'));
    });
  });

  describe('when the string is malformed', () => {
    const good = peerIdFromSeed(new Uint8Array(32).fill(7));
    it('throws ERR_INVALID_KEY for characters outside the alphabet', () => {
      expect(() => peerIdToPublicKey(`${good.slice(0, -1)}0`)).toThrow(code('ERR_INVALID_KEY'));
    });
    it('throws ERR_INVALID_KEY for a truncated or extended id', () => {
      expect(() => peerIdToPublicKey(good.slice(0, -1))).toThrow(code('ERR_INVALID_KEY'));
      expect(() => peerIdToPublicKey(`${good}1`)).toThrow(code('ERR_INVALID_KEY'));
    });
    it('throws ERR_INVALID_KEY for a non-string', () => {
      expect(() => peerIdToPublicKey(42 as unknown as string)).toThrow(code('ERR_INVALID_KEY'));
    });
    it('throws ERR_INVALID_KEY for an id whose key is small order', () => {
      const bytes = new Uint8Array(38);
      bytes.set([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]);
      const id = toBase58btc(bytes);
      expect(id.length).toBe(52);
      expect(() => peerIdToPublicKey(id)).toThrow(code('ERR_INVALID_KEY'));
    });
  });

  describe('for any key', () => {
    it('round-trips, and isPeerId agrees', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
          const id = peerIdFromSeed(seed);
          expect(isPeerId(id)).toBe(true);
          expect(publicKeyToPeerId(peerIdToPublicKey(id))).toBe(id);
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe('toBase58btc', () => {
  describe('for any bytes', () => {
    it('round-trips through fromBase58btc, keeping leading zeros', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
          expect(equalBytes(fromBase58btc(toBase58btc(b)), b)).toBe(true);
        }),
      );
    });
  });
  describe('with a known answer', () => {
    it('encodes "hello world" as in the base58btc spec', () => {
      expect(toBase58btc(new TextEncoder().encode('hello world'))).toBe('StV1DL6CwTryKyV');
      expect(toBase58btc(Uint8Array.of(0, 0, 0x28, 0x7f, 0xb4, 0xcd))).toBe('11233QC4');
    });
  });
});
