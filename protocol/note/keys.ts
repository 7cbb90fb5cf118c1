/**
 * What a note key is to the rest of protocol/note: a signer, a verifier, and a verifier built from a
 * known public key. Only interfaces — the Ed25519 (ed25519.ts) and cosignature/v1 (cosignature.ts) keys
 * implement them, and verifier.ts parses key strings into them — so the note, checkpoint and key
 * modules all depend on this file and none on another's implementation (no import cycle).
 */

/** Signs note texts with one key. */
export interface NoteSigner {
  /** Key name, as in the signature line. */
  readonly name: string;
  /** Key ID (uint32) of the public key. */
  readonly keyHash: number;
  /** The signature bytes for `message` (the note text), without the key ID. */
  sign(message: Uint8Array): Uint8Array;
}

/** Verifies note signatures by one key. `verify` must not throw; it returns false when in doubt. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** A verifier built from a known public key. */
export interface KeyedVerifier extends NoteVerifier {
  readonly publicKey: Uint8Array;
  /** Signature type byte: ALG_ED25519 or ALG_COSIGNATURE_V1. */
  readonly alg: number;
  /** The canonical verifier key string. */
  readonly vkey: string;
}
