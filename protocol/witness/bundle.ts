/**
 * The cross-org proof bundle, `govfed-crossorg-proof/v1`: everything needed to check offline, with
 * protocol/ alone, that one org's audit log holds an entry — and that the log showed the same tree to
 * at least k other members' witnesses, so the owner could not show the auditor a private branch.
 *
 *   { "format": "govfed-crossorg-proof/v1",
 *     "origin": <the log's origin = its key name>,  "index": <leaf index>,  "treeSize": <checkpoint size>,
 *     "entry": <base64 of the exact leaf bytes>,    "inclusion": [<base64 hash>, … bottom-up],
 *     "checkpoint": <signed note: the log's signature, then the cosignature lines>,
 *     "logKey": <the log's C2SP verifier key>,
 *     "witnessKeys": [<C2SP cosignature/v1 verifier keys of the cosigners: name+hash+base64(0x04||key)>],
 *     "federation": { "id": <federation id>, "charters": [<charter DSSE envelopes, versions 1..n>] } }
 *
 * A bundle is attacker-controlled. Verification is a checklist; each step throws a GovfedError with a
 * code or returns what it proved:
 *   1. shape        bounded, exact fields, canonical base64               ERR_MALFORMED_BUNDLE
 *   2. federation   federation.id == the pinned id (when given); the     ERR_FEDERATION_MISMATCH and the
 *                   charter chain verifies from the genesis               charter codes (ERR_BAD_SIGNATURE, …)
 *   3. log owner    a member of the newest charter has logKey == the      ERR_MALFORMED_VERIFIER_KEY,
 *                   bundle's (Ed25519) — or lists it among its            ERR_UNKNOWN_KEY, ERR_ORIGIN_MISMATCH
 *                   retiredLogKeys (a rotated log stays provable) — and
 *                   its name is `origin`
 *   4. witnesses    each witness key is the witnessKey of ANOTHER member  ERR_MALFORMED_VERIFIER_KEY,
 *                   (0x04), none listed twice                             ERR_UNKNOWN_WITNESS, ERR_MALFORMED_BUNDLE
 *   5. checkpoint   signed by the log key; every other signature line is  ERR_NO_VERIFIED_SIGNATURE,
 *                   a valid cosignature by a listed witness key, each     ERR_BAD_SIGNATURE, ERR_ORIGIN_MISMATCH,
 *                   listed key cosigned exactly once, no other lines;     ERR_MALFORMED_BUNDLE, ERR_CLOCK_SKEW
 *                   with `now`, no cosignature dated in the future
 *   6. threshold    cosigners >= k = witnessThreshold(charter, owner)      ERR_WITNESS_THRESHOLD
 *   7. tree size    treeSize == the checkpoint's size                     ERR_TREE_SIZE_MISMATCH
 *   8. inclusion    the proof leads from SHA-256(0x00||entry) to the root ERR_ROOT_MISMATCH, ERR_PROOF_SIZE, …
 *   9. leaf         the entry is a well-formed v1 leaf                    ERR_MALFORMED_LEAF
 * The charter is the newest version the bundle carries. Without `federationId` the bundle proves only
 * that *some* federation's members agree: the caller must judge the id (federationPinned = false).
 */

import { MAX_PROOF_HASHES } from '../audit/bundle.ts';
import {
  arrayField,
  base64Field,
  hashField,
  malformedBundle as malformed,
  parseBundleJson,
  textField,
  uintField,
} from '../audit/bundle-fields.ts';
import { isPlainObject } from '../audit/fields.ts';
import { decodeLeaf, type Leaf, MAX_LEAF_BYTES } from '../audit/leaf.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { toBase64 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import { CharterChain } from '../federation/chain.ts';
import { type Charter, isFederationId, type Member, memberLogKeys, witnessThreshold } from '../federation/charter.ts';
import type { Envelope } from '../federation/envelope.ts';
import { leafHash, verifyInclusion } from '../log/index.ts';
import {
  type Checkpoint,
  cosignatureTimestamp,
  type KeyedVerifier,
  type NoteSignature,
  openCheckpoint,
  parseNote,
} from '../note/index.ts';
import { parseLogKey, parseWitnessKey } from './keys.ts';

