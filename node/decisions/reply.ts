/**
 * The answer of POST /v1/decisions written as JSON text, for the ingest workers: each entry rendered
 * on the worker that sealed it, so that the main thread only puts in the log indexes. The text is what
 * fastify writes from the route's response schema for the same entries — members in the schema's order
 * (index, leafHash, allowed, deny, warn, policyVersion, expired, flags; findings as rule, message,
 * scope, error), absent fields left out; test/node/decisions/pool.test.ts compares the two byte for byte.
 */
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import type { Finding } from '../../protocol/policy/evaluate.ts';
import type { SealedReply } from './ingest-messages.ts';

function findings(list: readonly Finding[]): string {
  let s = '[';
  for (let i = 0; i < list.length; i++) {
    const f = list[i] as Finding;
    if (i > 0) s += ',';
    s += `{"rule":${JSON.stringify(f.rule)},"message":${JSON.stringify(f.message)},"scope":${JSON.stringify(f.scope)}`;
    if (f.error !== undefined) s += `,"error":${JSON.stringify(f.error)}`;
    s += '}';
  }
  return `${s}]`;
}

/** One entry of the answer after its `"index":N`: `,"leafHash":"…",…}`. */
export function entryAfterIndex(leafHash: Uint8Array, r: SealedReply): string {
  let s = `,"leafHash":"${toBase64(leafHash)}"`;
  const v = r.verdict;
  if (v !== undefined) {
    s += `,"allowed":${v.allowed},"deny":${findings(v.deny)},"warn":${findings(v.warn)}`;
    s += `,"policyVersion":${v.policyVersion === null ? 'null' : v.policyVersion}`;
    if (v.expired !== undefined) s += `,"expired":${v.expired}`;
  }
  const flags = r.model?.flags;
  if (flags !== undefined && flags.length > 0) s += `,"flags":${JSON.stringify(flags)}`;
  return `${s}}`;
}

/** The whole answer: entry i is at log index `indexes[i]`. */
export function renderEntries(indexes: readonly number[], afterIndex: readonly string[]): string {
  let s = '{"entries":[';
  for (let i = 0; i < afterIndex.length; i++) {
    if (i > 0) s += ',';
    s += `{"index":${indexes[i]}${afterIndex[i]}`;
  }
  return `${s}]}`;
}
