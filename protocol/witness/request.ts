/**
 * The wire formats of c2sp.org/tlog-witness `add-checkpoint`.
 *
 * Request body (POST <prefix>/add-checkpoint), every line ending in "\n" (U+000A):
 *
 *     old <size>\n                 "old", one space, ASCII decimal, no leading zeroes ("0" for zero)
 *     <base64 hash>\n ...          0..63 consistency proof lines, standard base64 of 32 bytes each
 *     \n                           an empty line
 *     <signed checkpoint note>     c2sp.org/tlog-checkpoint, with one or more signature lines
 *
 * 200 response body: one or more note signature lines "— <name> base64(key ID || signature)\n", the
 * witness's cosignatures on the checkpoint (content type text/plain; charset=utf-8).
 * 409 response body when the old size is not the witness's: "<recorded size>\n", content type
 * `text/x.tlog.size`.
 *
 * The request body is attacker-controlled: parsing is bounded (MAX_ADD_CHECKPOINT_BYTES), strict
 * (canonical decimal and base64, no CR, strict UTF-8) and checks the note's structure and the
 * checkpoint text; it verifies no signature. Every rejection is ERR_MALFORMED_WITNESS_REQUEST (HTTP
 * 400), with the underlying error as `cause`.
 */
import { fromBase64, fromUtf8, toBase64 } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { HASH_SIZE } from '../log/index.ts';
import {
  type Checkpoint,
  formatSignatureLine,
  type NoteSignature,
  parseCheckpoint,
  parseNote,
  SIGNATURE_PREFIX,
} from '../note/index.ts';

/** The most consistency proof lines a client may send (tlog-witness). */
export const MAX_PROOF_LINES = 63;
/** The largest checkpoint note we accept in a request, in characters. */
export const MAX_REQUEST_NOTE_CHARS = 64 * 1024;
/** The largest request body: the old size line, 63 proof lines, the empty line and the note. */
export const MAX_ADD_CHECKPOINT_BYTES = 16 + MAX_PROOF_LINES * 45 + 1 + MAX_REQUEST_NOTE_CHARS;
/** Content type of the 409 body. */
export const SIZE_CONTENT_TYPE = 'text/x.tlog.size';
/** Content type of the 200 body (and what clients send). */
export const COSIGNATURE_CONTENT_TYPE = 'text/plain; charset=utf-8';

export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness last cosigned. */
  oldSize: number;
  /** Consistency proof from oldSize to the checkpoint's size, 32-byte hashes. */
  proof: Uint8Array[];
  /** The signed checkpoint note, exactly as sent. */
  note: string;
  /** The checkpoint text parsed from the note. NOT VERIFIED: no signature has been checked. */
  checkpoint: Checkpoint;
}

const SIZE_RE = /^(?:0|[1-9][0-9]{0,15})$/;

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError('ERR_MALFORMED_WITNESS_REQUEST', message, cause === undefined ? undefined : { cause });
}

