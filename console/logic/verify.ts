/**
 * "Verify" in the browser: fetch an entry's inclusion proof and the signed checkpoint from the node, and
 * check them with the project's own protocol code — protocol/audit/bundle.ts verifyProofBundle (what
 * `govfed verify` runs: strict RFC 8032 Ed25519, SHA-256 leaf hash, RFC 6962 inclusion) and
 * protocol/audit/export.ts checkRecordMatchesLeaf (the record is the one the leaf commits to). esbuild
 * bundles that code into the console; there is no second verifier.
 *
 * Everything fetched is attacker-controlled (a node may lie): it goes into a proof bundle exactly as
 * `govfed audit prove` builds one and only the protocol checks decide. The key: the one the person pins
 * (pasted from a source they trust), else the node's own (GET /v1/node) — then the result says the key
 * was not pinned, as `govfed verify` warns.
 */
import { createProofBundle, verifyProofBundle } from '../../protocol/audit/bundle.ts';
import { checkRecordMatchesLeaf } from '../../protocol/audit/export.ts';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import type { ConsoleApi } from './api.ts';
import { ApiError } from './api.ts';
import { type CheckedStep, checklist } from './checklist.ts';

export interface VerifyOutcome {
  ok: boolean;
  steps: CheckedStep[];
  /** The failing code and message (from the protocol checks, or fetching the pieces). */
  error?: { code: string; message: string };
  index: number;
  /** What was checked against: the checkpoint's tree size, root hash (base64) and origin, the key. */
  treeSize?: number;
  rootHash?: string;
  origin?: string;
  verifierKey?: string;
  keyPinned: boolean;
}

/**
 * A failure before the bundle is checked: fetching (no protocol step ran), or the key or checkpoint
 * failing the protocol's checks already when its tree size was read (that step failed).
 */
function fetchFailed(index: number, err: unknown, keyPinned: boolean): VerifyOutcome {
  const code = err instanceof ApiError || isGovfedError(err) ? (err as { code: string }).code : 'ERR_BAD_RESPONSE';
  return {
    ok: false,
    steps: checklist(isGovfedError(err) ? code : 'ERR_FETCH'),
    error: { code, message: (err as Error).message },
    index,
    keyPinned,
  };
}

/**
 * Verifies decision entry `index` of this node's log against its latest signed checkpoint, with
 * `pinnedKey` (a C2SP verifier key) when given.
 */
export async function verifyDecision(api: ConsoleApi, index: number, pinnedKey?: string): Promise<VerifyOutcome> {
  const keyPinned = pinnedKey !== undefined;
  let pieces: { key: string; note: string; size: number; entry: Uint8Array; proof: string[]; record: unknown };
  try {
    const key = pinnedKey ?? (await api.json<{ verifierKey: string }>('/v1/node')).verifierKey;
    const note = await api.text('/v1/log/checkpoint');
    // Only to learn the tree size to ask a proof for: the bundle's check below verifies the note again.
    const size = openCheckpoint(note, parseVerifierKey(key)).checkpoint.size;
    if (size <= index) {
      throw new ApiError('ERR_NO_CHECKPOINT', 0, `no signed checkpoint covers entry ${index} yet (size ${size})`);
    }
    const [entry, proof, decision] = await Promise.all([
      api.bytes(`/v1/log/entries/${index}`),
      api.json<{ proof: string[] }>(`/v1/log/proofs/inclusion?index=${index}&treeSize=${size}`),
      api.json<{ record: unknown }>(`/v1/decisions/${index}`),
    ]);
    pieces = { key, note, size, entry, proof: proof.proof, record: decision.record };
  } catch (err) {
    return fetchFailed(index, err, keyPinned);
  }
  try {
    const bundle = createProofBundle({
      index,
      treeSize: pieces.size,
      entry: pieces.entry,
      proof: pieces.proof.map((h) => fromBase64(h)),
      checkpoint: pieces.note,
      verifierKey: pieces.key,
    });
    const v = verifyProofBundle(bundle, { verifierKey: pieces.key });
    if (v.leaf.type !== 'decision') {
      throw Object.assign(new Error(`entry ${index} is not a decision`), { code: 'ERR_MALFORMED_LEAF' });
    }
    if (typeof pieces.record !== 'object' || pieces.record === null || Array.isArray(pieces.record)) {
      throw Object.assign(new Error(`the record of entry ${index} is not an object`), { code: 'ERR_RECORD_MISMATCH' });
    }
    checkRecordMatchesLeaf(index, pieces.record as Record<string, unknown>, v.leaf);
    return {
      ok: true,
      steps: checklist(),
      index,
      treeSize: v.treeSize,
      rootHash: toBase64(v.rootHash),
      origin: v.origin,
      verifierKey: pieces.key,
      keyPinned,
    };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const c = typeof code === 'string' ? code : 'ERR_INTERNAL';
    return {
      ok: false,
      steps: checklist(c),
      error: { code: c, message: (err as Error).message },
      index,
      treeSize: pieces.size,
      verifierKey: pieces.key,
      keyPinned,
    };
  }
}
