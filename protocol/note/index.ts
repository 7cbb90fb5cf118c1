/**
 * C2SP signed notes, checkpoints and cosignatures — the text formats that carry govfed's log heads.
 *
 * The model, in plain words:
 *
 * - A **signed note** (c2sp.org/signed-note) is UTF-8 text, a blank line, and one or more signature
 *   lines `— <key name> base64(key ID || signature)`. A signature is only meaningful to someone who
 *   already trusts the key: a reader holds a set of **verifiers** (name + key ID + public key, written
 *   as a verifier key string `name+hash+base64(type||key)`) and opens the note with them. Signatures by
 *   unknown keys are ignored, a bad signature by a known key rejects the note, and a note with no
 *   verified signature is rejected.
 * - A **checkpoint** (c2sp.org/tlog-checkpoint) is a signed note whose text is a log's tree head:
 *   origin, tree size, base64 root hash, then optional extension lines. Our logs name their key after
 *   the origin, and openCheckpoint insists on it.
 * - A **cosignature** (c2sp.org/tlog-cosignature, cosignature/v1) is one more signature line on a
 *   checkpoint, by a witness, over "cosignature/v1\ntime <t>\n" + the checkpoint text, with the
 *   timestamp carried in the signature. A quorum of witness cosignatures shows that the witnesses saw
 *   the same, append-only log.
 *
 * Everything here is pure (strings and bytes in, strings and bytes out), byte-for-byte compatible with
 * Go's golang.org/x/mod/sumdb/note and transparency-dev/formats, and strict when parsing untrusted
 * input: sizes are capped, encodings must be canonical, every rejection is a GovfedError with a code.
 */

export {
  type Checkpoint,
  formatCheckpoint,
  type OpenedCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from './checkpoint.ts';
export {
  COSIGNATURE_V1_LENGTH,
  type CosignatureSigner,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureSignerKey,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignatureVerifierKey,
  signCosignature,
  verifyCosignature,
} from './cosignature.ts';
export { formatKeyHash } from './key-id.ts';
export { isValidKeyName } from './key-name.ts';
export {
  appendSignatures,
  formatSignatureLine,
  isValidNoteText,
  MAX_NOTE_BYTES,
  MAX_SIGNATURES,
  type NoteSignature,
  type OpenedNote,
  openNote,
  type ParsedNote,
  parseNote,
  SIGNATURE_PREFIX,
  signNote,
} from './note.ts';
export {
  ALG_COSIGNATURE_V1,
  ALG_ED25519,
  ed25519Signer,
  ed25519SignerKey,
  ed25519Verifier,
  ed25519VerifierKey,
  type KeyedVerifier,
  keyHash,
  type NoteSigner,
  type NoteVerifier,
  parseSignerKey,
  parseVerifierKey,
} from './verifier.ts';
