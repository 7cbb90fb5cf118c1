/**
 * Bodies of the witness gossip kinds (protocol/federation topics `checkpoint`, `cosignature`, `alert`).
 * The federation layer has already checked the sender is a member and signed the message; these
 * checks bound and type the body (attacker-controlled) and verify nothing else — the receiver opens
 * the note with the charter's keys (the log's, and for a cosignature the sender's witness key) or runs
 * verifyAlert.
 *
 *   checkpoint   { note: <checkpoint note signed by the sender's log key> }
 *   cosignature  { note: <the same checkpoint note, its log signature line and the sender's cosignature line> }
 *   alert        { envelope: <DSSE envelope of ALERT_PAYLOAD_TYPE> }
 *
 * Why a cosignature travels as the whole note, not as {origin, size, root, line}: a cosignature/v1
 * line signs the checkpoint *text*, which the receiver must hold byte for byte (extension lines
 * included) to verify it; and the log's own signature line lets every receiver treat the cosigned
 * checkpoint as one the log showed — it witnesses it in turn, and two cosigned checkpoints of one size
 * with other roots are equivocation evidence signed by the log (protocol/witness/evidence.ts). That is
 * how a split view is caught when the halves of a partition meet again.
 *
 * Every rejection is a GossipValidationError ERR_MALFORMED_GOSSIP with action `reject`.
 */
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { GossipValidationError } from '../federation/errors.ts';
import { type Checkpoint, parseCheckpoint } from '../note/checkpoint.ts';
import { type NoteSignature, parseNote } from '../note/note.ts';
import { MAX_EVIDENCE_BYTES } from './evidence.ts';

/** Largest note in a `checkpoint` or `cosignature` body. */
export const MAX_GOSSIP_NOTE_CHARS = 64 * 1024;

/** A checked `checkpoint` or `cosignature` body: its note, parsed (no signature verified yet). */
export interface CheckpointGossip {
  note: string;
  /** The signed text (what the log signature and every cosignature sign). */
  text: string;
  /** The checkpoint the text holds; `checkpoint.origin` names the log whose keys open the note. */
  checkpoint: Checkpoint;
  /** Every signature line of the note, in order. */
  signatures: NoteSignature[];
}

function reject(message: string, cause?: unknown): never {
  throw new GossipValidationError(
    'ERR_MALFORMED_GOSSIP',
    'reject',
    message,
    cause === undefined ? undefined : { cause },
  );
}

function exactKeys(body: Record<string, unknown>, keys: readonly string[], kind: string): void {
  const got = Object.keys(body);
  if (got.length !== keys.length || !keys.every((k) => k in body)) reject(`${kind} body must be {${keys.join(', ')}}`);
}

function checkNoteBody(body: Record<string, unknown>, kind: string, minSignatures: number): CheckpointGossip {
  exactKeys(body, ['note'], kind);
  const note = body.note;
  if (typeof note !== 'string' || note.length > MAX_GOSSIP_NOTE_CHARS) reject(`${kind}.note: expected a note`);
  let parsed: ReturnType<typeof parseNote>;
  let checkpoint: Checkpoint;
  try {
    parsed = parseNote(note);
    checkpoint = parseCheckpoint(parsed.text);
  } catch (cause) {
    reject(`${kind}.note: not a checkpoint note`, cause);
  }
  if (parsed.signatures.length < minSignatures) {
    reject(`${kind}.note: expected at least ${minSignatures} signature lines`);
  }
  return { note, text: parsed.text, checkpoint, signatures: parsed.signatures };
}

/** The `checkpoint` body. */
export function checkpointBody(note: string): { note: string } {
  return { note: checkCheckpointBody({ note }).note };
}

/** Checks a `checkpoint` body: one checkpoint note, bounded and well-formed. */
export function checkCheckpointBody(body: Record<string, unknown>): CheckpointGossip {
  return checkNoteBody(body, 'checkpoint', 1);
}

/**
 * The `cosignature` body: a checkpoint note with the log's signature line and the sender's cosignature
 * line (protocol/note appendSignatures adds one to a log-signed note).
 */
export function cosignatureBody(cosignedNote: string): { note: string } {
  return { note: checkCosignatureBody({ note: cosignedNote }).note };
}

/**
 * Checks a `cosignature` body: a checkpoint note with at least two signature lines (the log's and the
 * sender's cosignature). Neither is verified here.
 */
export function checkCosignatureBody(body: Record<string, unknown>): CheckpointGossip {
  return checkNoteBody(body, 'cosignature', 2);
}

/** The `alert` body. */
export function alertBody(env: Envelope): { envelope: Envelope } {
  return { envelope: checkAlertBody({ envelope: env }) };
}

/** Checks an `alert` body: a well-formed, bounded DSSE envelope (verifyAlert does the rest). */
export function checkAlertBody(body: Record<string, unknown>): Envelope {
  exactKeys(body, ['envelope'], 'alert');
  try {
    return parseEnvelope(body.envelope, { maxBytes: 2 * MAX_EVIDENCE_BYTES, maxSignatures: 8 });
  } catch (cause) {
    reject('alert.envelope: not a well-formed envelope', cause);
  }
}