export const CROSSORG_BUNDLE_FORMAT = 'govfed-crossorg-proof/v1';
/** Bounds on a bundle (attacker-controlled). */
export const MAX_CROSSORG_BUNDLE_BYTES = 4 * 1024 * 1024;
export const MAX_BUNDLE_CHARTERS = 1024;
export const MAX_BUNDLE_WITNESS_KEYS = 256;
export const MAX_BUNDLE_CHECKPOINT_CHARS = 64 * 1024;
export const MAX_BUNDLE_KEY_CHARS = 8192;
/** A cosignature dated more than this far past `now` is refused (clocks differ a little). */
export const MAX_COSIGNATURE_SKEW_SECONDS = 10 * 60;

export interface CrossOrgBundle {
  format: typeof CROSSORG_BUNDLE_FORMAT;
  origin: string;
  index: number;
  treeSize: number;
  /** Standard base64 of the exact leaf bytes. */
  entry: string;
  /** Standard base64 hashes, bottom-up. */
  inclusion: string[];
  /** The signed checkpoint note of size treeSize, with the cosignature lines. */
  checkpoint: string;
  /** The log's C2SP verifier key (Ed25519). */
  logKey: string;
  /** The cosigners' C2SP cosignature/v1 verifier keys. */
  witnessKeys: string[];
  federation: { id: string; charters: Envelope[] };
}

export interface VerifiedCrossOrgBundle {
  origin: string;
  /** The org whose log it is. */
  org: string;
  /** True when the log is one of the org's retired logs (rotated away from; its entries stay proven). */
  retired?: true;
  index: number;
  treeSize: number;
  rootHash: Uint8Array;
  leaf: Leaf;
  /** Orgs whose witnesses cosigned the checkpoint, sorted. */
  cosigners: string[];
  /** The witness threshold the charter sets for this log. */
  k: number;
  federationId: string;
  charterVersion: number;
  /** True only when opts.federationId pinned the federation. */
  federationPinned: boolean;
}

export interface CrossOrgVerifyOptions extends VerifyOptions {
  /** The federation id the verifier trusts; without it the caller must judge `federationId`. */
  federationId?: string;
  /** Milliseconds since the epoch (Date.now()); when given, future-dated cosignatures are refused. */
  now?: number;
}

/** Every field of a cross-org bundle, all required (the HTTP schema lists the same). */
export const CROSSORG_BUNDLE_FIELDS: readonly string[] = [
  'format',
  'origin',
  'index',
  'treeSize',
  'entry',
  'inclusion',
  'checkpoint',
  'logKey',
  'witnessKeys',
  'federation',
];

/** Builds a bundle from its parts (the prover's side). */
export function createCrossOrgBundle(parts: {
  origin: string;
  index: number;
  treeSize: number;
  entry: Uint8Array;
  inclusion: readonly Uint8Array[];
  checkpoint: string;
  logKey: string;
  witnessKeys: readonly string[];
  federation: { id: string; charters: readonly Envelope[] };
}): CrossOrgBundle {
  return {
    format: CROSSORG_BUNDLE_FORMAT,
    origin: parts.origin,
    index: parts.index,
    treeSize: parts.treeSize,
    entry: toBase64(parts.entry),
    inclusion: parts.inclusion.map(toBase64),
    checkpoint: parts.checkpoint,
    logKey: parts.logKey,
    witnessKeys: [...parts.witnessKeys],
    federation: { id: parts.federation.id, charters: [...parts.federation.charters] },
  };
}

// ---- 1. shape ----

interface DecodedBundle {
  origin: string;
  index: number;
  treeSize: number;
  entry: Uint8Array;
  inclusion: Uint8Array[];
  checkpoint: string;
  logKey: string;
  witnessKeys: string[];
  federationId: string;
  charters: Envelope[];
}

function federationField(value: unknown): { federationId: string; charters: Envelope[] } {
  if (!isPlainObject(value)) throw malformed('federation: expected an object');
  const keys = Object.keys(value);
  if (keys.length !== 2 || !('id' in value) || !('charters' in value)) {
    throw malformed('federation: expected exactly {id, charters}');
  }
  if (!isFederationId(value.id)) throw malformed('federation.id: expected 64 lowercase hex digits');
  const charters = arrayField(value.charters, 'federation.charters', 1, MAX_BUNDLE_CHARTERS);
  for (const [i, c] of charters.entries()) if (!isPlainObject(c)) throw malformed(`federation.charters[${i}]`);
  return { federationId: value.id, charters: charters as Envelope[] };
}