/** A decimal size "0" or without leading zeroes, below 2^53; undefined otherwise. */
function parseDecimal(s: string): number | undefined {
  if (!SIZE_RE.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function decodeBody(body: string | Uint8Array): string {
  if (body instanceof Uint8Array) {
    if (body.length > MAX_ADD_CHECKPOINT_BYTES) throw malformed(`body larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
    try {
      return fromUtf8(body);
    } catch (cause) {
      throw malformed('body is not UTF-8', cause);
    }
  }
  if (typeof body !== 'string') throw malformed('body: expected string or Uint8Array');
  if (body.length > MAX_ADD_CHECKPOINT_BYTES) throw malformed(`body larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes`);
  return body;
}

/** Takes one "\n"-terminated line from `s` at `pos`; undefined when there is no newline left. */
function takeLine(s: string, pos: number): { line: string; next: number } | undefined {
  const end = s.indexOf('\n', pos);
  return end < 0 ? undefined : { line: s.slice(pos, end), next: end + 1 };
}

function parseOldLine(line: string): number {
  if (!line.startsWith('old ')) throw malformed('first line must be "old <size>"');
  const size = parseDecimal(line.slice(4));
  if (size === undefined) throw malformed('old size must be decimal without leading zeroes, below 2^53');
  return size;
}

function parseProofLine(line: string, i: number): Uint8Array {
  let h: Uint8Array;
  try {
    h = fromBase64(line);
  } catch (cause) {
    throw malformed(`proof line ${i + 1} is not canonical standard base64`, cause);
  }
  if (h.length !== HASH_SIZE) throw malformed(`proof line ${i + 1} must encode ${HASH_SIZE} bytes, got ${h.length}`);
  return h;
}

function parseCheckpointNote(note: string): Checkpoint {
  if (note.length > MAX_REQUEST_NOTE_CHARS) throw malformed(`checkpoint note longer than ${MAX_REQUEST_NOTE_CHARS}`);
  try {
    return parseCheckpoint(parseNote(note).text);
  } catch (cause) {
    if (isGovfedError(cause)) throw malformed(`checkpoint: ${cause.message}`, cause);
    throw cause;
  }
}

/**
 * Parses an add-checkpoint request body (attacker-controlled, bytes or text). Checks the format only;
 * the witness decision (witness.ts) verifies signatures and the proof.
 */
export function parseAddCheckpoint(body: string | Uint8Array): AddCheckpointRequest {
  const s = decodeBody(body);
  const first = takeLine(s, 0);
  if (first === undefined) throw malformed('no old size line');
  const oldSize = parseOldLine(first.line);
  const proof: Uint8Array[] = [];
  let pos = first.next;
  for (;;) {
    const next = takeLine(s, pos);
    if (next === undefined) throw malformed('no empty line before the checkpoint');
    pos = next.next;
    if (next.line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw malformed(`more than ${MAX_PROOF_LINES} proof lines`);
    proof.push(parseProofLine(next.line, proof.length));
  }
  const note = s.slice(pos);
  return { oldSize, proof, note, checkpoint: parseCheckpointNote(note) };
}

/** The request body for `req` (a client's side; the inverse of parseAddCheckpoint). */
export function formatAddCheckpoint(req: { oldSize: number; proof: readonly Uint8Array[]; note: string }): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) {
    throw new GovfedError('ERR_INVALID_INPUT', 'oldSize: expected a non-negative safe integer');
  }
  if (!Array.isArray(req.proof) || req.proof.length > MAX_PROOF_LINES) {
    throw new GovfedError('ERR_INVALID_INPUT', `proof: expected at most ${MAX_PROOF_LINES} hashes`);
  }
  for (const h of req.proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new GovfedError('ERR_INVALID_INPUT', `proof: expected ${HASH_SIZE}-byte hashes`);
    }
  }
  const body = `old ${req.oldSize}\n${req.proof.map((h) => `${toBase64(h)}\n`).join('')}\n${req.note}`;
  parseAddCheckpoint(body); // what we send must parse
  return body;
}

/** The 409 body: the recorded size in decimal and "\n" (content type SIZE_CONTENT_TYPE). */
export function formatSizeBody(size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new GovfedError('ERR_INVALID_INPUT', 'size: expected a non-negative safe integer');
  }
  return `${size}\n`;
}

/** Parses a 409 body (from a witness: attacker-controlled). Throws ERR_MALFORMED_WITNESS_REQUEST. */
export function parseSizeBody(body: string): number {
  if (typeof body !== 'string' || !body.endsWith('\n') || body.length > 20) {
    throw malformed('size body must be "<decimal>\\n"');
  }
  const size = parseDecimal(body.slice(0, -1));
  if (size === undefined) throw malformed('size body must be decimal without leading zeroes');
  return size;
}

/** The 200 body: each cosignature as a note signature line. */
export function formatCosignatureLines(sigs: readonly NoteSignature[]): string {
  if (sigs.length === 0) throw new GovfedError('ERR_INVALID_INPUT', 'need at least one cosignature');
  return sigs.map(formatSignatureLine).join('');
}

/**
 * Parses a 200 body (from a witness: attacker-controlled) into signature lines, verifying nothing:
 * append them to the checkpoint with appendSignatures and open it with the witness keys you trust.
 * Throws ERR_MALFORMED_NOTE.
 */
export function parseCosignatureLines(body: string): NoteSignature[] {
  if (typeof body !== 'string' || body.length === 0 || !body.startsWith(SIGNATURE_PREFIX)) {
    throw new GovfedError('ERR_MALFORMED_NOTE', 'expected one or more signature lines');
  }
  // A signature block is what follows the blank line of a note: reuse the note parser on a stub text.
  return parseNote(`x\n\n${body}`).signatures;
}
