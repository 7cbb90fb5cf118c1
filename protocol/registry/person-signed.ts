/**
 * What registrations and approvals share: an in-toto Statement v1 in a DSSE envelope signed by exactly
 * one person's own key, believed only once that key is the named person of a roster.
 *
 *   openPersonSigned(env, {predicateType, maxBytes, bad})  steps "one signature, a Statement v1 of this
 *                                                          predicate type" → {statement, keyid, payload}
 *   checkPersonSignature(env, person, what, opts)          "the signature verifies with that person's
 *                                                          key" (ERR_BAD_SIGNATURE) → the key's keyid
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { decodeEnvelope, type Envelope, keyIdOf } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { parseStatement, type Statement, verifyStatement } from '../intoto/index.ts';

/** What a verifier knows of a person, from the roster of the org an envelope names. */
export interface RosterPerson {
  name: string;
  role: string;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

export interface OpenedPersonSigned {
  statement: Statement;
  /** The signature's keyid hint (not yet believed). */
  keyid: string;
  /** The statement bytes (what the signature covers, after PAE). */
  payload: Uint8Array;
}

/** One signature with a keyid, a well-formed Statement v1 of `predicateType`; else `bad(message)`. */
export function openPersonSigned(
  env: Envelope,
  o: { predicateType: string; maxBytes: number; bad: (message: string) => GovfedError },
): OpenedPersonSigned {
  const decoded = decodeEnvelope(env, { maxBytes: o.maxBytes, maxSignatures: 1 });
  const sig = env.signatures[0];
  if (env.signatures.length !== 1 || sig === undefined || typeof sig.keyid !== 'string') {
    throw o.bad('expected exactly one signature with a keyid');
  }
  let statement: Statement;
  try {
    statement = parseStatement(decoded.payload);
  } catch (err) {
    throw o.bad(`statement: ${(err as Error).message}`);
  }
  if (statement.predicateType !== o.predicateType) throw o.bad(`predicateType: expected ${o.predicateType}`);
  return { statement, keyid: sig.keyid, payload: decoded.payload };
}

/** The envelope's one signature verifies under `person`'s key (ERR_BAD_SIGNATURE); returns its keyid. */
export function checkPersonSignature(
  env: Envelope,
  person: RosterPerson,
  what: string,
  opts: VerifyOptions = {},
): string {
  const keyid = keyIdOf(person.publicKey);
  try {
    verifyStatement(env, { ...opts, trustedKeys: [{ keyid, publicKey: person.publicKey }], threshold: 1 });
  } catch (err) {
    if (err instanceof GovfedError && err.code !== 'ERR_THRESHOLD_NOT_MET') throw err;
    throw new GovfedError('ERR_BAD_SIGNATURE', `${what}: the signature does not verify with ${person.name}'s key`);
  }
  return keyid;
}