/** Step 1: exact fields, bounded sizes, canonical base64. */
export function checkCrossOrgShape(input: unknown): DecodedBundle {
  const value =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseBundleJson(input, MAX_CROSSORG_BUNDLE_BYTES)
      : input;
  if (!isPlainObject(value)) throw malformed('bundle: expected a JSON object');
  for (const k of Object.keys(value))
    if (!CROSSORG_BUNDLE_FIELDS.includes(k)) throw malformed(`bundle: unknown field "${k}"`);
  for (const k of CROSSORG_BUNDLE_FIELDS) if (!(k in value)) throw malformed(`bundle: missing field "${k}"`);
  if (value.format !== CROSSORG_BUNDLE_FORMAT) throw malformed(`format: expected "${CROSSORG_BUNDLE_FORMAT}"`);
  const inclusion = arrayField(value.inclusion, 'inclusion', 0, MAX_PROOF_HASHES);
  const witnessKeys = arrayField(value.witnessKeys, 'witnessKeys', 0, MAX_BUNDLE_WITNESS_KEYS);
  return {
    origin: textField(value.origin, 'origin', MAX_BUNDLE_KEY_CHARS),
    index: uintField(value.index, 'index'),
    treeSize: uintField(value.treeSize, 'treeSize'),
    entry: base64Field(value.entry, 'entry', MAX_LEAF_BYTES),
    inclusion: inclusion.map((h, i) => hashField(h, `inclusion[${i}]`)),
    checkpoint: textField(value.checkpoint, 'checkpoint', MAX_BUNDLE_CHECKPOINT_CHARS),
    logKey: textField(value.logKey, 'logKey', MAX_BUNDLE_KEY_CHARS),
    witnessKeys: witnessKeys.map((k, i) => textField(k, `witnessKeys[${i}]`, MAX_BUNDLE_KEY_CHARS)),
    ...federationField(value.federation),
  };
}

// ---- 2. federation ----

/** Step 2: the chain verifies from its genesis, whose id is the bundle's (and the pinned one). */
export function checkFederation(
  federationId: string,
  charters: readonly Envelope[],
  pinned?: string,
  opts: VerifyOptions = {},
): CharterChain {
  if (pinned !== undefined && pinned !== federationId) {
    throw new GovfedError('ERR_FEDERATION_MISMATCH', `bundle is of federation ${federationId}, not ${pinned}`);
  }
  return CharterChain.fromEnvelopes(federationId, charters, opts);
}

// ---- 3. log owner ----

/**
 * Step 3: the member whose log key (current or retired) is the bundle's; the key's name must be
 * `origin`. `retired` says the log was rotated away from (it takes no new entries; its entries stay valid).
 */
export function checkLogOwner(
  charter: Charter,
  logKey: string,
  origin: string,
  opts: VerifyOptions = {},
): { owner: Member; logVerifier: KeyedVerifier; retired: boolean } {
  const logVerifier = parseLogKey(logKey, opts);
  // parseVerifierKey is strict, so a key has one text form: compare the texts.
  const owner = charter.members.find((m) => memberLogKeys(m).includes(logVerifier.vkey));
  if (owner === undefined) {
    throw new GovfedError('ERR_UNKNOWN_KEY', `log key ${logVerifier.name} is no member's log key in the charter`);
  }
  if (logVerifier.name !== origin) {
    throw new GovfedError('ERR_ORIGIN_MISMATCH', `bundle origin ${origin} is not the log key's name`);
  }
  return { owner, logVerifier, retired: owner.logKey !== logVerifier.vkey };
}

// ---- 4. witnesses ----

/** Step 4: each listed key is the witness key of a member other than the owner; returns them by org. */
export function checkWitnessKeys(
  charter: Charter,
  owner: Member,
  witnessKeys: readonly string[],
  opts: VerifyOptions = {},
): Map<string, KeyedVerifier> {
  const byOrg = new Map<string, KeyedVerifier>();
  for (const vkey of witnessKeys) {
    const v = parseWitnessKey(vkey, opts);
    const member = charter.members.find((m) => m.witnessKey === v.vkey);
    if (member === undefined) throw new GovfedError('ERR_UNKNOWN_WITNESS', `${v.name} is no member's witness key`);
    if (member.org === owner.org) {
      throw new GovfedError('ERR_UNKNOWN_WITNESS', `${v.name} is the log owner's own witness: it does not count`);
    }
    if (byOrg.has(member.org)) throw malformed(`witness key of ${member.org} listed twice`);
    byOrg.set(member.org, v);
  }
  return byOrg;
}

