/**
 * The decision export, `govfed-decision-export/v1`: a set of decision records, each with its leaf and
 * its inclusion proof against ONE signed checkpoint, so anyone can check offline, with protocol/ alone,
 * that every record in the file is exactly the one the log committed to. `govfed decisions export`
 * writes one; `govfed verify` checks it.
 *
 * The file is JSON Lines (UTF-8, one JSON object per line, each line ending in "\n"), so that a large
 * export is written and checked a line at a time:
 *
 *   line 1   {"format":"govfed-decision-export/v1","treeSize":N,"checkpoint":<signed note of size N>,
 *             "verifierKey":<the log's C2SP verifier key>,"count":K,"query":{<the search, as strings>}}
 *   K lines  {"index":<leaf index>,"entry":<base64 of the exact leaf bytes>,
 *             "record":<the full decision record, JSON>,"proof":[<base64 hash>, … bottom-up]}
 *
 * An export is attacker-controlled. Verification is a checklist; each step throws a GovfedError with a
 * code or returns what it proved:
 *   1. header       bounded, exact fields, count <= MAX_EXPORT_RECORDS       ERR_MALFORMED_EXPORT
 *   2. verifier key parse; a pinned key (opts.verifierKey) must equal the   ERR_MALFORMED_VERIFIER_KEY,
 *                   file's — without a pin, keyPinned = false                ERR_UNKNOWN_KEY
 *   3. checkpoint   signed by that key, origin == key name                  ERR_NO_VERIFIED_SIGNATURE,
 *                                                                           ERR_ORIGIN_MISMATCH, …
 *   4. tree size    header.treeSize == the checkpoint's size                ERR_TREE_SIZE_MISMATCH
 *   then for each record line:
 *   5. line         bounded, exact fields, index < treeSize, no index twice ERR_MALFORMED_EXPORT
 *   6. inclusion    the proof leads from SHA-256(0x00||entry) to the root   ERR_ROOT_MISMATCH, ERR_PROOF_SIZE, …
 *   7. leaf         the entry is a well-formed v1 decision leaf             ERR_MALFORMED_LEAF
 *   8. record       SHA-256 of the record's canonical JSON is the leaf's    ERR_RECORD_MISMATCH
 *                   recordDigest; its decisionId, model and timestamp are
 *                   the leaf's
 *   and at the end:
 *   9. count        exactly `count` record lines (not cut short, nothing added) ERR_MALFORMED_EXPORT
 * What an export does NOT prove: that no other decision matched the search (a log proves what it holds,
 * not what a search left out). Without a pinned key it proves only that *some* key's log holds the
 * records: compare the key with one you trust.
 */
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { toBase64 } from '../encoding/bytes.ts';
import { GovfedError, isGovfedError } from '../errors.ts';
import { leafHash, verifyInclusion } from '../log/index.ts';
import { openCheckpoint } from '../note/index.ts';
import { chooseVerifier, MAX_CHECKPOINT_CHARS, MAX_PROOF_HASHES, MAX_VERIFIER_KEY_CHARS } from './bundle.ts';
import { base64Field, hashField, textField, uintField } from './bundle-fields.ts';
import { digestRecordBytes } from './decision.ts';
import { isPlainObject } from './fields.ts';
import { type DecisionLeaf, decodeLeaf, MAX_LEAF_BYTES } from './leaf.ts';

export const EXPORT_FORMAT = 'govfed-decision-export/v1';
/** Most records in one export. */
export const MAX_EXPORT_RECORDS = 100_000;
/** Longest header line and record line, in bytes (a record is at most 64 KiB as canonical JSON). */
export const MAX_EXPORT_HEADER_BYTES = 96 * 1024;
export const MAX_EXPORT_LINE_BYTES = 128 * 1024;
const MAX_QUERY_FIELDS = 16;
const MAX_QUERY_CHARS = 512;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  treeSize: number;
  checkpoint: string;
  verifierKey: string;
  count: number;
  query: Record<string, string>;
}

export interface ExportRecord {
  index: number;
  /** Standard base64 of the exact leaf bytes. */
  entry: string;
  record: Record<string, unknown>;
  /** Standard base64 hashes, bottom-up. */
  proof: string[];
}

export interface VerifiedExportRecord {
  index: number;
  leaf: DecisionLeaf;
  record: Record<string, unknown>;
}

export interface VerifiedExport {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  count: number;
  query: Record<string, string>;
  keyPinned: boolean;
}

