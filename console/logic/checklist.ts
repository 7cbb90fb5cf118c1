/**
 * What the console's "verify" shows: the steps of protocol/audit/bundle.ts verifyProofBundle (the same
 * checklist `govfed verify` runs), then the record check of protocol/audit/export.ts
 * checkRecordMatchesLeaf, and which step a failure's code belongs to. The verdict itself always comes
 * from those protocol functions (logic/verify.ts); this file only labels it for people.
 */

export interface Step {
  id: 'shape' | 'key' | 'checkpoint' | 'treeSize' | 'leafHash' | 'inclusion' | 'leaf' | 'record';
  label: string;
}

export const STEPS: readonly Step[] = [
  { id: 'shape', label: 'bundle shape: exact fields, bounded sizes, canonical base64' },
  { id: 'key', label: "verifier key: the log's Ed25519 key (pinned when you gave one)" },
  { id: 'checkpoint', label: 'checkpoint: signed by that key, origin is the key name' },
  { id: 'treeSize', label: "tree size: the proof is for the checkpoint's tree" },
  { id: 'leafHash', label: 'leaf hash: SHA-256(0x00 || entry)' },
  { id: 'inclusion', label: 'inclusion proof: the hashes lead from the leaf to the signed root' },
  { id: 'leaf', label: 'leaf: a well-formed v1 decision leaf' },
  { id: 'record', label: "record: its SHA-256 is the leaf's recordDigest; id, model and time match" },
];

const STEP_OF_CODE: Readonly<Record<string, Step['id']>> = {
  ERR_MALFORMED_BUNDLE: 'shape',
  ERR_MALFORMED_VERIFIER_KEY: 'key',
  ERR_UNKNOWN_KEY: 'key',
  ERR_NO_VERIFIED_SIGNATURE: 'checkpoint',
  ERR_BAD_SIGNATURE: 'checkpoint',
  ERR_ORIGIN_MISMATCH: 'checkpoint',
  ERR_MALFORMED_NOTE: 'checkpoint',
  ERR_MALFORMED_CHECKPOINT: 'checkpoint',
  ERR_TREE_SIZE_MISMATCH: 'treeSize',
  ERR_LEAF_HASH_MISMATCH: 'leafHash',
  ERR_ROOT_MISMATCH: 'inclusion',
  ERR_PROOF_SIZE: 'inclusion',
  ERR_INDEX_OUT_OF_RANGE: 'inclusion',
  ERR_INVALID_TREE_SIZE: 'inclusion',
  ERR_MALFORMED_LEAF: 'leaf',
  ERR_RECORD_MISMATCH: 'record',
  ERR_MALFORMED_EXPORT: 'record', // a record that is not canonical JSON
};

export type StepState = 'passed' | 'failed' | 'not run';

export interface CheckedStep extends Step {
  state: StepState;
}

/**
 * Every step with its state: all passed when `failedCode` is undefined; else the steps before the one
 * the code belongs to passed, that one failed, the rest did not run. A code of no step (unexpected)
 * marks no step passed: the verdict is still "failed", with the code shown.
 */
export function checklist(failedCode?: string): CheckedStep[] {
  if (failedCode === undefined) return STEPS.map((s) => ({ ...s, state: 'passed' }));
  const at = STEP_OF_CODE[failedCode];
  const i = at === undefined ? -1 : STEPS.findIndex((s) => s.id === at);
  return STEPS.map((s, j) => ({ ...s, state: i < 0 ? 'not run' : j < i ? 'passed' : j === i ? 'failed' : 'not run' }));
}
