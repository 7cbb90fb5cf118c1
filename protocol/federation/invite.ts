/**
 * Invites: everything a new node needs to join, in one file.
 *
 *   { "type": "govfed.invite/v1", "federationId": <64 hex>,
 *     "genesis": <charter envelope v1>, "charters": [<v2>, …, <vn>],
 *     "proposal": <charter envelope v(n+1) that admits the invitee, signed by the inviter(s)>,
 *     "invitee": { "org", "peerId", "jurisdiction", "logKey"?, "witnessKey"? },
 *     "bootstrap": ["/ip4/…/tcp/…/p2p/<member peer id>", …], "expiresAt": <RFC 3339 UTC> }
 *
 * written as JCS (canonical JSON), at most MAX_INVITE_BYTES, and read in any JSON layout (parseInvite).
 * The invite itself is not signed: the
 * envelopes inside are self-authenticating, and `bootstrap` is a hint. The expiry is signed: the
 * proposal's charter carries it as `expiresAt` (charter.ts), inside what the inviter signs, and the
 * file's top-level `expiresAt` must equal it byte for byte (a copy for people and scripts; editing it
 * makes the invite malformed, and the deadline that counts is the signed one, which every member
 * enforces too — see proposal.ts checkNotExpired). What binds
 * it to the right federation is the federation id, which the joiner should get out of band (e.g. read
 * aloud, or from the inviter's `govfed federation status`) and pin; without a pin joining is
 * trust-on-first-use.
 *
 * Joining: parseInvite → verifyInvite (the chain from the genesis, the proposal admits *me*) →
 * addSignature(invite.proposal, mySeed) → if proposalStatus says complete, it is charter v(n+1): accept
 * it and send it to a bootstrap peer (sync `charters`); otherwise send it as a sync `proposal` so that
 * members co-sign it.
 */

import { isJurisdiction, isPlainObject, isRfc3339Utc } from '../audit/fields.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { fromUtf8 } from '../encoding/bytes.ts';
import { parseStrictJson } from '../encoding/strict-json.ts';
import { GovfedError } from '../errors.ts';
import { CharterChain } from './chain.ts';
import type { Charter } from './charter.ts';
import { isFederationId, ORG_PATTERN, WITNESS_KEY_PATTERN } from './charter.ts';
import { isPeerId, PEER_ID_LENGTH } from './peer-id.ts';
import { CHARTER_ENVELOPE_LIMITS, charterOf, type ProposalStatus } from './proposal.ts';

export const INVITE_TYPE = 'govfed.invite/v1';
export const MAX_INVITE_BYTES = 4 * 1024 * 1024;
export const MAX_BOOTSTRAP_ADDRS = 16;
export const MAX_MULTIADDR_CHARS = 256;
/** A multiaddr ending in /p2p/<Ed25519 peer id> (syntax only; the transport parts are the node's business). */
export const BOOTSTRAP_PATTERN = `^(/[A-Za-z0-9._:-]+)+/p2p/12D3KooW[1-9A-HJ-NP-Za-km-z]{${PEER_ID_LENGTH - 8}}$`;
const BOOTSTRAP_RE = new RegExp(BOOTSTRAP_PATTERN);
const ORG_RE = new RegExp(ORG_PATTERN);
const WITNESS_KEY_RE = new RegExp(WITNESS_KEY_PATTERN);

export interface Invitee {
  org: string;
  peerId: string;
  jurisdiction: string;
  /** The invitee's log verifier key, when the inviter listed it in the charter. */
  logKey?: string;
  /** The invitee's witness key, when the inviter listed it in the charter. */
  witnessKey?: string;
}

export interface Invite {
  type: typeof INVITE_TYPE;
  federationId: string;
  /** Charter version 1. */
  genesis: Envelope;
  /** Charter versions 2..n in order (empty when the federation is at version 1). */
  charters: Envelope[];
  /** Version n+1: admits the invitee; signed by at least one member of version n. */
  proposal: Envelope;
  invitee: Invitee;
  /** Where members listen: multiaddrs ending in /p2p/<member peer id>. */
  bootstrap: string[];
  /** A copy of the proposal's signed `expiresAt` (must be equal; the signed one is what counts). */
  expiresAt: string;
}

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_INVITE', `invite: ${message}`, cause === undefined ? undefined : { cause });
}

const FIELDS = ['type', 'federationId', 'genesis', 'charters', 'proposal', 'invitee', 'bootstrap', 'expiresAt'];

function checkEnvelope(v: unknown, what: string): Envelope {
  try {
    const env = parseEnvelope(v, CHARTER_ENVELOPE_LIMITS);
    charterOf(env);
    return env;
  } catch (cause) {
    throw bad(`${what}: not a charter envelope`, cause);
  }
}

