/**
 * Small helpers of AuditLog: checks of the numbers callers pass (indexes and tree sizes, with protocol
 * error codes), the default verifier of the log key, and plain views of LevelDB values.
 */
import type { Ed25519Verify } from '../../protocol/crypto/ed25519.ts';
import { GovfedError } from '../../protocol/errors.ts';
import { ed25519Verifier, type NoteSigner, type NoteVerifier } from '../../protocol/note/index.ts';
import { opensslVerify } from '../crypto/ed25519.ts';

export function assertIndexArg(n: unknown, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new GovfedError('ERR_INDEX_OUT_OF_RANGE', `${what}: expected a non-negative integer, got ${String(n)}`);
  }
}

export function assertSizeArg(n: unknown, size: number, what: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > size) {
    throw new GovfedError('ERR_INVALID_TREE_SIZE', `${what}: expected an integer in [0, ${size}], got ${String(n)}`);
  }
}

/** The Ed25519 verifier of `signer`'s public key, checking with `verify` (node/crypto's opensslVerify). */
export function defaultVerifier(signer: NoteSigner, verify: Ed25519Verify = opensslVerify): NoteVerifier {
  const pub = (signer as { publicKey?: unknown }).publicKey;
  if (!(pub instanceof Uint8Array)) {
    throw new GovfedError('ERR_INVALID_INPUT', 'AuditLog: pass opts.verifier (the signer has no publicKey)');
  }
  return ed25519Verifier(signer.name, pub, { verify });
}

/** A plain Uint8Array view of a value LevelDB returned as a Buffer (no copy). */
export function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
