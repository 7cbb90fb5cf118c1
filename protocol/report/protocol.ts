/**
 * `/govfed/report/1.0.0` (docs/PROTOCOL.md "Compliance reports"): a node putting a report together asks
 * each member for its model-counts statements (counts.ts) of the versions the report is about. The
 * member brings its counters up to its log's size, signs and logs a fresh statement for each version
 * whose counts changed since its last one, and answers with the newest statement of each:
 *
 *   request   JCS({ "type": "get-counts", "versions": [ {"model": {"org","name","version"}, "digest"}, … ] })
 *   response  JCS({ "type": "counts", "statements": [ <model-counts envelope>, … ] })
 *           | JCS({ "type": "error", "code", "message" })
 *
 * Bounded: at most MAX_REPORT_VERSIONS versions a request and one statement per version. The statements
 * are only parsed here: the asker verifies each (verifyCounts) and proves it in the member's witnessed
 * log before it goes into a report.
 */
import { isSha256Digest } from '../audit/fields.ts';
import { parseCanonicalFrame } from '../canonical/frame.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import { type Envelope, parseEnvelope } from '../dsse/index.ts';
import { GovfedError } from '../errors.ts';
import { checkModelRef, type ModelRef } from '../registry/model-ref.ts';
import { MAX_COUNTS_ENVELOPE } from './counts.ts';

export const REPORT_PROTOCOL = '/govfed/report/1.0.0';
/** Versions one request may name. */
export const MAX_REQUEST_VERSIONS = 256;
export const MAX_REPORT_REQUEST_FRAME = 128 * 1024;
export const MAX_REPORT_RESPONSE_FRAME = 4 * 1024 * 1024;

export interface CountsAsked {
  model: ModelRef;
  digest: string;
}

export type CountsResponse =
  | { type: 'counts'; statements: Envelope[] }
  | { type: 'error'; code: string; message: string };

function malformed(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_REPORT_REQUEST',
    `report protocol: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

export function encodeCountsRequest(versions: readonly CountsAsked[]): Uint8Array {
  return canonicalBytes({ type: 'get-counts', versions });
}

/** Checks a request frame (attacker-controlled). */
export function decodeCountsRequest(bytes: Uint8Array): CountsAsked[] {
  const v = parseCanonicalFrame(bytes, MAX_REPORT_REQUEST_FRAME, malformed);
  const keys = Object.keys(v).sort();
  if (v.type !== 'get-counts' || keys.length !== 2 || keys[1] !== 'versions') {
    throw malformed('request must be {type: get-counts, versions}');
  }
  if (!Array.isArray(v.versions) || v.versions.length < 1 || v.versions.length > MAX_REQUEST_VERSIONS) {
    throw malformed(`versions must be an array of 1..${MAX_REQUEST_VERSIONS}`);
  }
  return v.versions.map((x: unknown, i: number) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) throw malformed(`versions[${i}]: expected an object`);
    const o = x as Record<string, unknown>;
    if (Object.keys(o).length !== 2 || !isSha256Digest(o.digest)) {
      throw malformed(`versions[${i}]: expected {model, digest: sha256:<hex>}`);
    }
    const m = checkModelRef(o.model, (message) => malformed(`versions[${i}].model: ${message}`));
    return { model: { org: m.org, name: m.name, version: m.version }, digest: o.digest };
  });
}

export function encodeCountsResponse(r: CountsResponse): Uint8Array {
  const bytes = canonicalBytes(r);
  if (bytes.length > MAX_REPORT_RESPONSE_FRAME) {
    return canonicalBytes({ type: 'error', code: 'ERR_INTERNAL', message: 'answer too large' });
  }
  return bytes;
}

/** Checks a response frame (attacker-controlled): bounded, strict; envelopes well-formed, not verified. */
export function decodeCountsResponse(bytes: Uint8Array): CountsResponse {
  const v = parseCanonicalFrame(bytes, MAX_REPORT_RESPONSE_FRAME, malformed);
  const keys = Object.keys(v).sort().join(',');
  if (v.type === 'error' && keys === 'code,message,type') {
    if (typeof v.code !== 'string' || !/^ERR_[A-Z0-9_]{1,60}$/.test(v.code) || typeof v.message !== 'string') {
      throw malformed('error: expected {code, message}');
    }
    return { type: 'error', code: v.code, message: v.message.slice(0, 1024) };
  }
  if (v.type !== 'counts' || keys !== 'statements,type') throw malformed('response must be {type: counts, statements}');
  if (!Array.isArray(v.statements) || v.statements.length > MAX_REQUEST_VERSIONS) {
    throw malformed(`statements must be an array of at most ${MAX_REQUEST_VERSIONS}`);
  }
  return {
    type: 'counts',
    statements: v.statements.map((e, i) => {
      try {
        return parseEnvelope(e, { maxBytes: MAX_COUNTS_ENVELOPE, maxSignatures: 1 });
      } catch (cause) {
        throw malformed(`statements[${i}] is not a well-formed envelope`, cause);
      }
    }),
  };
}