function checkInvitee(v: unknown): Invitee {
  if (!isPlainObject(v)) throw bad('invitee: expected an object');
  const keys = Object.keys(v);
  const optional = ['logKey', 'witnessKey'];
  if (
    !['org', 'peerId', 'jurisdiction'].every((k) => Object.hasOwn(v, k)) ||
    keys.some((k) => !['org', 'peerId', 'jurisdiction', ...optional].includes(k))
  ) {
    throw bad('invitee: expected org, peerId, jurisdiction and optionally logKey, witnessKey');
  }
  if (typeof v.org !== 'string' || !ORG_RE.test(v.org)) throw bad('invitee.org: malformed');
  if (!isPeerId(v.peerId)) throw bad('invitee.peerId: not an Ed25519 peer id');
  if (!isJurisdiction(v.jurisdiction)) throw bad('invitee.jurisdiction: malformed');
  const out: Invitee = { org: v.org, peerId: v.peerId, jurisdiction: v.jurisdiction };
  for (const k of optional as ('logKey' | 'witnessKey')[]) {
    const key = v[k];
    if (key === undefined) continue;
    if (typeof key !== 'string' || !WITNESS_KEY_RE.test(key)) throw bad(`invitee.${k}: malformed`);
    out[k] = key;
  }
  return out;
}

function checkBootstrap(v: unknown): string[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_BOOTSTRAP_ADDRS) {
    throw bad(`bootstrap: expected 1..${MAX_BOOTSTRAP_ADDRS} multiaddrs`);
  }
  for (const a of v) {
    if (typeof a !== 'string' || a.length > MAX_MULTIADDR_CHARS || !BOOTSTRAP_RE.test(a)) {
      throw bad('bootstrap: expected multiaddrs ending in /p2p/<peer id>');
    }
    if (!isPeerId(bootstrapPeer(a))) throw bad('bootstrap: /p2p/ part is not a valid peer id');
  }
  if (new Set(v).size !== v.length) throw bad('bootstrap: duplicate address');
  return [...v];
}

/** True for a dialable member address: `/ip4|ip6/…/tcp/<port>/p2p/<peer id>` within MAX_MULTIADDR_CHARS. */
export function isMemberMultiaddr(a: unknown): a is string {
  return typeof a === 'string' && a.length <= MAX_MULTIADDR_CHARS && BOOTSTRAP_RE.test(a) && isPeerId(bootstrapPeer(a));
}

/** The peer id at the end of a bootstrap multiaddr. */
export function bootstrapPeer(addr: string): string {
  return addr.slice(addr.lastIndexOf('/p2p/') + 5);
}

/** Checks an invite value's shape (attacker-controlled); throws ERR_MALFORMED_INVITE. */
export function checkInvite(v: unknown): Invite {
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of FIELDS) if (!Object.hasOwn(v, k)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!FIELDS.includes(k)) throw bad(`unknown field "${k}"`);
  if (v.type !== INVITE_TYPE) throw bad(`type: expected "${INVITE_TYPE}"`);
  if (!isFederationId(v.federationId)) throw bad('federationId: expected 64 hex');
  if (!Array.isArray(v.charters)) throw bad('charters: expected an array');
  if (!isRfc3339Utc(v.expiresAt)) throw bad('expiresAt: expected an RFC 3339 UTC timestamp');
  return {
    type: INVITE_TYPE,
    federationId: v.federationId,
    genesis: checkEnvelope(v.genesis, 'genesis'),
    charters: v.charters.map((e, i) => checkEnvelope(e, `charters[${i}]`)),
    proposal: checkEnvelope(v.proposal, 'proposal'),
    invitee: checkInvitee(v.invitee),
    bootstrap: checkBootstrap(v.bootstrap),
    expiresAt: v.expiresAt,
  };
}

/** The invite file's bytes (JCS). Throws ERR_MALFORMED_INVITE when malformed or too large. */
export function encodeInvite(invite: Invite): Uint8Array {
  const bytes = canonicalBytes(checkInvite(invite));
  if (bytes.length > MAX_INVITE_BYTES) throw bad(`${bytes.length} bytes, more than ${MAX_INVITE_BYTES}`);
  return bytes;
}

/**
 * Parses an invite file (attacker-controlled): bounded, strict JSON in any layout (a file re-indented by
 * `jq .` or an editor still parses), exact fields, envelopes well-formed. The file is checked by what
 * it says, not by its bytes: every value that matters is signed (the envelopes) or must equal a signed
 * one (invitee, expiresAt, federationId — verifyInvite), so a changed value still fails. Checks shape
 * only — verifyInvite checks what it claims. Throws ERR_MALFORMED_INVITE.
 */
export function parseInvite(bytes: Uint8Array): Invite {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_INVITE_BYTES) {
    throw bad(`expected at most ${MAX_INVITE_BYTES} bytes`);
  }
  let value: unknown;
  try {
    value = parseStrictJson(fromUtf8(bytes));
  } catch (cause) {
    throw bad('not JSON (UTF-8, no key twice)', cause);
  }
  return checkInvite(value);
}