const HEADER_FIELDS = ['format', 'treeSize', 'checkpoint', 'verifierKey', 'count', 'query'];
const RECORD_FIELDS = ['index', 'entry', 'record', 'proof'];

function malformed(message: string, cause?: unknown): GovfedError<string> {
  return new GovfedError('ERR_MALFORMED_EXPORT', message, cause === undefined ? undefined : { cause });
}

/** The header line (without "\n") of an export (the writer's side). */
export function exportHeaderLine(h: Omit<ExportHeader, 'format'>): string {
  return JSON.stringify({
    format: EXPORT_FORMAT,
    treeSize: h.treeSize,
    checkpoint: h.checkpoint,
    verifierKey: h.verifierKey,
    count: h.count,
    query: h.query,
  });
}

/** One record line (without "\n") of an export (the writer's side). */
export function exportRecordLine(r: {
  index: number;
  entry: Uint8Array;
  record: unknown;
  proof: readonly Uint8Array[];
}): string {
  return JSON.stringify({ index: r.index, entry: toBase64(r.entry), record: r.record, proof: r.proof.map(toBase64) });
}

/** A bounded line of JSON (attacker-controlled), parsed to an object with exactly `fields`. */
function parseLine(line: string, max: number, what: string, fields: readonly string[]): Record<string, unknown> {
  if (line.length > max) throw malformed(`${what}: longer than ${max} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    throw malformed(`${what}: not JSON`, cause);
  }
  if (!isPlainObject(value)) throw malformed(`${what}: expected a JSON object`);
  for (const k of Object.keys(value)) if (!fields.includes(k)) throw malformed(`${what}: unknown field "${k}"`);
  for (const k of fields) if (!(k in value)) throw malformed(`${what}: missing field "${k}"`);
  return value;
}

/** Re-labels a bundle field error (bundle-fields.ts) as an export error. */
function field<T>(read: () => T): T {
  try {
    return read();
  } catch (cause) {
    if (isGovfedError(cause, 'ERR_MALFORMED_BUNDLE')) throw malformed(cause.message, cause);
    throw cause;
  }
}

/** Step 1: the header's shape. */
export function checkExportHeader(line: string): ExportHeader {
  const v = parseLine(line, MAX_EXPORT_HEADER_BYTES, 'header', HEADER_FIELDS);
  if (v.format !== EXPORT_FORMAT) throw malformed(`header: format must be "${EXPORT_FORMAT}"`);
  const treeSize = field(() => uintField(v.treeSize, 'treeSize'));
  const count = field(() => uintField(v.count, 'count'));
  if (count > MAX_EXPORT_RECORDS) throw malformed(`header: count ${count} is more than ${MAX_EXPORT_RECORDS}`);
  const q = v.query;
  if (!isPlainObject(q) || Object.keys(q).length > MAX_QUERY_FIELDS) {
    throw malformed(`query: expected an object of at most ${MAX_QUERY_FIELDS} fields`);
  }
  for (const [k, s] of Object.entries(q)) {
    if (typeof s !== 'string' || s.length > MAX_QUERY_CHARS) throw malformed(`query.${k}: expected a short string`);
  }
  return {
    format: EXPORT_FORMAT,
    treeSize,
    checkpoint: field(() => textField(v.checkpoint, 'checkpoint', MAX_CHECKPOINT_CHARS)),
    verifierKey: field(() => textField(v.verifierKey, 'verifierKey', MAX_VERIFIER_KEY_CHARS)),
    count,
    query: q as Record<string, string>,
  };
}

/** Step 5: a record line's shape. */
export function checkExportRecordLine(
  line: string,
  treeSize: number,
): { index: number; entry: Uint8Array; record: Record<string, unknown>; proof: Uint8Array[] } {
  const v = parseLine(line, MAX_EXPORT_LINE_BYTES, 'record line', RECORD_FIELDS);
  const index = field(() => uintField(v.index, 'index'));
  if (index >= treeSize) throw malformed(`index ${index} is not below treeSize ${treeSize}`);
  if (!isPlainObject(v.record)) throw malformed(`record of entry ${index}: expected a JSON object`);
  const proof = v.proof;
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_HASHES) {
    throw malformed(`proof of entry ${index}: expected an array of at most ${MAX_PROOF_HASHES} hashes`);
  }
  return {
    index,
    entry: field(() => base64Field(v.entry, `entry ${index}`, MAX_LEAF_BYTES)),
    record: v.record,
    proof: proof.map((h, i) => field(() => hashField(h, `proof[${i}] of entry ${index}`))),
  };
}

/** Step 8: the record is the one the leaf commits to. */
export function checkRecordMatchesLeaf(index: number, record: Record<string, unknown>, leaf: DecisionLeaf): void {
  let bytes: Uint8Array;
  try {
    bytes = canonicalBytes(record);
  } catch (cause) {
    throw malformed(`record of entry ${index} cannot be encoded as canonical JSON`, cause);
  }
  if (digestRecordBytes(bytes) !== leaf.recordDigest) {
    throw new GovfedError('ERR_RECORD_MISMATCH', `record of entry ${index} is not the one its leaf commits to`);
  }
  for (const [r, l] of [
    ['decisionId', 'decisionId'],
    ['model', 'model'],
    ['timestamp', 'time'],
  ] as const) {
    if (record[r] !== leaf[l]) {
      throw new GovfedError('ERR_RECORD_MISMATCH', `record of entry ${index}: ${r} is not the leaf's ${l}`);
    }
  }
}

