/**
 * Checkpoints (c2sp.org/tlog-checkpoint): a signed note whose text is a log's tree head.
 *
 *     <origin>\n                      non-empty; for us, equal to the log's key name
 *     <tree size>\n                   ASCII decimal, no leading zeros ("0" for the empty tree)
 *     base64(<32-byte root hash>)\n   RFC 6962 Merkle tree root
 *     [<extension line>\n]...         optional, non-empty, opaque
 *
 * Parsing is strict (attacker-controlled input): every line ends in "\n" (no CR), the size is a safe
 * JavaScript integer (< 2^53), the root decodes from canonical base64 to exactly 32 bytes.
 */
import { assertBytes, fromBase64, toBase64 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';
import type { NoteSigner, NoteVerifier } from './keys.ts';
import { isValidNoteText, type NoteSignature, openNote, signNote } from './note.ts';

export interface Checkpoint {
  /** The log's identity; must equal the log's key name to open. */
  origin: string;
  /** Number of leaves. */
  size: number;
  /** RFC 6962 root hash, 32 bytes. */
  rootHash: Uint8Array;
  /** Extension lines, without their "\n". Usually empty. */
  extensions: string[];
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  /** The exact note text that was signed (what cosignatures sign too). */
  text: string;
  /** Every verified signature: the log's, then any by `extraVerifiers`, in note order. */
  verified: NoteSignature[];
}

const SIZE_RE = /^(?:0|[1-9][0-9]{0,15})$/;

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_CHECKPOINT', message, cause === undefined ? undefined : { cause });
}

function parseSize(line: string): number {
  if (!SIZE_RE.test(line)) throw malformed('tree size must be decimal without leading zeros');
  const size = Number(line);
  if (!Number.isSafeInteger(size)) throw malformed('tree size exceeds 2^53 - 1');
  return size;
}

function parseRootHash(line: string): Uint8Array {
  let root: Uint8Array;
  try {
    root = fromBase64(line);
  } catch (cause) {
    throw malformed('root hash is not canonical base64', cause);
  }
  if (root.length !== 32) throw malformed(`root hash must be 32 bytes, got ${root.length}`);
  return root;
}

/** Parses checkpoint note text (attacker-controlled). Throws ERR_MALFORMED_CHECKPOINT. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!isValidNoteText(text)) {
    throw malformed('checkpoint text must end in "\\n" and contain no control characters');
  }
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw malformed('checkpoint needs origin, size and root hash lines');
  if (lines.some((l) => l.length === 0)) throw malformed('checkpoint lines must be non-empty');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  return { origin, size: parseSize(sizeLine), rootHash: parseRootHash(rootLine), extensions };
}

/** The note text of `c`. Throws ERR_MALFORMED_CHECKPOINT if it would not parse back to `c`. */
export function formatCheckpoint(c: Checkpoint): string {
  if (typeof c.origin !== 'string' || !Number.isSafeInteger(c.size) || c.size < 0 || !Array.isArray(c.extensions)) {
    throw malformed('checkpoint: origin must be a string, size a non-negative safe integer');
  }
  try {
    assertBytes(c.rootHash, 32, 'checkpoint root hash');
  } catch (cause) {
    throw malformed('checkpoint root hash must be 32 bytes', cause);
  }
  const lines = [c.origin, String(c.size), toBase64(c.rootHash), ...c.extensions];
  if (lines.some((l) => typeof l !== 'string' || l.length === 0 || l.includes('\n'))) {
    throw malformed('checkpoint origin and extension lines must be non-empty single lines');
  }
  const text = `${lines.join('\n')}\n`;
  parseCheckpoint(text); // the format must round-trip
  return text;
}

/** A checkpoint note signed by the log. */
export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  return signNote(formatCheckpoint(c), [signer]);
}

// ---- opening: a checklist, each step throws a coded error or returns what it proved ----

function requireLogSignature(verified: readonly NoteSignature[], log: NoteVerifier): void {
  if (!verified.some((s) => s.name === log.name && s.keyHash === log.keyHash)) {
    throw new GovfedError('ERR_NO_VERIFIED_SIGNATURE', `checkpoint is not signed by the log key ${log.name}`);
  }
}

function requireOrigin(c: Checkpoint, log: NoteVerifier): void {
  if (c.origin !== log.name) {
    throw new GovfedError('ERR_ORIGIN_MISMATCH', `checkpoint origin is not the log key name ${log.name}`);
  }
}

/**
 * Opens a checkpoint note (attacker-controlled): verifies the signatures of the log and of any
 * `extraVerifiers` (e.g. witness cosigners; unknown signatures are ignored), requires a valid log
 * signature, parses the text strictly and requires origin === the log's key name.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  logVerifier: NoteVerifier,
  extraVerifiers: readonly NoteVerifier[] = [],
): OpenedCheckpoint {
  const opened = openNote(note, [logVerifier, ...extraVerifiers.filter((v) => v !== logVerifier)]);
  requireLogSignature(opened.verified, logVerifier);
  const checkpoint = parseCheckpoint(opened.text);
  requireOrigin(checkpoint, logVerifier);
  return { checkpoint, text: opened.text, verified: opened.verified };
}
