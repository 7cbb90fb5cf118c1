/**
 * Equivocation evidence: two checkpoints, both signed by one log's key, that cannot both be views of
 * one append-only log. Anyone holding the log's verifier key can check it offline; no trust in the
 * reporter is needed.
 *
 *   { "type": "govfed.equivocation/v1", "origin": <log origin>, "a": <signed note>, "b": <signed note>,
 *     "proof": [<base64 hash>...] }                          RFC 8785 canonical JSON, UTF-8
 *
 * Two kinds, with a.size <= b.size:
 *   1. same size, different root hash; `proof` is empty.
 *   2. a.size < b.size and `proof` is a consistency proof from a.size to b.size in *full form*: the
 *      RFC 9162 proof, with the hash of the first a.size leaves of b's tree prepended when a.size is a
 *      power of two (RFC 9162 leaves it out there because a verifier knows it; here it is the point).
 *      A consistency proof fixes both roots (protocol/log rootsFromConsistencyProof). If it leads to
 *      b's root but its old root is not a's, b's tree does not extend a's: the log forked. A proof that
 *      does not reach b's root proves nothing (anyone can make garbage) and is not evidence.
 * A size-0 checkpoint is consistent with every tree, so `a` has a size of at least 1 in kind 2.
 *
 * An alert is the evidence in a DSSE envelope (payloadType ALERT_PAYLOAD_TYPE) signed by the reporting
 * member's peer key; verifyAlert checks the reporter is a member and the evidence against the charter
 * member's `logKey`. Everything here is attacker-controlled until its check returns.
 */

import { canonicalBytes, parseCanonical } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { equalBytes, fromBase64, toBase64 } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { type Charter, type Member, memberLogKeys } from '../federation/charter.ts';
import { type Envelope, signAsPeer, verifyPeerSigned } from '../federation/envelope.ts';
import { HASH_SIZE, proofCarriesOldRoot, rootsFromConsistencyProof } from '../log/index.ts';
import { type Checkpoint, type NoteVerifier, openCheckpoint } from '../note/index.ts';
import { parseLogKey } from './keys.ts';

export const EQUIVOCATION_TYPE = 'govfed.equivocation/v1';
/** DSSE payloadType of an alert. */
export const ALERT_PAYLOAD_TYPE = 'application/vnd.govfed.equivocation+json';
/** Bounds (attacker-controlled input). */
export const MAX_EVIDENCE_NOTE_CHARS = 64 * 1024;
/** 63 RFC 9162 hashes for any tree below 2^63, plus the prepended old root. */
export const MAX_EVIDENCE_PROOF = 64;
export const MAX_EVIDENCE_BYTES = 2 * MAX_EVIDENCE_NOTE_CHARS + 4 * 1024;

export interface Equivocation {
  type: typeof EQUIVOCATION_TYPE;
  /** The log's origin (= its key name). */
  origin: string;
  /** The smaller (or same-size) checkpoint, a signed note. */
  a: string;
  /** The other checkpoint, a signed note. */
  b: string;
  /** Standard base64 hashes: empty for kind 1, the full-form consistency proof for kind 2. */
  proof: string[];
}

export interface CheckedEquivocation {
  origin: string;
  kind: 'same-size' | 'inconsistent';
  /** [a.size, b.size] */
  sizes: [number, number];
}

const FIELDS = ['type', 'origin', 'a', 'b', 'proof'];

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_EVIDENCE', message, cause === undefined ? undefined : { cause });
}

function notEquivocation(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_NOT_EQUIVOCATION', message, cause === undefined ? undefined : { cause });
}

// ---- shape ----

function noteField(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_EVIDENCE_NOTE_CHARS) {
    throw malformed(`${what}: expected a signed note of 1..${MAX_EVIDENCE_NOTE_CHARS} chars`);
  }
  return v;
}

function proofField(v: unknown): Uint8Array[] {
  if (!Array.isArray(v) || v.length > MAX_EVIDENCE_PROOF) {
    throw malformed(`proof: expected at most ${MAX_EVIDENCE_PROOF} hashes`);
  }
  return v.map((h, i) => {
    let bytes: Uint8Array;
    try {
      if (typeof h !== 'string' || h.length > 44) throw new Error('not a short string');
      bytes = fromBase64(h);
    } catch (cause) {
      throw malformed(`proof[${i}]: not canonical base64`, cause);
    }
    if (bytes.length !== HASH_SIZE) throw malformed(`proof[${i}]: expected ${HASH_SIZE} bytes`);
    return bytes;
  });
}

