/**
 * `/govfed/witness/1.0.0`: how a log's node asks the other members to witness its checkpoints, and how
 * witnesses compare what they hold — over libp2p, one request frame and one response frame
 * (node/p2p/request.ts), only between current members (the gate).
 *
 *   request                                   response
 *   {type:"add-checkpoint", body}             {type:"cosignatures", lines}
 *                                             {type:"error", code, message, status, size?}
 *   {type:"get-witnessed"}                    {type:"witnessed", notes:[…]}
 *
 * `add-checkpoint` carries c2sp.org/tlog-witness's add-checkpoint request body byte for byte
 * (protocol/witness/request.ts: "old N", the consistency proof lines, an empty line, the note) and is
 * decided by the same pure rule as POST /v1/witness/add-checkpoint (witness.ts). Its answers are the
 * spec's: `lines` is the 200 body (the witness's cosignature lines); a refusal carries the HTTP `status`
 * the spec prescribes and, for the 409 old-size mismatch, the witness's recorded `size` (the
 * text/x.tlog.size body), so the log resends with the right consistency proof. A witness asked again
 * for the checkpoint it last cosigned answers with the same cosignature (witness.ts `previous`).
 *
 * `get-witnessed` is the witnesses' anti-entropy: the answering node's newest witnessed checkpoint of
 * each member log and the checkpoint it last cosigned of each (log signature + its cosignature). The
 * asker compares them with its own per-origin state: two notes of one size with other roots, both signed
 * by the log, are equivocation evidence (evidence.ts) — how a split view is caught once the halves of a
 * partition meet again, without every witness gossiping every cosignature.
 *
 * This file is the codec only (pure: bytes in, typed messages out). Everything a peer sends is
 * attacker-controlled: decoders check every field and bound every string and array; the notes and lines
 * are verified by the caller against the charter's keys.
 */
import { utf8 } from '../encoding/bytes.ts';
import { parseFrame } from '../encoding/frame.ts';
import { GovfedError } from '../errors.ts';
import { MAX_GOSSIP_NOTE_CHARS } from './gossip.ts';
import { MAX_ADD_CHECKPOINT_BYTES } from './request.ts';

export const WITNESS_PROTOCOL = '/govfed/witness/1.0.0';
/** Most notes in a `witnessed` answer (two per member log). */
export const MAX_WITNESSED_NOTES = 256;
/** Largest request or response frame. */
export const WITNESS_PROTOCOL_MAX_BYTES = 1024 * 1024;
/** Largest `lines` of a `cosignatures` answer (a witness has one key: one line; some room for more). */
const MAX_LINES_CHARS = 4096;

export type WitnessRequest = { type: 'add-checkpoint'; body: string } | { type: 'get-witnessed' };

export type WitnessResponse =
  | { type: 'cosignatures'; lines: string }
  | { type: 'witnessed'; notes: string[] }
  | { type: 'error'; code: string; message: string; status: number; size?: number };

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', `${WITNESS_PROTOCOL}: ${message}`);
}

function record(bytes: Uint8Array): Record<string, unknown> {
  return parseFrame(bytes, WITNESS_PROTOCOL_MAX_BYTES, bad);
}

function exactKeys(v: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw bad(`unknown field "${k}"`);
}

function str(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) throw bad(`${what}: expected a string of at most ${max} chars`);
  return v;
}

function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${what}: expected a non-negative integer`);
  return v;
}

export function encodeWitnessMessage(m: WitnessRequest | WitnessResponse): Uint8Array {
  return utf8(JSON.stringify(m));
}

/** Decodes a request (attacker-controlled). Throws ERR_INVALID_INPUT. */
export function decodeWitnessRequest(bytes: Uint8Array): WitnessRequest {
  const v = record(bytes);
  switch (v.type) {
    case 'add-checkpoint':
      exactKeys(v, ['type', 'body']);
      return { type: 'add-checkpoint', body: str(v.body, 'body', MAX_ADD_CHECKPOINT_BYTES) };
    case 'get-witnessed':
      exactKeys(v, ['type']);
      return { type: 'get-witnessed' };
    default:
      throw bad('unknown request type');
  }
}

/**
 * Decodes a response of the `expected` type (attacker-controlled). A refusal of add-checkpoint is
 * returned as the `error` message (its status and size are the answer the asker acts on); an `error`
 * to a get-witnessed, or any other type, throws ERR_INVALID_INPUT (or the peer's code).
 */
export function decodeWitnessResponse(
  bytes: Uint8Array,
  expected: 'cosignatures',
): Extract<WitnessResponse, { type: 'cosignatures' | 'error' }>;
export function decodeWitnessResponse(
  bytes: Uint8Array,
  expected: 'witnessed',
): Extract<WitnessResponse, { type: 'witnessed' }>;
export function decodeWitnessResponse(bytes: Uint8Array, expected: 'cosignatures' | 'witnessed'): WitnessResponse {
  const v = record(bytes);
  if (v.type === 'error') {
    exactKeys(v, ['type', 'code', 'message', 'status', 'size']);
    const code = str(v.code, 'code', 64);
    const message = str(v.message, 'message', 1024);
    const status = uint(v.status, 'status');
    if (!/^ERR_[A-Z0-9_]+$/.test(code) || status < 400 || status > 599) throw bad('error: bad code or status');
    const err = {
      type: 'error' as const,
      code,
      message,
      status,
      ...(v.size === undefined ? {} : { size: uint(v.size, 'size') }),
    };
    if (expected === 'cosignatures') return err;
    throw new GovfedError(code, `peer: ${message}`);
  }
  if (v.type !== expected) throw bad(`expected a ${expected} response`);
  if (expected === 'cosignatures') {
    exactKeys(v, ['type', 'lines']);
    return { type: 'cosignatures', lines: str(v.lines, 'lines', MAX_LINES_CHARS) };
  }
  exactKeys(v, ['type', 'notes']);
  if (!Array.isArray(v.notes) || v.notes.length > MAX_WITNESSED_NOTES) {
    throw bad(`notes: expected at most ${MAX_WITNESSED_NOTES}`);
  }
  return { type: 'witnessed', notes: v.notes.map((n, i) => str(n, `notes[${i}]`, MAX_GOSSIP_NOTE_CHARS)) };
}
