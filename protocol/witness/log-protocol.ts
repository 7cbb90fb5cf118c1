/**
 * `/govfed/log/1.0.0`: how members read each other's audit logs over libp2p — the requests a witness
 * needs to check a checkpoint and a node needs to build a cross-org proof. One request frame, one
 * response frame (node/p2p/request.ts), only between current members (the gate).
 *
 *   request                                        response
 *   {type:"get-checkpoint"}                        {type:"checkpoint", note}
 *   {type:"get-consistency", origin?, from, to}    {type:"consistency", from, to, oldRoot, proof:[b64…]}
 *   {type:"get-inclusion", origin?, index, treeSize} {type:"inclusion", index, treeSize, entry, proof:[b64…]}
 *   {type:"get-entry", origin?, index}             {type:"entry", index, entry}
 *   {type:"lookup", origin?, decisionId | leafHash} {type:"found", index}  (leafHash: base64 of 32 bytes)
 *   any failure                                    {type:"error", code, message}
 *
 * This file is the codec only (pure: bytes in, typed messages out); node/witness/log-server.ts answers
 * requests about a node's own logs and node/witness/log-client.ts sends them, to the log's owner only.
 * `origin` names which of the answering node's logs (the current one when absent, or a retired one); a
 * node answers about no one else's (ERR_UNKNOWN_ORIGIN) — requests are never relayed.
 *
 * Frames are UTF-8 JSON, at most LOG_PROTOCOL_MAX_BYTES. `entry` is base64 of the exact leaf bytes — only
 * commitment leaves cross org boundaries; raw records are never served here. `oldRoot` is the root at
 * `from` (a consistency proof omits it when `from` is a power of two; equivocation evidence needs it).
 * Everything a peer sends is attacker-controlled: decoders check every field and bound every array, and
 * what matters (proofs, roots) is verified by the caller against signed checkpoints.
 */

import { MAX_DECISION_ID_CHARS } from '../audit/leaf.ts';
import { fromBase64, fromUtf8, utf8 } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

export const LOG_PROTOCOL = '/govfed/log/1.0.0';
/** Largest request or response frame. */
export const LOG_PROTOCOL_MAX_BYTES = 64 * 1024;
/** A proof of a tree below 2^53 has at most 64 hashes (plus one in full form). */
const MAX_HASHES = 65;
const MAX_ENTRY_B64 = Math.ceil(4096 / 3) * 4;

export type LogRequest =
  | { type: 'get-checkpoint' }
  | { type: 'get-consistency'; origin?: string; from: number; to: number }
  | { type: 'get-inclusion'; origin?: string; index: number; treeSize: number }
  | { type: 'get-entry'; origin?: string; index: number }
  | { type: 'lookup'; origin?: string; decisionId: string }
  | { type: 'lookup'; origin?: string; leafHash: string };

export type LogResponse =
  | { type: 'checkpoint'; note: string }
  | { type: 'consistency'; from: number; to: number; oldRoot: string; proof: string[] }
  | { type: 'inclusion'; index: number; treeSize: number; entry: string; proof: string[] }
  | { type: 'entry'; index: number; entry: string }
  | { type: 'found'; index: number }
  | { type: 'error'; code: string; message: string };

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', `${LOG_PROTOCOL}: ${message}`);
}