/** Checks the shape of evidence (attacker-controlled) and decodes its proof. ERR_MALFORMED_EVIDENCE. */
export function checkEquivocationShape(v: unknown): { ev: Equivocation; proof: Uint8Array[] } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed('evidence: expected an object');
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) throw malformed(`evidence: unknown field "${k}"`);
  for (const k of FIELDS) if (!(k in o)) throw malformed(`evidence: missing field "${k}"`);
  if (o.type !== EQUIVOCATION_TYPE) throw malformed(`type: expected "${EQUIVOCATION_TYPE}"`);
  if (typeof o.origin !== 'string' || o.origin.length === 0 || o.origin.length > 1024) {
    throw malformed('origin: expected a non-empty string');
  }
  const proof = proofField(o.proof);
  const ev: Equivocation = {
    type: EQUIVOCATION_TYPE,
    origin: o.origin,
    a: noteField(o.a, 'a'),
    b: noteField(o.b, 'b'),
    proof: proof.map(toBase64),
  };
  return { ev, proof };
}

/** The canonical bytes of evidence (the alert payload). */
export function encodeEquivocation(ev: Equivocation): Uint8Array {
  const bytes = canonicalBytes(checkEquivocationShape(ev).ev);
  if (bytes.length > MAX_EVIDENCE_BYTES) throw malformed(`evidence larger than ${MAX_EVIDENCE_BYTES} bytes`);
  return bytes;
}

/** Parses evidence bytes (attacker-controlled): bounded canonical JSON, then the shape. */
export function decodeEquivocation(bytes: Uint8Array): Equivocation {
  let value: unknown;
  try {
    value = parseCanonical(bytes, MAX_EVIDENCE_BYTES);
  } catch (cause) {
    throw malformed('evidence is not bounded canonical JSON', cause);
  }
  return checkEquivocationShape(value).ev;
}

// ---- the checklist ----

function openSigned(note: string, log: NoteVerifier, what: string): Checkpoint {
  try {
    return openCheckpoint(note, log).checkpoint;
  } catch (cause) {
    if (isGovfedError(cause)) throw new GovfedError(cause.code, `${what}: ${cause.message}`, { cause });
    throw cause;
  }
}

/** Kind 1: same size, and the roots differ. */
function checkSameSize(a: Checkpoint, b: Checkpoint, proof: readonly Uint8Array[]): void {
  if (proof.length !== 0) throw malformed('same-size evidence carries no proof');
  if (equalBytes(a.rootHash, b.rootHash)) throw notEquivocation('same size and same root hash');
}

/** Kind 2: the full-form proof reaches b's root from an old root other than a's. */
function checkInconsistent(a: Checkpoint, b: Checkpoint, proof: readonly Uint8Array[]): void {
  if (a.size === 0) throw notEquivocation('the empty tree is consistent with every tree');
  const prepended = !proofCarriesOldRoot(a.size);
  let roots: { oldRoot: Uint8Array; newRoot: Uint8Array };
  try {
    roots = prepended
      ? rootsFromConsistencyProof(a.size, b.size, proof.slice(1), proof[0])
      : rootsFromConsistencyProof(a.size, b.size, proof);
  } catch (cause) {
    throw notEquivocation(`not a consistency proof from ${a.size} to ${b.size}`, cause);
  }
  if (!equalBytes(roots.newRoot, b.rootHash)) throw notEquivocation("the proof does not lead to b's root");
  if (equalBytes(roots.oldRoot, a.rootHash)) throw notEquivocation('the proof shows a and b consistent');
}

/**
 * Checks that `ev` (attacker-controlled: a value or its JSON bytes) is real equivocation evidence
 * against the log whose key is `logVerifier`:
 *   1. shape, bounds                                            ERR_MALFORMED_EVIDENCE
 *   2. origin is the log key's name                             ERR_ORIGIN_MISMATCH
 *   3. a and b are checkpoints signed by the log key            ERR_NO_VERIFIED_SIGNATURE, ERR_BAD_SIGNATURE,
 *                                                               ERR_MALFORMED_NOTE / _CHECKPOINT, …
 *   4. a.size <= b.size                                         ERR_MALFORMED_EVIDENCE
 *   5. kind 1 or kind 2 holds (see above)                       ERR_NOT_EQUIVOCATION
 */
export function checkEquivocation(ev: unknown, logVerifier: NoteVerifier): CheckedEquivocation {
  const { ev: e, proof } = checkEquivocationShape(ev instanceof Uint8Array ? decodeEquivocation(ev) : ev);
  if (e.origin !== logVerifier.name) {
    throw new GovfedError('ERR_ORIGIN_MISMATCH', `evidence is about ${e.origin}, not ${logVerifier.name}`);
  }
  const a = openSigned(e.a, logVerifier, 'a');
  const b = openSigned(e.b, logVerifier, 'b');
  if (a.size > b.size) throw malformed('a must be the smaller checkpoint');
  if (a.size === b.size) {
    checkSameSize(a, b, proof);
    return { origin: e.origin, kind: 'same-size', sizes: [a.size, b.size] };
  }
  checkInconsistent(a, b, proof);
  return { origin: e.origin, kind: 'inconsistent', sizes: [a.size, b.size] };
}

