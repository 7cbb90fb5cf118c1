/**
 * The offline proof bundle: everything needed to check, with protocol/ alone and no network, that one
 * entry is in a node's log — the entry, its inclusion proof, the signed checkpoint the proof leads to,
 * and the log's verifier key. `govfed audit prove` writes one; `govfed verify` checks it.
 *
 * A bundle is attacker-controlled. Verification is a checklist; each step throws a GovfedError with a
 * code or returns what it proved:
 *   1. shape          bounded, exact fields, canonical base64            ERR_MALFORMED_BUNDLE
 *   2. verifier key   parse; a pinned key (opts.verifierKey) must equal  ERR_MALFORMED_VERIFIER_KEY,
 *                     the bundle's — without a pin, keyPinned = false    ERR_UNKNOWN_KEY
 *   3. checkpoint     signed by that key, origin == key name             ERR_NO_VERIFIED_SIGNATURE,
 *                                                                        ERR_BAD_SIGNATURE, ERR_ORIGIN_MISMATCH,
 *                                                                        ERR_MALFORMED_NOTE / _CHECKPOINT
 *   4. tree size      bundle.treeSize == checkpoint size                  ERR_TREE_SIZE_MISMATCH
 *   5. leaf hash      bundle.leafHash == SHA-256(0x00 || entry)           ERR_LEAF_HASH_MISMATCH
 *   6. inclusion      the proof leads from the leaf hash to the root      ERR_ROOT_MISMATCH, ERR_PROOF_SIZE, …
 *   7. leaf           the entry is a well-formed v1 leaf                  ERR_MALFORMED_LEAF
 * Without a pinned key a bundle proves only that *some* key's log holds the entry: the caller must
 * compare `origin` and the key with one it trusts.
 */
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { equalBytes, toBase64 } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { leafHash as computeLeafHash, verifyInclusion } from '../log/index.ts';
import { ALG_ED25519, type KeyedVerifier, openCheckpoint, parseVerifierKey } from '../note/index.ts';
import {
  base64Field,
  hashField,
  malformedBundle as malformed,
  parseBundleJson,
  textField,
  uintField,
} from './bundle-fields.ts';
import { isPlainObject } from './fields.ts';
import { decodeLeaf, type Leaf, MAX_LEAF_BYTES } from './leaf.ts';

export const BUNDLE_FORMAT = 'govfed-inclusion-proof/v1';
/** Bounds on a bundle (attacker-controlled): a proof has at most 64 hashes for any tree < 2^53. */
export const MAX_BUNDLE_BYTES = 256 * 1024;
export const MAX_PROOF_HASHES = 64;
export const MAX_CHECKPOINT_CHARS = 64 * 1024;
export const MAX_VERIFIER_KEY_CHARS = 8192;

export interface ProofBundle {
  format: typeof BUNDLE_FORMAT;
  index: number;
  treeSize: number;
  /** Standard base64 of the exact leaf bytes. */
  entry: string;
  /** Standard base64 of SHA-256(0x00 || entry). */
  leafHash: string;
  /** Standard base64 hashes, bottom-up. */
  proof: string[];
  /** The C2SP signed note of the checkpoint of size treeSize. */
  checkpoint: string;
  /** The C2SP verifier key of the log. */
  verifierKey: string;
}

export interface VerifiedBundle {
  index: number;
  treeSize: number;
  leaf: Leaf;
  /** The log's origin (= its key name), as signed in the checkpoint. */
  origin: string;
  rootHash: Uint8Array;
  /** True only when opts.verifierKey pinned the key; otherwise the caller must judge the key. */
  keyPinned: boolean;
}

const BUNDLE_FIELDS = ['format', 'index', 'treeSize', 'entry', 'leafHash', 'proof', 'checkpoint', 'verifierKey'];

/** Builds a bundle from its parts (the prover's side; computes the leaf hash). */
export function createProofBundle(parts: {
  index: number;
  treeSize: number;
  entry: Uint8Array;
  proof: readonly Uint8Array[];
  checkpoint: string;
  verifierKey: string;
}): ProofBundle {
  return {
    format: BUNDLE_FORMAT,
    index: parts.index,
    treeSize: parts.treeSize,
    entry: toBase64(parts.entry),
    leafHash: toBase64(computeLeafHash(parts.entry)),
    proof: parts.proof.map(toBase64),
    checkpoint: parts.checkpoint,
    verifierKey: parts.verifierKey,
  };
}

// ---- the checklist ----

