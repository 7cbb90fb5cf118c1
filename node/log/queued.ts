/**
 * A sequenced entry as it waits to be integrated (`q/<index>`, keys.ts): the bytes a process that took
 * an append wrote — its leaf, its RFC 6962 leaf hash and its raw record, if any — and the integrator
 * (integrator.ts) reads back. One version byte first, so the layout can change:
 *
 *     0x01 | flags (bit 0: has record) | leaf hash (32) | leaf length (u32 BE) | leaf | record (rest)
 *
 * The store is the org's own database, but a queued value is still checked as it is read back: a value
 * that does not parse is ERR_LOG_CORRUPT (nothing is integrated from it).
 */
import { MAX_LEAF_BYTES } from '../../protocol/audit/index.ts';
import { GovfedError } from '../../protocol/errors.ts';
import type { AppendItem } from './appender.ts';

const VERSION = 1;
const HEADER = 2 + 32 + 4;

export interface QueuedEntry {
  leaf: Uint8Array;
  leafHash: Uint8Array;
  record?: Uint8Array;
}

export function encodeQueued(e: QueuedEntry): Uint8Array {
  const rec = e.record;
  const out = new Uint8Array(HEADER + e.leaf.length + (rec?.length ?? 0));
  out[0] = VERSION;
  out[1] = rec === undefined ? 0 : 1;
  out.set(e.leafHash, 2);
  new DataView(out.buffer).setUint32(34, e.leaf.length);
  out.set(e.leaf, HEADER);
  if (rec !== undefined) out.set(rec, HEADER + e.leaf.length);
  return out;
}

function corrupt(index: number, why: string): GovfedError<string> {
  return new GovfedError('ERR_LOG_CORRUPT', `sequenced entry ${index}: ${why}`);
}

/** The append item a queued value stands for. ERR_LOG_CORRUPT when it does not parse. */
export function decodeQueued(index: number, v: Uint8Array): AppendItem {
  if (v.length < HEADER) throw corrupt(index, 'too short');
  if (v[0] !== VERSION) throw corrupt(index, `unknown version ${v[0]}`);
  const flags = v[1] as number;
  if ((flags & ~1) !== 0) throw corrupt(index, `unknown flags ${flags}`);
  const n = new DataView(v.buffer, v.byteOffset, v.byteLength).getUint32(34);
  if (n === 0 || n > MAX_LEAF_BYTES || HEADER + n > v.length) throw corrupt(index, 'bad leaf length');
  if ((flags & 1) === 0 && HEADER + n !== v.length) throw corrupt(index, 'trailing bytes');
  const leaf = v.subarray(HEADER, HEADER + n);
  const leafHash = v.subarray(2, 34);
  return (flags & 1) === 1 ? { leaf, leafHash, record: v.subarray(HEADER + n) } : { leaf, leafHash };
}