/**
 * Builds evidence from two signed checkpoints of one log (a witness's recorded one and a new one, in
 * either order) and, when their sizes differ, the consistency proof the log served between them (RFC
 * 9162 form; for a power-of-two smaller size pass the old root the log claims as `completeOldRoot`).
 * Returns undefined when they do not prove equivocation — e.g. a proof that just fails: refuse to
 * cosign, but there is nothing to show others. Throws openCheckpoint's codes when a or b is not a
 * checkpoint signed by the log.
 */
export function findEquivocation(input: {
  logVerifier: NoteVerifier;
  a: string;
  b: string;
  proof?: readonly Uint8Array[];
  completeOldRoot?: Uint8Array;
}): Equivocation | undefined {
  const first = openCheckpoint(input.a, input.logVerifier).checkpoint;
  const second = openCheckpoint(input.b, input.logVerifier).checkpoint;
  const [a, b] = first.size <= second.size ? [input.a, input.b] : [input.b, input.a];
  const small = first.size <= second.size ? first : second;
  let proof: Uint8Array[] = [];
  if (first.size !== second.size) {
    const rfc = [...(input.proof ?? [])];
    if (proofCarriesOldRoot(small.size)) proof = rfc;
    else if (input.completeOldRoot !== undefined) proof = [input.completeOldRoot, ...rfc];
    else return undefined;
  }
  const ev: Equivocation = {
    type: EQUIVOCATION_TYPE,
    origin: input.logVerifier.name,
    a,
    b,
    proof: proof.map(toBase64),
  };
  try {
    checkEquivocation(ev, input.logVerifier);
    return ev;
  } catch (err) {
    if (isGovfedError(err, 'ERR_NOT_EQUIVOCATION') || isGovfedError(err, 'ERR_MALFORMED_EVIDENCE')) return undefined;
    throw err;
  }
}

// ---- alerts ----

/** A DSSE alert over `ev`, signed with a peer key seed (the node uses ctx.signAsPeer instead). */
export function signAlert(ev: Equivocation, seed: Uint8Array): Envelope {
  return signAsPeer(ALERT_PAYLOAD_TYPE, encodeEquivocation(ev), seed);
}

export interface VerifiedAlert {
  evidence: Equivocation;
  checked: CheckedEquivocation;
  /** The member whose log equivocated. */
  offender: Member;
  /** Peer ids of the members who signed the alert, sorted. */
  reporters: string[];
}

/** The member whose log key's name is `origin`. Throws ERR_UNKNOWN_ORIGIN. */
export function memberByLogOrigin(
  charter: Charter,
  origin: string,
  opts: VerifyOptions = {},
): { member: Member; logVerifier: NoteVerifier } {
  for (const member of charter.members) {
    for (const key of memberLogKeys(member)) {
      let v: NoteVerifier;
      try {
        v = parseLogKey(key, opts);
      } catch {
        continue; // a member with a broken key cannot be the origin of anything
      }
      if (v.name === origin) return { member, logVerifier: v };
    }
  }
  throw new GovfedError('ERR_UNKNOWN_ORIGIN', `no member of the charter has a log with origin ${origin}`);
}

/**
 * Verifies an alert (attacker-controlled) against a charter:
 *   1. a well-formed DSSE envelope of ALERT_PAYLOAD_TYPE, every signature by a member's peer key
 *      (verifyPeerSigned: ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH, ERR_UNKNOWN_SIGNER,
 *      ERR_BAD_SIGNATURE)
 *   2. the payload is evidence                                   ERR_MALFORMED_EVIDENCE
 *   3. its origin is a member's log                              ERR_UNKNOWN_ORIGIN
 *   4. checkEquivocation against that member's logKey            (its codes)
 */
export function verifyAlert(env: Envelope, charter: Charter, opts: VerifyOptions = {}): VerifiedAlert {
  const allowed = new Set(charter.members.map((m) => m.peerId));
  const signed = verifyPeerSigned(env, {
    payloadType: ALERT_PAYLOAD_TYPE,
    allowed,
    limits: { maxBytes: 2 * MAX_EVIDENCE_BYTES, maxSignatures: 8 },
    verify: opts.verify,
  });
  const evidence = decodeEquivocation(signed.payload);
  const { member, logVerifier } = memberByLogOrigin(charter, evidence.origin, opts);
  const checked = checkEquivocation(evidence, logVerifier);
  return { evidence, checked, offender: member, reporters: signed.signedBy };
}