/**
 * Checks an export a line at a time: open() with the header line (steps 1–4), add() for each record line
 * (steps 5–8), finish() at the end (step 9). Pure; the caller reads the lines with a bound of
 * MAX_EXPORT_LINE_BYTES each.
 */
export class DecisionExportVerifier {
  readonly #header: ExportHeader;
  readonly #origin: string;
  readonly #rootHash: Uint8Array;
  readonly #keyPinned: boolean;
  readonly #seen = new Set<number>();

  private constructor(header: ExportHeader, origin: string, rootHash: Uint8Array, keyPinned: boolean) {
    this.#header = header;
    this.#origin = origin;
    this.#rootHash = rootHash;
    this.#keyPinned = keyPinned;
  }

  /** Steps 1–4 on the header line. */
  static open(headerLine: string, opts: { verifierKey?: string } & VerifyOptions = {}): DecisionExportVerifier {
    const header = checkExportHeader(headerLine);
    const { verifier, keyPinned } = chooseVerifier(header.verifierKey, opts.verifierKey, opts);
    const { checkpoint } = openCheckpoint(header.checkpoint, verifier);
    if (header.treeSize !== checkpoint.size) {
      throw new GovfedError(
        'ERR_TREE_SIZE_MISMATCH',
        `export treeSize ${header.treeSize} is not the checkpoint's size ${checkpoint.size}`,
      );
    }
    return new DecisionExportVerifier(header, checkpoint.origin, checkpoint.rootHash, keyPinned);
  }

  get header(): ExportHeader {
    return this.#header;
  }

  /** Steps 5–8 on one record line. */
  add(line: string): VerifiedExportRecord {
    if (this.#seen.size >= this.#header.count) {
      throw malformed(`more record lines than the header's count ${this.#header.count}`);
    }
    const r = checkExportRecordLine(line, this.#header.treeSize);
    if (this.#seen.has(r.index)) throw malformed(`entry ${r.index} appears twice`);
    this.#seen.add(r.index);
    verifyInclusion(r.index, this.#header.treeSize, leafHash(r.entry), r.proof, this.#rootHash);
    const leaf = decodeLeaf(r.entry);
    if (leaf.type !== 'decision') {
      throw new GovfedError('ERR_MALFORMED_LEAF', `entry ${r.index} is a ${leaf.type} event, not a decision`);
    }
    checkRecordMatchesLeaf(r.index, r.record, leaf);
    return { index: r.index, leaf, record: r.record };
  }

  /** Step 9: every record the header announced was there. */
  finish(): VerifiedExport {
    if (this.#seen.size !== this.#header.count) {
      throw malformed(`the header announces ${this.#header.count} records, the file has ${this.#seen.size}`);
    }
    return {
      origin: this.#origin,
      treeSize: this.#header.treeSize,
      rootHash: this.#rootHash,
      count: this.#header.count,
      query: this.#header.query,
      keyPinned: this.#keyPinned,
    };
  }
}

/**
 * Verifies a whole export held in memory (tests, small files): the text must be the header line and the
 * record lines, each ending in "\n".
 */
export function verifyDecisionExport(
  text: string,
  opts: { verifierKey?: string } & VerifyOptions = {},
): VerifiedExport {
  if (!text.endsWith('\n')) throw malformed('the file does not end with a newline (cut short?)');
  const lines = text.slice(0, -1).split('\n');
  const v = DecisionExportVerifier.open(lines[0] as string, opts);
  for (const line of lines.slice(1)) v.add(line);
  return v.finish();
}
