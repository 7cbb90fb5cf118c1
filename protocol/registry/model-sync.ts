/**
 * Model-registry anti-entropy frames on `/govfed/models/1.0.0` (codec only; node/registry/models.ts runs
 * it). Every node numbers the registry records it holds (registrations and approvals, signed by people)
 * (and contracts, kill-switch and deployment records) in the order it took them; an asker pages through an answerer's list from where it stopped last time:
 *
 *   request   {"type":"models-hello","from":<n>}                        the answerer's index to start at
 *   response  {"type":"models","records":[{"kind","envelope"}…],"next":<n>,"total":<n>}
 *
 * `next` is where the asker continues; `total` the answerer's count (smaller than the asker's cursor: the
 * answerer lost records — start again at 0). Both frames are bounded JSON, attacker-controlled both ways;
 * every envelope in a response is verified by the asker like a gossiped one.
 */
import { isPlainObject } from '../audit/fields.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { utf8 } from '../encoding/bytes.ts';
import { parseFrame } from '../encoding/frame.ts';
import { GovfedError } from '../errors.ts';
import { MAX_CONTRACT_ENVELOPE } from './contract.ts';
import { MAX_DEPLOYMENT_ENVELOPE } from './deployment.ts';
import { MAX_REVOCATION_ENVELOPE } from './revocation.ts';

export const MODELS_PROTOCOL = '/govfed/models/1.0.0';
/** The largest registration envelope (a model card is most of it) and approval envelope. */
export const MAX_REGISTRATION_ENVELOPE = 400 * 1024;
export const MAX_APPROVAL_ENVELOPE = 100 * 1024;
/** Most records in one answer, and the largest frame. */
export const MAX_SYNC_RECORDS = 64;
export const MAX_MODELS_FRAME = 4 * 1024 * 1024;

export type RegistryRecordKind = 'registration' | 'approval' | 'contract' | 'revocation' | 'deployment';
export const REGISTRY_RECORD_KINDS: readonly RegistryRecordKind[] = [
  'registration',
  'approval',
  'contract',
  'revocation',
  'deployment',
];

export interface RegistryRecord {
  kind: RegistryRecordKind;
  envelope: Envelope;
}

export interface ModelsPage {
  records: RegistryRecord[];
  next: number;
  total: number;
}

function bad(message: string): GovfedError {
  return new GovfedError('ERR_INVALID_INPUT', `models sync: ${message}`);
}

function parse(bytes: Uint8Array): Record<string, unknown> {
  return parseFrame(bytes, MAX_MODELS_FRAME, bad);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export function encodeModelsHello(from: number): Uint8Array {
  return utf8(JSON.stringify({ type: 'models-hello', from }));
}

export function decodeModelsHello(bytes: Uint8Array): number {
  const v = parse(bytes);
  if (v.type !== 'models-hello' || !isCount(v.from) || Object.keys(v).length !== 2)
    throw bad('expected {type: "models-hello", from}');
  return v.from;
}

/** The envelope's size limit for a record of `kind` off the wire. */
export function recordLimits(kind: RegistryRecordKind): { maxBytes: number; maxSignatures: number } {
  const maxBytes =
    kind === 'registration'
      ? MAX_REGISTRATION_ENVELOPE
      : kind === 'contract'
        ? MAX_CONTRACT_ENVELOPE
        : kind === 'revocation'
          ? MAX_REVOCATION_ENVELOPE
          : kind === 'deployment'
            ? MAX_DEPLOYMENT_ENVELOPE
            : MAX_APPROVAL_ENVELOPE;
  return { maxBytes, maxSignatures: 1 };
}

/**
 * A page of `all` from `from`: at most MAX_SYNC_RECORDS records and (with the frame's overhead) at most
 * MAX_MODELS_FRAME bytes; always at least one record when any is left, so paging never stalls.
 */
export function encodeModelsPage(all: readonly RegistryRecord[], from: number): Uint8Array {
  const records: RegistryRecord[] = [];
  let bytes = 256;
  let next = Math.min(from, all.length);
  for (; next < all.length && records.length < MAX_SYNC_RECORDS; next++) {
    const r = all[next] as RegistryRecord;
    const size = JSON.stringify(r).length + 1;
    if (records.length > 0 && bytes + size > MAX_MODELS_FRAME) break;
    records.push(r);
    bytes += size;
  }
  return utf8(JSON.stringify({ type: 'models', records, next, total: all.length }));
}

export function decodeModelsPage(bytes: Uint8Array): ModelsPage {
  const v = parse(bytes);
  if (v.type !== 'models' || !Array.isArray(v.records) || !isCount(v.next) || !isCount(v.total)) {
    throw bad('expected {type: "models", records, next, total}');
  }
  if (Object.keys(v).length !== 4) throw bad('unknown field');
  if (v.records.length > MAX_SYNC_RECORDS) throw bad(`at most ${MAX_SYNC_RECORDS} records`);
  if (v.next > v.total) throw bad('next beyond total');
  const records = v.records.map((r, i) => {
    if (!isPlainObject(r) || Object.keys(r).length !== 2) throw bad(`records[${i}]: expected {kind, envelope}`);
    const kind = REGISTRY_RECORD_KINDS.find((k) => k === r.kind);
    if (kind === undefined) throw bad(`records[${i}].kind: unknown`);
    return { kind, envelope: parseEnvelope(r.envelope, recordLimits(kind)) };
  });
  return { records, next: v.next, total: v.total };
}
