import { randomBytes } from 'node:crypto';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';
import { describe, expect, it } from 'vitest';
import { noiseCrypto } from '../../../node/p2p/noise-crypto.ts';
import { messageId } from '../../../node/p2p/pubsub.ts';
import { gossipMessageId } from '../../../protocol/federation/gossip.ts';

const bytes = (x: { subarray(): Uint8Array }) => Buffer.from(x.subarray());

describe('noiseCrypto (the session key prepared once)', () => {
  // both sides of the library's 1,200-byte switch, and noise's largest frame
  for (const size of [0, 100, 1199, 1200, 5000, 65519]) {
    it(`seals and opens ${size} bytes exactly as the library does`, () => {
      const k = randomBytes(32);
      const nonce = randomBytes(12);
      const ad = randomBytes(32);
      const plain = randomBytes(size);
      const ours = noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k);
      expect(bytes(ours)).toEqual(bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)));
      // the same key again (now prepared): same result; and the library opens ours
      expect(bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))).toEqual(bytes(ours));
      expect(bytes(defaultCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k))).toEqual(plain);
      expect(bytes(noiseCrypto.chaCha20Poly1305Decrypt(ours, nonce, ad, k))).toEqual(plain);
    });
  }

  it('refuses a tampered frame, a wrong nonce and a wrong key (above the switch)', () => {
    const k = randomBytes(32);
    const nonce = randomBytes(12);
    const ad = randomBytes(32);
    const sealed = Buffer.from(noiseCrypto.chaCha20Poly1305Encrypt(randomBytes(4000), nonce, ad, k).subarray());
    const flipped = Buffer.from(sealed);
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(flipped, nonce, ad, k)).toThrow();
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, randomBytes(12), ad, k)).toThrow();
    expect(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, randomBytes(32))).toThrow();
  });

  it('never uses a key changed in place with its old value', () => {
    const k = randomBytes(32);
    const nonce = randomBytes(12);
    const ad = new Uint8Array(0);
    const plain = randomBytes(3000);
    noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k); // k prepared
    k.set(randomBytes(32)); // same object, new bytes
    expect(bytes(noiseCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k))).toEqual(
      bytes(defaultCrypto.chaCha20Poly1305Encrypt(plain, nonce, ad, k)),
    );
  });
});

describe('messageId', () => {
  it("is protocol/'s gossipMessageId (SHA-256 of the wire bytes)", () => {
    for (const size of [0, 1, 64, 5000]) {
      const data = randomBytes(size);
      expect(Buffer.from(messageId(data))).toEqual(Buffer.from(gossipMessageId(data)));
    }
  });
});