interface DecodedBundle {
  index: number;
  treeSize: number;
  entry: Uint8Array;
  leafHash: Uint8Array;
  proof: Uint8Array[];
  checkpoint: string;
  verifierKey: string;
}

/** Step 1: the shape. Exact fields, bounded sizes, canonical base64. */
export function checkBundleShape(input: unknown): DecodedBundle {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      value = parseBundleJson(input, MAX_BUNDLE_BYTES);
    } catch (cause) {
      if (isGovfedError(cause, 'ERR_MALFORMED_BUNDLE')) throw cause;
      throw malformed('bundle is not UTF-8 JSON', cause);
    }
  }
  if (!isPlainObject(value)) throw malformed('bundle: expected a JSON object');
  for (const k of Object.keys(value)) if (!BUNDLE_FIELDS.includes(k)) throw malformed(`bundle: unknown field "${k}"`);
  for (const k of BUNDLE_FIELDS) if (!(k in value)) throw malformed(`bundle: missing field "${k}"`);
  if (value.format !== BUNDLE_FORMAT) throw malformed(`format: expected "${BUNDLE_FORMAT}"`);
  const proof = value.proof;
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_HASHES) {
    throw malformed(`proof: expected an array of at most ${MAX_PROOF_HASHES} hashes`);
  }
  return {
    index: uintField(value.index, 'index'),
    treeSize: uintField(value.treeSize, 'treeSize'),
    entry: base64Field(value.entry, 'entry', MAX_LEAF_BYTES),
    leafHash: hashField(value.leafHash, 'leafHash'),
    proof: proof.map((h, i) => hashField(h, `proof[${i}]`)),
    checkpoint: textField(value.checkpoint, 'checkpoint', MAX_CHECKPOINT_CHARS),
    verifierKey: textField(value.verifierKey, 'verifierKey', MAX_VERIFIER_KEY_CHARS),
  };
}

/** Step 2: the key. The pinned key, when given, must be the bundle's key. */
export function chooseVerifier(
  bundleKey: string,
  pinnedKey?: string,
  opts: VerifyOptions = {},
): { verifier: KeyedVerifier; keyPinned: boolean } {
  const fromBundle = parseVerifierKey(bundleKey, opts);
  if (fromBundle.alg !== ALG_ED25519) {
    throw new GovfedError('ERR_MALFORMED_VERIFIER_KEY', 'a log verifier key must be an Ed25519 (0x01) key');
  }
  if (pinnedKey === undefined) return { verifier: fromBundle, keyPinned: false };
  const pinned = parseVerifierKey(pinnedKey, opts);
  if (pinned.vkey !== fromBundle.vkey) {
    throw new GovfedError('ERR_UNKNOWN_KEY', `bundle is for key ${fromBundle.name}, not the pinned key ${pinned.name}`);
  }
  return { verifier: pinned, keyPinned: true };
}

/** Step 4: the proof is for the checkpoint's tree. */
export function checkTreeSize(bundleSize: number, checkpointSize: number): void {
  if (bundleSize !== checkpointSize) {
    throw new GovfedError(
      'ERR_TREE_SIZE_MISMATCH',
      `bundle treeSize ${bundleSize} is not the checkpoint's size ${checkpointSize}`,
    );
  }
}

/** Step 5: the leaf hash is the entry's. Returns the hash. */
export function checkLeafHash(entry: Uint8Array, claimed: Uint8Array): Uint8Array {
  const actual = computeLeafHash(entry);
  if (!equalBytes(actual, claimed)) {
    throw new GovfedError('ERR_LEAF_HASH_MISMATCH', 'leafHash is not SHA-256(0x00 || entry)');
  }
  return actual;
}

/**
 * Verifies a proof bundle (an object, or its JSON text/bytes) offline. Returns what it proved; throws
 * a GovfedError whose code names the failed step (see the checklist above).
 */
export function verifyProofBundle(input: unknown, opts: { verifierKey?: string } & VerifyOptions = {}): VerifiedBundle {
  const b = checkBundleShape(input);
  const { verifier, keyPinned } = chooseVerifier(b.verifierKey, opts.verifierKey, opts);
  const { checkpoint } = openCheckpoint(b.checkpoint, verifier);
  checkTreeSize(b.treeSize, checkpoint.size);
  const hash = checkLeafHash(b.entry, b.leafHash);
  verifyInclusion(b.index, b.treeSize, hash, b.proof, checkpoint.rootHash);
  const leaf = decodeLeaf(b.entry);
  return {
    index: b.index,
    treeSize: b.treeSize,
    leaf,
    origin: checkpoint.origin,
    rootHash: checkpoint.rootHash,
    keyPinned,
  };
}
