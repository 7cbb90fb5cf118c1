/**
 * A monitoring-window statement: an org's node says what one monitor of a model version's contract
 * measured over one window of the decisions it logged — counts only, never a decision — signed with
 * its libp2p peer key (the key the charter lists for the org), like deployment records:
 *
 *   DSSE envelope { payloadType: "application/vnd.govfed.monitor-window+json",
 *                   payload: base64(JCS({ "type": "govfed.monitor-window/v1", "federation", "org",
 *                                         "model": {"org","name","version"}, "digest": "sha256:<hex>",
 *                                         "contract": "sha256:<contract id>", "monitor": <index>,
 *                                         "metric", "seq", "from", "to", "decisions", "shadow",
 *                                         "counts": {…window.ts…}, "value": <number> | null,
 *                                         "threshold", "breach": <bool> })),
 *                   signatures: [{ keyid: <the org's peer id>, sig }] }
 *
 * `seq` numbers one org's windows of one (model, contract, monitor) from 1; `from`/`to` bound the
 * window (RFC 3339 UTC). verifyWindow (attacker-controlled input) is a checklist:
 *   1. envelope  a DSSE envelope, the payload type, one signature, canonical     ERR_MALFORMED_ENVELOPE, ERR_PAYLOAD_TYPE_MISMATCH,
 *                JSON naming an org (read, not believed)                          ERR_MALFORMED_MONITOR_WINDOW
 *   2. signer    the keyid is the peer id the charter lists for that org         ERR_UNKNOWN_SIGNER
 *   3. sig       verifies under that peer key                                    ERR_BAD_SIGNATURE
 *   4. payload   exact fields and bounds; counts that add up (counts.ts)         ERR_MALFORMED_MONITOR_WINDOW
 *   5. context   this federation; a monitor the verifier holds for that          ERR_MONITOR_NOT_HELD (not yet
 *                contract (metric, threshold); value and breach recomputed        judgeable), ERR_MONITOR_WINDOW_MISMATCH
 *                from the counts and the version's baseline
 */
import { isPlainObject, isRfc3339Utc, isSha256Digest } from '../audit/fields.ts';
import { canonicalBytes } from '../canonical/jcs.ts';
import type { VerifyOptions } from '../crypto/ed25519.ts';
import { GovfedError } from '../errors.ts';
import { type OrgStatementRules, openOrgStatement } from '../federation/org-statement.ts';
import { MAX_REQUIRED_MONITORS, MONITOR_METRICS, type RequiredMonitor } from '../registry/contract-terms.ts';
import { checkModelRef, MODEL_ORG_RE, type ModelRef } from '../registry/model-ref.ts';
import type { Baseline } from './baseline.ts';
import { checkCounts } from './counts.ts';
import { breaches } from './monitor.ts';
import { type WindowCounts, windowValue } from './window.ts';

export const WINDOW_TYPE = 'govfed.monitor-window/v1';
export const WINDOW_PAYLOAD_TYPE = 'application/vnd.govfed.monitor-window+json';
/** Above the largest well-formed statement (64 groups of 64 characters, or 100 bins, and the rest). */
export const MAX_WINDOW_BYTES = 16 * 1024;
export const MAX_WINDOW_ENVELOPE = 32 * 1024;
const WINDOW_RULES: OrgStatementRules = {
  what: 'monitor window',
  payloadType: WINDOW_PAYLOAD_TYPE,
  maxPayloadBytes: MAX_WINDOW_BYTES,
  limits: { maxBytes: MAX_WINDOW_ENVELOPE, maxSignatures: 1 },
  malformed: (message, cause) => bad(message, cause),
};
const HEX64 = /^[0-9a-f]{64}$/;
const FIELDS = [
  'type',
  'federation',
  'org',
  'model',
  'digest',
  'contract',
  'monitor',
  'metric',
  'seq',
  'from',
  'to',
  'decisions',
  'shadow',
  'counts',
  'value',
  'threshold',
  'breach',
];
/** Recomputed values may differ from the signed one by this much (floating point across platforms). */
const VALUE_TOLERANCE = 1e-9;

export interface MonitorWindow {
  type: typeof WINDOW_TYPE;
  federation: string;
  org: string;
  model: ModelRef;
  digest: string;
  contract: string;
  monitor: number;
  metric: RequiredMonitor['metric'];
  seq: number;
  from: string;
  to: string;
  decisions: number;
  shadow: boolean;
  counts: WindowCounts;
  value: number | null;
  threshold: number;
  breach: boolean;
}

export interface WindowContext {
  federation: string;
  peerIdOf(org: string): string | undefined;
  /** The monitor number `index` of contract `contract` of the version, and the version's baseline. */
  monitorOf(
    model: ModelRef,
    contract: string,
    index: number,
  ): { monitor: RequiredMonitor; digest: string; baseline?: Baseline } | undefined;
}