function record(bytes: Uint8Array): Record<string, unknown> {
  if (bytes.length > LOG_PROTOCOL_MAX_BYTES) throw bad('frame too large');
  let v: unknown;
  try {
    v = JSON.parse(fromUtf8(bytes));
  } catch (cause) {
    throw new GovfedError('ERR_INVALID_INPUT', `${LOG_PROTOCOL}: not UTF-8 JSON`, { cause });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('expected a JSON object');
  return v as Record<string, unknown>;
}

function uint(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${what}: expected a non-negative integer`);
  return v;
}

function str(v: unknown, what: string, max: number): string {
  if (typeof v !== 'string' || v.length > max) throw bad(`${what}: expected a string of at most ${max} chars`);
  return v;
}

function hashes(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.length > MAX_HASHES) throw bad(`${what}: expected at most ${MAX_HASHES} hashes`);
  return v.map((h, i) => str(h, `${what}[${i}]`, 44));
}

function exactKeys(v: Record<string, unknown>, keys: readonly string[]): void {
  for (const k of Object.keys(v)) if (!keys.includes(k)) throw bad(`unknown field "${k}"`);
}

export function encodeLogMessage(m: LogRequest | LogResponse): Uint8Array {
  return utf8(JSON.stringify(m));
}

/** Decodes a request (attacker-controlled). Throws ERR_INVALID_INPUT. */
export function decodeLogRequest(bytes: Uint8Array): LogRequest {
  const v = record(bytes);
  const origin = v.origin === undefined ? {} : { origin: str(v.origin, 'origin', 512) };
  switch (v.type) {
    case 'get-checkpoint':
      exactKeys(v, ['type']);
      return { type: 'get-checkpoint' };
    case 'get-consistency':
      exactKeys(v, ['type', 'origin', 'from', 'to']);
      return { type: 'get-consistency', ...origin, from: uint(v.from, 'from'), to: uint(v.to, 'to') };
    case 'get-inclusion':
      exactKeys(v, ['type', 'origin', 'index', 'treeSize']);
      return {
        type: 'get-inclusion',
        ...origin,
        index: uint(v.index, 'index'),
        treeSize: uint(v.treeSize, 'treeSize'),
      };
    case 'get-entry':
      exactKeys(v, ['type', 'origin', 'index']);
      return { type: 'get-entry', ...origin, index: uint(v.index, 'index') };
    case 'lookup':
      exactKeys(v, ['type', 'origin', 'decisionId', 'leafHash']);
      if ((v.decisionId === undefined) === (v.leafHash === undefined))
        throw bad('lookup: exactly one of decisionId, leafHash');
      if (v.leafHash !== undefined) {
        decodeHashes([str(v.leafHash, 'leafHash', 44)]);
        return { type: 'lookup', ...origin, leafHash: v.leafHash as string };
      }
      if (str(v.decisionId, 'decisionId', MAX_DECISION_ID_CHARS).length === 0) throw bad('lookup: empty decisionId');
      return { type: 'lookup', ...origin, decisionId: v.decisionId as string };
    default:
      throw bad('unknown request type');
  }
}

/** Decodes a response of the `expected` type (attacker-controlled); an error response becomes a GovfedError. */
export function decodeLogResponse<T extends LogResponse['type']>(
  bytes: Uint8Array,
  expected: T,
): Extract<LogResponse, { type: T }> {
  const v = record(bytes);
  if (v.type === 'error') {
    const code = str(v.code, 'code', 64);
    throw new GovfedError(
      /^ERR_[A-Z0-9_]+$/.test(code) ? code : 'ERR_INVALID_INPUT',
      `peer: ${str(v.message, 'message', 1024)}`,
    );
  }
  if (v.type !== expected) throw bad(`expected a ${expected} response`);
  let out: LogResponse;
  switch (expected) {
    case 'checkpoint':
      out = { type: 'checkpoint', note: str(v.note, 'note', LOG_PROTOCOL_MAX_BYTES) };
      break;
    case 'consistency':
      out = {
        type: 'consistency',
        from: uint(v.from, 'from'),
        to: uint(v.to, 'to'),
        oldRoot: str(v.oldRoot, 'oldRoot', 44),
        proof: hashes(v.proof, 'proof'),
      };
      break;
    case 'inclusion':
      out = {
        type: 'inclusion',
        index: uint(v.index, 'index'),
        treeSize: uint(v.treeSize, 'treeSize'),
        entry: str(v.entry, 'entry', MAX_ENTRY_B64),
        proof: hashes(v.proof, 'proof'),
      };
      break;
    case 'entry':
      out = { type: 'entry', index: uint(v.index, 'index'), entry: str(v.entry, 'entry', MAX_ENTRY_B64) };
      break;
    case 'found':
      out = { type: 'found', index: uint(v.index, 'index') };
      break;
    default:
      throw bad('unknown response type');
  }
  return out as Extract<LogResponse, { type: T }>;
}

/** Standard base64 hashes from a peer → 32-byte arrays. Throws ERR_INVALID_INPUT. */
export function decodeHashes(list: readonly string[]): Uint8Array[] {
  return list.map((h) => {
    let b: Uint8Array;
    try {
      b = fromBase64(h);
    } catch (cause) {
      throw new GovfedError('ERR_INVALID_INPUT', `${LOG_PROTOCOL}: hash is not base64`, { cause });
    }
    if (b.length !== 32) throw bad('hash must be 32 bytes');
    return b;
  });
}
