/**
 * Bodies of the witness gossip kinds (protocol/federation topics `checkpoint`, `alert`).
 * The federation layer has already checked the sender is a member and signed the message; these
 * checks bound and type the body (attacker-controlled) and verify nothing else — the receiver opens
 * the note with the charter's keys (the log's, and the members' witness keys for the cosignatures) or
 * runs verifyAlert.
 *
 *   checkpoint   { note: <a checkpoint note of the sender's log: its log signature line and the
 *                  cosignature lines the log collected — at least k once witnessed> }
 *   alert        { envelope: <DSSE envelope of ALERT_PAYLOAD_TYPE> }
 *
 * Witnessing is C2SP-style (witness-protocol.ts): a log's node asks each witness directly over
 * `/govfed/witness/1.0.0` and gossips its checkpoint once, when it holds the charter's witness
 * threshold of cosignatures — O(N) messages per checkpoint, where gossiping every cosignature to every
 * node was O(N²). A checkpoint travels as the whole note, not as {origin, size, root}: a cosignature/v1
 * line signs the checkpoint *text*, which the receiver must hold byte for byte (extension lines
 * included) to verify it; and the log's own signature line lets every receiver treat it as a checkpoint
 * the log showed — two of one size with other roots are equivocation evidence signed by the log
 * (protocol/witness/evidence.ts).
 *
 * Every rejection is a GossipValidationError ERR_MALFORMED_GOSSIP with action `reject`.
 */
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { GossipValidationError } from '../federation/errors.ts';
import { type Checkpoint, parseCheckpoint } from '../note/checkpoint.ts';
import { type NoteSignature, parseNote } from '../note/note.ts';
import { MAX_EVIDENCE_BYTES } from './evidence.ts';

/** Largest note in a `checkpoint` body (or a witness-protocol answer). */
export const MAX_GOSSIP_NOTE_CHARS = 64 * 1024;

/** A checked `checkpoint` body: its note, parsed (no signature verified yet). */
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

/** Checks a `checkpoint` body: one checkpoint note, bounded and well-formed (the log's signature first). */
export function checkCheckpointBody(body: Record<string, unknown>): CheckpointGossip {
  return checkNoteBody(body, 'checkpoint', 1);
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