/** Throws ERR_MALFORMED_INVITE unless the proposal admits exactly `invitee` and a member signed it. */
function checkAdmits(status: ProposalStatus, invitee: Invitee): void {
  const m = status.charter.members.find((x) => x.peerId === invitee.peerId);
  if (m === undefined || !status.added.includes(invitee.peerId)) throw bad('the proposal does not admit the invitee');
  if (
    m.org !== invitee.org ||
    m.jurisdiction !== invitee.jurisdiction ||
    m.logKey !== invitee.logKey ||
    m.witnessKey !== invitee.witnessKey
  ) {
    throw bad('the proposal admits the invitee with another org, jurisdiction, log key or witness key');
  }
  if (status.memberSignatures < 1) throw bad('the proposal is not signed by any member');
}

function checkBootstrapMembers(chain: CharterChain, bootstrap: readonly string[]): void {
  for (const a of bootstrap) if (!chain.isMember(bootstrapPeer(a))) throw bad(`bootstrap peer is not a member: ${a}`);
}

/** The proposal's signed deadline; throws ERR_MALFORMED_INVITE when it has none. */
function signedExpiry(charter: Charter): string {
  if (charter.expiresAt === undefined) throw bad('the proposal carries no signed expiry (charter expiresAt)');
  return charter.expiresAt;
}

/**
 * Builds an invite from the inviter's chain and a proposal that admits `invitee` (signed by the
 * inviter, possibly co-signed) and carries its deadline (charter `expiresAt`, which becomes the
 * invite's `expiresAt`). Throws what proposalStatus throws, or ERR_MALFORMED_INVITE.
 */
export function createInvite(input: {
  chain: CharterChain;
  proposal: Envelope;
  invitee: Invitee;
  bootstrap: readonly string[];
}): Invite {
  const { chain } = input;
  const status = chain.proposalStatus(input.proposal);
  checkAdmits(status, input.invitee);
  const expiresAt = signedExpiry(status.charter);
  const [genesis, ...rest] = chain.versions().map((e) => e.envelope);
  const invite = checkInvite({
    type: INVITE_TYPE,
    federationId: chain.federationId,
    genesis,
    charters: rest,
    proposal: input.proposal,
    invitee: input.invitee,
    bootstrap: [...input.bootstrap],
    expiresAt,
  });
  checkBootstrapMembers(chain, invite.bootstrap);
  encodeInvite(invite); // size bound
  return invite;
}

export interface VerifiedInvite {
  /** The federation's chain up to version n, verified from the (pinned) genesis. */
  chain: CharterChain;
  /** The proposal v(n+1): who signed, what is still missing (the invitee's own signature at least). */
  status: ProposalStatus;
}

/**
 * Checks what an invite claims:
 *   1. the proposal carries a signed expiry (charter expiresAt)   ERR_MALFORMED_INVITE
 *   2. the signed expiry is after `now` (ms)                      ERR_INVITE_EXPIRED
 *   3. the file's expiresAt is the signed one (not edited)        ERR_MALFORMED_INVITE
 *   4. federationId is the pinned one, when given                ERR_FEDERATION_MISMATCH
 *   5. genesis + charters form a valid chain of that federation   (verifyChain's codes)
 *   6. the proposal is the next version, validly signed so far    (proposalStatus's codes)
 *   7. it admits the invitee as named, a member signed it, the
 *      invitee is `self` when given, bootstrap peers are members  ERR_MALFORMED_INVITE
 * Steps 1–3 read the proposal's charter before its signatures are checked (step 6): a forged expiry
 * can only make the invite fail later, never pass.
 */
export function verifyInvite(
  invite: Invite,
  opts: { now: number; pinnedFederationId?: string; self?: string } & VerifyOptions,
): VerifiedInvite {
  const signed = signedExpiry(charterOf(invite.proposal));
  if (!(Date.parse(signed) > opts.now)) throw new GovfedError('ERR_INVITE_EXPIRED', `invite expired at ${signed}`);
  if (invite.expiresAt !== signed) {
    throw bad(`expiresAt ${invite.expiresAt} is not the expiry the inviter signed (${signed})`);
  }
  if (opts.pinnedFederationId !== undefined && invite.federationId !== opts.pinnedFederationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `invite is for federation ${invite.federationId}`);
  }
  const chain = CharterChain.fromEnvelopes(invite.federationId, [invite.genesis, ...invite.charters], {
    verify: opts.verify,
  });
  const status = chain.proposalStatus(invite.proposal);
  checkAdmits(status, invite.invitee);
  if (opts.self !== undefined && opts.self !== invite.invitee.peerId) throw bad('the invite is for another peer');
  checkBootstrapMembers(chain, invite.bootstrap);
  return { chain, status };
}
