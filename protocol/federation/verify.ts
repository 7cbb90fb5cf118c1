/**
 * Verifying one charter version: the genesis against an optional pinned federation id, and version
 * n+1 against version n. Each is proposalStatus (the link and every signature) plus the two counts that
 * make a proposal a charter: enough signatures of the previous members, and every added peer's own.
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import { type Charter, federationId } from './charter.ts';
import type { Envelope } from './envelope.ts';
import { type ChangeRule, type ProposalStatus, proposalStatus } from './proposal.ts';

export interface VerifiedCharter {
  charter: Charter;
  /** `sha256:` + hex of the canonical charter bytes. */
  digest: string;
  rule: ChangeRule;
  /** Peer ids whose signatures verified, sorted. */
  signedBy: string[];
}

export interface VerifiedGenesis extends VerifiedCharter {
  /** 64 hex digits: SHA-256 of the genesis bytes. */
  federationId: string;
}

/**
 * Verifies a genesis envelope (attacker-controlled):
 *   1. proposalStatus(null, env): well-formed version-1 charter, every signature by a founder and valid
 *   2. the federation id equals `pinnedFederationId` when one is given      (ERR_FEDERATION_MISMATCH)
 *   3. every founding member signed                                          (ERR_MISSING_MEMBER_SIGNATURE)
 * All founders must sign so that nobody is listed as a founder without holding the key and consenting,
 * and so the federation id commits to a member set that all of them agreed on.
 */
export function verifyGenesis(env: Envelope, pinnedFederationId?: string, opts: VerifyOptions = {}): VerifiedGenesis {
  const status = proposalStatus(null, env, opts);
  const id = federationId(status.charter);
  if (pinnedFederationId !== undefined && id !== pinnedFederationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `genesis is of federation ${id}, not ${pinnedFederationId}`);
  }
  if (status.missingNewMembers.length > 0) {
    throw new GovfedError(
      'ERR_MISSING_MEMBER_SIGNATURE',
      `genesis lacks the signatures of founders ${status.missingNewMembers.join(', ')}`,
    );
  }
  return {
    charter: status.charter,
    digest: status.digest,
    rule: status.rule,
    signedBy: status.signedBy,
    federationId: id,
  };
}

/**
 * Verifies version prev.version+1 (attacker-controlled `env`) against `prev` (trusted: already verified):
 *   1. proposalStatus(prev, env): link (version, previous) and every signature (see proposal.ts)
 *   2. at least `required` of prev's members signed                          (ERR_THRESHOLD_NOT_MET)
 *   3. every peer added by the change signed                                 (ERR_MISSING_MEMBER_SIGNATURE)
 *   4. every member whose entry the change alters (keys, jurisdiction) signed (ERR_MISSING_MEMBER_SIGNATURE)
 * The deadline (`expiresAt`) is not checked here: whether a change was completed in time depends on
 * when it was seen, which only a live node knows (checkNotExpired; node/federation).
 */
export function verifyNext(prev: Charter, env: Envelope, opts: VerifyOptions = {}): VerifiedCharter {
  return completeNext(proposalStatus(prev, env, opts));
}

/** Steps 2–4 of verifyNext on a status proposalStatus made (step 1). */
export function completeNext(status: ProposalStatus): VerifiedCharter {
  if (status.memberSignatures < status.required) {
    throw new GovfedError(
      'ERR_THRESHOLD_NOT_MET',
      `${status.memberSignatures} of ${status.required} required member signatures (rule ${status.rule})`,
    );
  }
  if (status.missingNewMembers.length > 0) {
    throw new GovfedError(
      'ERR_MISSING_MEMBER_SIGNATURE',
      `added members did not sign: ${status.missingNewMembers.join(', ')}`,
    );
  }
  if (status.missingChangedMembers.length > 0) {
    throw new GovfedError(
      'ERR_MISSING_MEMBER_SIGNATURE',
      `members whose entry changes did not sign: ${status.missingChangedMembers.join(', ')}`,
    );
  }
  return { charter: status.charter, digest: status.digest, rule: status.rule, signedBy: status.signedBy };
}
