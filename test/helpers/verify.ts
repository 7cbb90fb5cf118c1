/**
 * Injected Ed25519 verifiers for tests that prove a service checks signatures with the verifier it was
 * given (protocol/crypto/ed25519.ts VerifyOptions) and not with protocol/'s pure default.
 */
import { opensslVerify } from '../../node/crypto/ed25519.ts';
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';

export interface RecordingVerifier {
  /** node/crypto's opensslVerify, recording each call. */
  readonly verify: Ed25519Verify;
  /** How many signatures it checked. */
  calls(): number;
  /** Hex public keys it checked signatures of. */
  readonly keys: Set<string>;
}

/** A verifier with opensslVerify's results that records every call. */
export function recordingVerifier(): RecordingVerifier {
  let n = 0;
  const keys = new Set<string>();
  return {
    verify: (signature, message, publicKey) => {
      n++;
      if (publicKey instanceof Uint8Array) keys.add(toHex(publicKey));
      return opensslVerify(signature, message, publicKey);
    },
    calls: () => n,
    keys,
  };
}

/** A verifier that rejects every signature: whatever a service checks with it fails. */
export const rejectAll: Ed25519Verify = () => false;