// ---- 5. checkpoint ----

function checkTimestamps(verified: readonly NoteSignature[], logVerifier: KeyedVerifier, now?: number): void {
  if (now === undefined) return;
  const limit = Math.floor(now / 1000) + MAX_COSIGNATURE_SKEW_SECONDS;
  for (const sig of verified) {
    if (sig.name === logVerifier.name && sig.keyHash === logVerifier.keyHash) continue;
    if (cosignatureTimestamp(sig) > limit) {
      throw new GovfedError('ERR_CLOCK_SKEW', `cosignature by ${sig.name} is dated in the future`);
    }
  }
}

/**
 * Step 5: the log signed the checkpoint and every listed witness cosigned it, with no other signature
 * line (so no byte of the note is dead weight). Returns the checkpoint and the cosigning orgs.
 */
export function checkCosignedCheckpoint(
  note: string,
  logVerifier: KeyedVerifier,
  witnesses: ReadonlyMap<string, KeyedVerifier>,
  now?: number,
): { checkpoint: Checkpoint; cosigners: string[] } {
  const opened = openCheckpoint(note, logVerifier, [...witnesses.values()]);
  const lines = parseNote(note).signatures.length;
  if (lines !== opened.verified.length) {
    throw malformed('checkpoint carries a signature line by a key the bundle does not list, or one twice');
  }
  checkTimestamps(opened.verified, logVerifier, now);
  const cosigners: string[] = [];
  for (const [org, v] of witnesses) {
    if (!opened.verified.some((s) => s.name === v.name && s.keyHash === v.keyHash)) {
      throw malformed(`witness key of ${org} is listed but did not cosign`);
    }
    cosigners.push(org);
  }
  return { checkpoint: opened.checkpoint, cosigners: cosigners.sort() };
}

// ---- 6. threshold ----

/** Step 6: at least k cosigners. Returns k. */
export function checkWitnessThreshold(charter: Charter, owner: Member, cosigners: readonly string[]): number {
  const k = witnessThreshold(charter, owner.org);
  if (cosigners.length < k) {
    throw new GovfedError('ERR_WITNESS_THRESHOLD', `${cosigners.length} of ${k} required witness cosignatures`);
  }
  return k;
}

// ---- 7–9 ----

function checkTreeSize(bundleSize: number, checkpointSize: number): void {
  if (bundleSize !== checkpointSize) {
    throw new GovfedError('ERR_TREE_SIZE_MISMATCH', `treeSize ${bundleSize} is not the checkpoint's ${checkpointSize}`);
  }
}

/**
 * Verifies a cross-org bundle (an object, or its JSON text/bytes) offline. Returns what it proved;
 * throws a GovfedError whose code names the failed step (see the checklist above).
 */
export function verifyCrossOrgBundle(input: unknown, opts: CrossOrgVerifyOptions = {}): VerifiedCrossOrgBundle {
  const b = checkCrossOrgShape(input);
  const chain = checkFederation(b.federationId, b.charters, opts.federationId, opts);
  const charter = chain.current;
  const { owner, logVerifier, retired } = checkLogOwner(charter, b.logKey, b.origin, opts);
  const witnesses = checkWitnessKeys(charter, owner, b.witnessKeys, opts);
  const { checkpoint, cosigners } = checkCosignedCheckpoint(b.checkpoint, logVerifier, witnesses, opts.now);
  const k = checkWitnessThreshold(charter, owner, cosigners);
  checkTreeSize(b.treeSize, checkpoint.size);
  verifyInclusion(b.index, b.treeSize, leafHash(b.entry), b.inclusion, checkpoint.rootHash);
  const leaf = decodeLeaf(b.entry);
  return {
    origin: checkpoint.origin,
    org: owner.org,
    ...(retired ? { retired: true } : {}),
    index: b.index,
    treeSize: b.treeSize,
    rootHash: checkpoint.rootHash,
    leaf,
    cosigners,
    k,
    federationId: chain.federationId,
    charterVersion: chain.version,
    federationPinned: opts.federationId !== undefined,
  };
}
