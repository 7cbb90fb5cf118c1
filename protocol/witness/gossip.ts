/**
 * Bodies of the witness gossip kinds (protocol/federation topics `checkpoint`, `cosignature`, `alert`).
 * The federation layer has already checked the sender is a member and signed the message; these
 * checks bound and type the body (attacker-controlled) and verify nothing else — the receiver opens
 * the note with the charter's keys, verifies the cosignature, or runs verifyAlert.
 *
 *   checkpoint   { note: <signed checkpoint note of the sender's log> }
 *   cosignature  { origin, size, rootHash: <base64>, cosignature: "— <name> <base64>\n" }
 *   alert        { envelope: <DSSE envelope of ALERT_PAYLOAD_TYPE> }
 * Every rejection is a GossipValidationError ERR_MALFORMED_GOSSIP with action `reject`.
 */
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { fromBase64, toBase64 } from '../encoding/bytes.ts';
import { GossipValidationError } from '../federation/errors.ts';
import { HASH_SIZE } from '../log/index.ts';
import { formatSignatureLine, type NoteSignature, parseNote } from '../note/index.ts';
import { MAX_EVIDENCE_BYTES } from './evidence.ts';
import { parseCosignatureLines } from './request.ts';

export const MAX_GOSSIP_NOTE_CHARS = 64 * 1024;
const MAX_LINE_CHARS = 1024;

export interface CosignatureGossip {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  cosignature: NoteSignature;
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

/** The `checkpoint` body. */
export function checkpointBody(note: string): { note: string } {
  return { note: checkCheckpointBody({ note }) };
}

/** Checks a `checkpoint` body: one signed note, bounded and structurally well-formed. Returns the note. */
export function checkCheckpointBody(body: Record<string, unknown>): string {
  exactKeys(body, ['note'], 'checkpoint');
  const note = body.note;
  if (typeof note !== 'string' || note.length > MAX_GOSSIP_NOTE_CHARS) reject('checkpoint.note: expected a note');
  try {
    parseNote(note);
  } catch (cause) {
    reject('checkpoint.note: malformed note', cause);
  }
  return note;
}

/** The `cosignature` body. */
export function cosignatureBody(c: CosignatureGossip): Record<string, unknown> {
  const body = {
    origin: c.origin,
    size: c.size,
    rootHash: toBase64(c.rootHash),
    cosignature: formatSignatureLine(c.cosignature),
  };
  checkCosignatureBody(body);
  return body;
}

/** Checks a `cosignature` body and decodes it (the cosignature is NOT verified). */
export function checkCosignatureBody(body: Record<string, unknown>): CosignatureGossip {
  exactKeys(body, ['origin', 'size', 'rootHash', 'cosignature'], 'cosignature');
  const { origin, size, rootHash, cosignature } = body;
  if (typeof origin !== 'string' || origin.length === 0 || origin.length > MAX_LINE_CHARS) reject('cosignature.origin');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) reject('cosignature.size');
  if (typeof rootHash !== 'string' || rootHash.length !== 44)
    reject('cosignature.rootHash: expected base64 of 32 bytes');
  let root: Uint8Array;
  try {
    root = fromBase64(rootHash);
  } catch (cause) {
    reject('cosignature.rootHash: not canonical base64', cause);
  }
  if (root.length !== HASH_SIZE) reject('cosignature.rootHash: expected 32 bytes');
  if (typeof cosignature !== 'string' || cosignature.length > MAX_LINE_CHARS) reject('cosignature.cosignature');
  let sigs: NoteSignature[];
  try {
    sigs = parseCosignatureLines(cosignature);
  } catch (cause) {
    reject('cosignature.cosignature: not a signature line', cause);
  }
  const [sig] = sigs;
  if (sig === undefined || sigs.length !== 1) reject('cosignature.cosignature: expected exactly one line');
  return { origin, size, rootHash: root, cosignature: sig };
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