function bad(message: string, cause?: unknown): GovfedError {
  return new GovfedError(
    'ERR_MALFORMED_MONITOR_WINDOW',
    `monitor window: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function mismatch(message: string): GovfedError {
  return new GovfedError('ERR_MONITOR_WINDOW_MISMATCH', `monitor window: ${message}`);
}

function count(v: unknown, min = 0): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min;
}

/** Checks a statement's shape and its counts against the monitor it names (attacker-controlled). */
export function checkWindow(v: unknown, monitorOf: (w: MonitorWindow) => RequiredMonitor): MonitorWindow {
  if (!isPlainObject(v)) throw bad('expected an object');
  for (const k of FIELDS) if (!(k in v)) throw bad(`missing "${k}"`);
  for (const k of Object.keys(v)) if (!FIELDS.includes(k)) throw bad(`unknown field "${k}"`);
  if (v.type !== WINDOW_TYPE) throw bad(`type: expected "${WINDOW_TYPE}"`);
  if (typeof v.federation !== 'string' || !HEX64.test(v.federation)) throw bad('federation: expected a federation id');
  if (typeof v.org !== 'string' || !MODEL_ORG_RE.test(v.org)) throw bad('org: expected an org name');
  const m = checkModelRef(v.model, bad);
  if (!isSha256Digest(v.digest) || !isSha256Digest(v.contract)) throw bad('digest, contract: expected sha256:<hex>');
  if (!count(v.monitor) || v.monitor >= MAX_REQUIRED_MONITORS) throw bad('monitor: expected a monitor index');
  const metric = MONITOR_METRICS.find((x) => x === v.metric);
  if (metric === undefined) throw bad(`metric: expected one of ${MONITOR_METRICS.join(', ')}`);
  if (!count(v.seq, 1) || !count(v.decisions)) throw bad('seq, decisions: expected integers (seq ≥ 1)');
  if (!isRfc3339Utc(v.from) || !isRfc3339Utc(v.to) || v.from > v.to)
    throw bad('from, to: expected RFC 3339 UTC, from ≤ to');
  if (typeof v.shadow !== 'boolean' || typeof v.breach !== 'boolean') throw bad('shadow, breach: expected booleans');
  if (v.value !== null && (typeof v.value !== 'number' || !Number.isFinite(v.value)))
    throw bad('value: expected a number or null');
  if (typeof v.threshold !== 'number' || !Number.isFinite(v.threshold)) throw bad('threshold: expected a number');
  const w = {
    type: WINDOW_TYPE,
    federation: v.federation,
    org: v.org,
    model: { org: m.org, name: m.name, version: m.version },
    digest: v.digest,
    contract: v.contract,
    monitor: v.monitor,
    metric,
    seq: v.seq,
    from: v.from,
    to: v.to,
    decisions: v.decisions,
    shadow: v.shadow,
    counts: { n: 0, hits: 0 },
    value: v.value as number | null,
    threshold: v.threshold,
    breach: v.breach,
  } satisfies MonitorWindow as MonitorWindow;
  const spec = monitorOf(w);
  w.counts = checkCounts(v.counts, spec, w.decisions, bad);
  return w;
}

/** The canonical payload of a window this node made (checked against its own monitor `spec`). */
export function windowPayload(w: Omit<MonitorWindow, 'type'>, spec: RequiredMonitor): Uint8Array {
  const bytes = canonicalBytes(checkWindow({ type: WINDOW_TYPE, ...w }, () => spec));
  if (bytes.length > MAX_WINDOW_BYTES) throw bad(`more than ${MAX_WINDOW_BYTES} bytes`);
  return bytes;
}

/** Verifies a window envelope (attacker-controlled): the checklist at the top. Returns the statement. */
export function verifyWindow(input: unknown, ctx: WindowContext, opts: VerifyOptions = {}): MonitorWindow {
  // 1.–3. (protocol/federation/org-statement.ts)
  const { payload } = openOrgStatement(input, WINDOW_RULES, (org) => ctx.peerIdOf(org), opts);
  // 4.–5.
  let held: ReturnType<WindowContext['monitorOf']>;
  const w = checkWindow(payload, (x) => {
    if (x.federation !== ctx.federation) throw mismatch('made for another federation');
    held = ctx.monitorOf(x.model, x.contract, x.monitor);
    if (held === undefined) {
      // Not wrong, perhaps: the verifier may not hold that version or contract yet. A distinct code, so
      // that a caller can wait for it — and count every other mismatch (a forged value) against the sender.
      throw new GovfedError(
        'ERR_MONITOR_NOT_HELD',
        `monitor window: no monitor ${x.monitor} in contract ${x.contract} of that model version held here`,
      );
    }
    if (held.digest !== x.digest) throw mismatch("the digest is not the model version's");
    if (held.monitor.metric !== x.metric || held.monitor.threshold !== x.threshold) {
      throw mismatch("metric or threshold is not the contract's");
    }
    return held.monitor;
  });
  const h = held as NonNullable<typeof held>;
  const value = windowValue(h.monitor, w.counts, h.baseline);
  const same = value === null ? w.value === null : w.value !== null && Math.abs(value - w.value) <= VALUE_TOLERANCE;
  if (!same) throw mismatch(`value ${w.value} is not what the counts give (${value})`);
  if (w.breach !== breaches(h.monitor, value)) throw mismatch('breach is not what the value and threshold give');
  return w;
}
