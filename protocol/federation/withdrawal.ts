/**
 * Withdrawals: a member takes back its signature from a pending charter change (a proposal).
 *
 * A withdrawal statement is the RFC 8785 (JCS) serialisation of exactly
 *   {type: 'govfed.withdrawal/v1', federationId, version, digest, withdrawnAt}
 * — the federation, the proposed charter version and its digest (`sha256:<hex>`, what `sign` takes),
 * and when (RFC 3339 UTC) — signed as a DSSE envelope (payloadType
 * `application/vnd.govfed.withdrawal+json`) by exactly one peer key, keyid = its peer id (envelope.ts).
 *
 * What it means: every node that holds that proposal drops the withdrawer's signature from its copy, and
 * strips it from every later copy it receives, until the proposal's own deadline; a copy left with no
 * signature of a current member is dropped. The withdrawer's node may then sign a different change for
 * that version. A withdrawal cannot undo a change that some node completed before it heard the
 * withdrawal: there the version is taken, and the withdrawal is stale (docs/PROTOCOL.md §9, "Withdrawing").
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import { isFederationId } from './charter.ts';
import { type Envelope, signAsPeer, verifyPeerSigned } from './envelope.ts';

export const WITHDRAWAL_TYPE = 'govfed.withdrawal/v1';
export const WITHDRAWAL_PAYLOAD_TYPE = 'application/vnd.govfed.withdrawal+json';
/** Upper bound on a withdrawal's canonical bytes (its fields are all short). */
export const MAX_WITHDRAWAL_BYTES = 1024;
const ENVELOPE_LIMITS = { maxBytes: 4096, maxSignatures: 1 };

export interface Withdrawal {
  type: typeof WITHDRAWAL_TYPE;
  federationId: string;
  /** The proposed charter version. */
  version: number;
  /** The proposed charter's digest. */
  digest: string;
  withdrawnAt: string;
}

export interface VerifiedWithdrawal {
  withdrawal: Withdrawal;
  /** The peer id whose signature is withdrawn. */
  signer: string;
}

function malformed(message: string): GovfedError {
  return new GovfedError('ERR_MALFORMED_WITHDRAWAL', `withdrawal: ${message}`);
}

/** Checks an untrusted value against the statement's fields; returns a fresh Withdrawal. */
export function checkWithdrawal(v: unknown): Withdrawal {
  if (!isPlainObject(v)) throw malformed('expected an object');
  const keys = Object.keys(v).sort();
  const want = ['digest', 'federationId', 'type', 'version', 'withdrawnAt'];
  if (keys.length !== want.length || keys.some((k, i) => k !== want[i])) {
    throw malformed(`expected exactly the fields ${want.join(', ')}`);
  }
  if (v.type !== WITHDRAWAL_TYPE) throw malformed(`type: expected "${WITHDRAWAL_TYPE}"`);
  if (!isFederationId(v.federationId)) throw malformed('federationId: expected 64 lowercase hex digits');
  const version = v.version;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 2) {
    throw malformed('version: expected an integer >= 2 (a change to an existing charter)');
  }
  if (!isSha256Digest(v.digest)) throw malformed('digest: expected sha256:<64 hex>');
  if (!isRfc3339Utc(v.withdrawnAt)) throw malformed('withdrawnAt: expected an RFC 3339 UTC timestamp');
  return { type: WITHDRAWAL_TYPE, federationId: v.federationId, version, digest: v.digest, withdrawnAt: v.withdrawnAt };
}

/** The signed withdrawal of this peer's signature (the key with this seed) from a proposal. */
export function signWithdrawal(w: Omit<Withdrawal, 'type'>, seed: Uint8Array): Envelope {
  const statement = checkWithdrawal({ type: WITHDRAWAL_TYPE, ...w });
  return signAsPeer(WITHDRAWAL_PAYLOAD_TYPE, canonicalBytes(statement), seed);
}

/**
 * Verifies a withdrawal (attacker-controlled) for the federation `federationId`, where `members` are the
 * peers that may withdraw (the current charter's members). The checklist:
 *   1. envelope well-formed, bounded, withdrawal payload type, one signature  (ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH)
 *   2. the signer is a member                                                (ERR_UNKNOWN_SIGNER)
 *   3. the signature verifies under the signer's peer key                    (ERR_BAD_SIGNATURE)
 *   4. payload is canonical JSON with exactly the statement's fields         (ERR_NOT_CANONICAL, ERR_MALFORMED_WITHDRAWAL)
 *   5. it names this federation                                              (ERR_FEDERATION_MISMATCH)
 */
export function verifyWithdrawal(
  env: Envelope,
  opts: { federationId: string; members: ReadonlySet<string> } & VerifyOptions,
): VerifiedWithdrawal {
  const { payload, signedBy } = verifyPeerSigned(env, {
    payloadType: WITHDRAWAL_PAYLOAD_TYPE,
    allowed: opts.members,
    limits: ENVELOPE_LIMITS,
    verify: opts.verify,
  });
  const signer = signedBy[0];
  if (signer === undefined || signedBy.length !== 1) {
    throw new GovfedError('ERR_MALFORMED_ENVELOPE', 'a withdrawal carries exactly one signature');
  }
  let value: unknown;
  try {
    value = parseCanonical(payload, MAX_WITHDRAWAL_BYTES);
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_NOT_CANONICAL') throw cause;
    throw new GovfedError('ERR_MALFORMED_WITHDRAWAL', 'withdrawal: not bounded canonical JSON', { cause });
  }
  const withdrawal = checkWithdrawal(value);
  if (withdrawal.federationId !== opts.federationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', 'the withdrawal names another federation');
  }
  return { withdrawal, signer };
}
