/**
 * Checkpoint notes as the witness handles them — always through protocol/note, never by splitting
 * lines: the log-signed part of a note, and what a stored witnessed note holds.
 */
import {
  type Checkpoint,
  formatSignatureLine,
  type NoteSignature,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
} from '../../protocol/note/index.ts';
import type { MemberLog } from './members.ts';

/** The checkpoint text with the log's signature line only. */
export function logOnlyNote(text: string, logSig: NoteSignature): string {
  return `${text}\n${formatSignatureLine(logSig)}`;
}

/** The log-signed part of `note` (text + the log's signature line), or undefined if it does not verify. */
export function logNoteOf(note: string, ml: MemberLog): string | undefined {
  return openedLogNote(note, ml)?.logNote;
}

/** What openLogNote returns. */
export interface OpenedLogNote {
  checkpoint: Checkpoint;
  text: string;
  logSig: NoteSignature;
  logNote: string;
}

/** openLogNote, or undefined when the log's signature does not verify (or the note does not parse). */
export function openedLogNote(note: string, ml: MemberLog): OpenedLogNote | undefined {
  try {
    return openLogNote(note, ml);
  } catch {
    return undefined;
  }
}

/** A note opened with the log's key: its checkpoint and the log-signed part (throws if it does not verify). */
export function openLogNote(note: string, ml: MemberLog): OpenedLogNote {
  const opened = openCheckpoint(note, ml.verifier);
  const logSig = opened.verified[0] as NoteSignature;
  return { checkpoint: opened.checkpoint, text: opened.text, logSig, logNote: logOnlyNote(opened.text, logSig) };
}

/**
 * What a witnessed note this node stored holds: the checkpoint's root and how many cosignatures follow
 * the log's signature. The note was verified before it was stored.
 */
export function storedWitnessed(note: string): { rootHash: Uint8Array; count: number } {
  const { text, signatures } = parseNote(note);
  return { rootHash: parseCheckpoint(text).rootHash, count: Math.max(0, signatures.length - 1) };
}
