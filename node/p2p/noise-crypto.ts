/**
 * Noise's ChaCha20-Poly1305 with the session key prepared once (issue 17). @chainsafe/libp2p-noise's
 * default crypto seals frames of 1,200 bytes and more with node:crypto, handing it the raw 32-byte key on
 * every frame: Node then tests whether that key is a KeyObject or a CryptoKey by throwing and catching
 * internally, twice per frame — in the charter bench at N = 20 that alone was ~5 % of the whole
 * federation's CPU (docs/benchmarks.md, "where a version's CPU goes"). Here each session key becomes
 * one KeyObject, kept while the noise session holds the key (by identity, its bytes checked on every
 * use, so a key changed in place is never used stale). Smaller frames, hashing and the handshake stay
 * the library's own (its WebAssembly path below 1,200 bytes). Same ciphertexts, same checks: only where
 * the key object comes from differs; test/node/p2p/noise-crypto.test.ts compares with the library.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import type { ICryptoInterface } from '@chainsafe/libp2p-noise';
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto';

const CHACHA_POLY1305 = 'chacha20-poly1305';
const TAG_BYTES = 16;
/** Below this, the library's WebAssembly ChaCha20-Poly1305 is faster than node:crypto (its own bound). */
const NODE_CRYPTO_FROM_BYTES = 1200;

/** Session keys as KeyObjects, by the key's Uint8Array (a noise CipherState keeps one for its life). */
const prepared = new WeakMap<Uint8Array, { bytes: Uint8Array; key: KeyObject }>();

function keyObject(k: Uint8Array): KeyObject {
  const held = prepared.get(k);
  if (held !== undefined && Buffer.compare(held.bytes, k) === 0) return held.key;
  const entry = { bytes: Uint8Array.from(k), key: createSecretKey(k) };
  prepared.set(k, entry);
  return entry.key;
}

/** What noise hands over: one buffer, or a list of them (read here as one: `subarray()` joins a list). */
type Bytes = Parameters<ICryptoInterface['chaCha20Poly1305Encrypt']>[0];

function encrypt(plaintext: Bytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array): Bytes {
  if (plaintext.byteLength < NODE_CRYPTO_FROM_BYTES)
    return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k);
  const text = plaintext.subarray();
  const cipher = createCipheriv(CHACHA_POLY1305, keyObject(k), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(ad, { plaintextLength: text.byteLength });
  const updated = cipher.update(text);
  const final = cipher.final();
  const tag = cipher.getAuthTag();
  return Buffer.concat([updated, final, tag], updated.byteLength + final.byteLength + tag.byteLength);
}

function decrypt(ciphertext: Bytes, nonce: Uint8Array, ad: Uint8Array, k: Uint8Array, dst?: Uint8Array): Bytes {
  if (ciphertext.byteLength < NODE_CRYPTO_FROM_BYTES) {
    return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst);
  }
  const tag = ciphertext.subarray(ciphertext.byteLength - TAG_BYTES);
  const text = ciphertext.subarray(0, ciphertext.byteLength - TAG_BYTES);
  const decipher = createDecipheriv(CHACHA_POLY1305, keyObject(k), nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(ad, { plaintextLength: text.byteLength });
  decipher.setAuthTag(tag);
  const out = decipher.update(text);
  const final = decipher.final(); // throws when the tag does not match
  return final.byteLength > 0 ? Buffer.concat([out, final], out.byteLength + final.byteLength) : out;
}

/** The noise crypto the host uses: the library's default with the session key prepared once. */
export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt: encrypt,
  chaCha20Poly1305Decrypt: decrypt,
};
