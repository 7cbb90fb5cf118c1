/**
 * Plain Ed25519 note signatures (signature type 0x01, c2sp.org/signed-note): an RFC 8032 signature
 * over the note text bytes (including its final newline). Verification is the strict RFC 8032 mode
 * pinned in protocol/crypto/ed25519.ts.
 */
import { assertPublicKey, keyPairFromSeed, sign, type VerifyOptions, verify } from '../crypto/ed25519.ts';
import { assertBytes, concatBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { ALG_ED25519, formatVerifierKey, keyHash } from './key-id.ts';
import { isValidKeyName } from './key-name.ts';
import type { KeyedVerifier, NoteSigner } from './keys.ts';

/** Throws ERR_INVALID_INPUT unless `name` is a valid key name. */
export function assertKeyName(name: unknown): asserts name is string {
  if (!isValidKeyName(name)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'key name must be non-empty, without spaces, "+" or control characters');
  }
}

/** A verifier for Ed25519 note signatures by `publicKey` under `name`, checking with `opts.verify`. */
export function ed25519Verifier(name: string, publicKey: Uint8Array, opts: VerifyOptions = {}): KeyedVerifier {
  const check = opts.verify ?? verify;
  assertKeyName(name);
  assertPublicKey(publicKey, 'note verifier public key');
  const pub = Uint8Array.from(publicKey);
  const keyBytesWithAlg = concatBytes(Uint8Array.of(ALG_ED25519), pub);
  return {
    name,
    keyHash: keyHash(name, keyBytesWithAlg),
    alg: ALG_ED25519,
    publicKey: Uint8Array.from(pub),
    vkey: formatVerifierKey(name, keyBytesWithAlg),
    verify: (message, signature) => check(signature, message, pub),
  };
}

/** A signer producing Ed25519 note signatures with the key derived from `seed` (32 bytes). */
export function ed25519Signer(name: string, seed: Uint8Array): NoteSigner & { readonly publicKey: Uint8Array } {
  assertKeyName(name);
  assertBytes(seed, 32, 'ed25519 seed');
  const { seed: ownSeed, publicKey } = keyPairFromSeed(seed);
  return {
    name,
    keyHash: keyHash(name, concatBytes(Uint8Array.of(ALG_ED25519), publicKey)),
    publicKey,
    sign: (message) => sign(message, ownSeed),
  };
}
