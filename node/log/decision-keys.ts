/**
 * The decision search index's keys (GET /v1/decisions): every decision leaf gets keys ordered by the
 * decision's time, then its log index, under four prefixes — one range per way of narrowing a search:
 *
 *     s/t/<time>/<index>                  every decision
 *     s/m/<hex of model (UTF-8)>/<time>/<index>   per model
 *     s/v/<allowed|denied|none>/<time>/<index>    per verdict (none: recorded without a policy)
 *     s/f/<flag>/<time>/<index>           per flag: each deny rule id the leaf carries (`local:<id>`)
 *
 * <time> is the leaf's RFC 3339 UTC time cut to milliseconds, `YYYY-MM-DDTHH:MM:SS.mmm` (23 chars, so
 * byte order is time order); <index> is 16 hex digits (keys.ts). The value of every key is the index,
 * 8 bytes big-endian, like the lookup keys (lookup.ts), so the appender writes them in the same LevelDB
 * batch as the leaf, the start-up backfill rebuilds them and fsck checks them with the same code.
 * The model is hex-encoded because a model name may contain `/`; flags match LEAF_RULE_ID_PATTERN,
 * which has no `/`.
 */
import { RFC3339_UTC_PATTERN } from '../../protocol/audit/fields.ts';
import { LEAF_RULE_ID_PATTERN } from '../../protocol/audit/leaf.ts';
import { toHex, utf8 } from '../../protocol/encoding/bytes.ts';
import { hex16 } from './keys.ts';

export const SEARCH_PREFIX = 's/';
export const ALL_PREFIX = 's/t/';
export type VerdictKey = 'allowed' | 'denied' | 'none';

/** What a decision leaf says that the index orders and narrows by. */
export interface DecisionFacts {
  model: string;
  time: string;
  verdict: VerdictKey;
  flags: readonly string[];
}

/** `YYYY-MM-DDTHH:MM:SS.mmm` of an RFC 3339 UTC time (as protocol/audit checks it): fraction cut or padded to 3. */
export function timeKey(rfc3339: string): string {
  const base = rfc3339.slice(0, 19);
  const frac = rfc3339.length > 20 ? rfc3339.slice(20, -1) : '';
  return `${base}.${(frac + '000').slice(0, 3)}`;
}

export function modelPrefix(model: string): string {
  return `s/m/${toHex(utf8(model))}/`;
}

export function verdictPrefix(verdict: VerdictKey): string {
  return `s/v/${verdict}/`;
}

export function flagPrefix(flag: string): string {
  return `s/f/${flag}/`;
}

/** The position part of a key: `<time>/<index>`. */
export function position(time: string, index: number): string {
  return `${time}/${hex16(index)}`;
}

const td = new TextDecoder('utf-8');
const TIME_RE = new RegExp(RFC3339_UTC_PATTERN);
const FLAG_RE = new RegExp(LEAF_RULE_ID_PATTERN);

/**
 * The facts of a decision leaf, or undefined for any other leaf. Leaves reach the store only after
 * protocol/audit built or checked them, so this reads them with JSON.parse and a few type checks (not
 * the strict decoder: ingest pays for this on every entry); a leaf without usable facts is not indexed.
 */
export function decisionFacts(leaf: Uint8Array | string): DecisionFacts | undefined {
  const text = typeof leaf === 'string' ? leaf : td.decode(leaf);
  if (!text.includes('"type":"decision"')) return undefined;
  let v: { type?: unknown; model?: unknown; time?: unknown; verdict?: unknown; deny?: unknown };
  try {
    v = JSON.parse(text) as typeof v;
  } catch {
    return undefined;
  }
  if (v.type !== 'decision' || typeof v.model !== 'string' || typeof v.time !== 'string') return undefined;
  if (!TIME_RE.test(v.time)) return undefined;
  const verdict: VerdictKey = v.verdict === 'allowed' || v.verdict === 'denied' ? v.verdict : 'none';
  const flags = Array.isArray(v.deny)
    ? v.deny.filter((f): f is string => typeof f === 'string' && FLAG_RE.test(f))
    : [];
  return { model: v.model, time: v.time, verdict, flags };
}

/** The search keys of entry `index` with these facts. */
export function searchKeysOf(facts: DecisionFacts, index: number): string[] {
  const at = hex16(index);
  return searchKeyPrefixes(facts).map((p) => p + at);
}

/** The search keys of a decision with these facts, each without its final `<index>` (16 hex digits). */
export function searchKeyPrefixes(facts: DecisionFacts): string[] {
  const t = `${timeKey(facts.time)}/`;
  const keys = [ALL_PREFIX + t, modelPrefix(facts.model) + t, verdictPrefix(facts.verdict) + t];
  for (const f of new Set(facts.flags)) keys.push(flagPrefix(f) + t);
  return keys;
}

/** The search keys of one leaf (its bytes, or their UTF-8 text) at `index` (none for a non-decision leaf). */
export function searchKeys(leaf: Uint8Array | string, index: number): string[] {
  const facts = decisionFacts(leaf);
  return facts === undefined ? [] : searchKeysOf(facts, index);
}
