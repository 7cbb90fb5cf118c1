/**
 * Signing bundles, and what a (possibly incomplete) set of signatures proves.
 *
 * A signed bundle is a DSSE envelope (payloadType POLICY_PAYLOAD_TYPE, payload = the bundle's canonical
 * bytes) with one signature per signer, keyid = the signer's peer id (protocol/federation/envelope.ts).
 * A bundle becomes active when at least charter.thresholds.policy current members have signed it.
 * Every signature present must be by a current member and verify (no dead weight: a non-member's or a
 * broken signature makes the envelope invalid, never silently ignored).
 */

import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import { CharterChain } from '../federation/chain.ts';
import type { Charter } from '../federation/charter.ts';
import { type Envelope, mergePeerSignatures, signAsPeer, verifyPeerSigned } from '../federation/envelope.ts';
import {
  BASELINE_ENVELOPE_LIMITS,
  baselineDigest,
  decodeBaselineEnvelope,
  encodeBaseline,
  POLICY_PAYLOAD_TYPE,
  type PolicyBaseline,
} from './baseline.ts';

/** The envelope of `bundle` (checked and compiled first) signed by the peer whose key has this seed. */
export function signBaseline(bundle: PolicyBaseline, seed: Uint8Array): Envelope {
  return signAsPeer(POLICY_PAYLOAD_TYPE, encodeBaseline(bundle), seed);
}

/** Adds this peer's signature; the payload is decoded and compiled first (never sign a non-bundle). */
export function addBundleSignature(env: Envelope, seed: Uint8Array, opts: VerifyOptions = {}): Envelope {
  return mergeBundleSignatures(env, signBaseline(decodeBaselineEnvelope(env).bundle, seed), opts);
}

/**
 * Union of the valid signatures of two copies of one bundle, sorted by peer id. Throws
 * ERR_PAYLOAD_MISMATCH for different bundles, ERR_BAD_SIGNATURE when neither copy has a valid one.
 */
export function mergeBundleSignatures(a: Envelope, b: Envelope, opts: VerifyOptions = {}): Envelope {
  decodeBaselineEnvelope(a);
  return mergePeerSignatures(a, b, BASELINE_ENVELOPE_LIMITS, opts);
}

export interface BundleStatus {
  bundle: PolicyBaseline;
  /** baselineDigest(bundle). */
  digest: string;
  /** Member peer ids whose signatures verified (all of the envelope's), sorted. */
  signedBy: string[];
  /** charter.thresholds.policy. */
  required: number;
  /** signedBy.length >= required. */
  complete: boolean;
}

/**
 * What a bundle envelope (attacker-controlled) proves against the current charter. The checklist:
 *   1. envelope well-formed and bounded, policy payload type     (ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH)
 *   2. payload a canonical bundle whose rules compile            (ERR_NOT_CANONICAL, ERR_MALFORMED_POLICY, ERR_INVALID_RULE)
 *   3. bundle of this federation (when the id is known)          (ERR_FEDERATION_MISMATCH)
 *   4. every signature by a current member                        (ERR_UNKNOWN_SIGNER)
 *   5. every signature verifies                                   (ERR_BAD_SIGNATURE)
 * Pass the CharterChain (or the federation id) so that step 3 runs; a bare Charter cannot name its federation.
 */
export function bundleStatus(
  env: Envelope,
  charter: Charter | CharterChain,
  federationId?: string,
  opts: VerifyOptions = {},
): BundleStatus {
  const current = charter instanceof CharterChain ? charter.current : charter;
  const fedId = charter instanceof CharterChain ? charter.federationId : federationId;
  const { bundle } = decodeBaselineEnvelope(env);
  if (fedId !== undefined && bundle.federationId !== fedId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `bundle of federation ${bundle.federationId}`);
  }
  const { signedBy } = verifyPeerSigned(env, {
    payloadType: POLICY_PAYLOAD_TYPE,
    allowed: new Set(current.members.map((m) => m.peerId)),
    limits: BASELINE_ENVELOPE_LIMITS,
    verify: opts.verify,
  });
  const required = current.thresholds.policy;
  return { bundle, digest: baselineDigest(bundle), signedBy, required, complete: signedBy.length >= required };
}
