/**
 * What a follower of a shared log needs to take decisions exactly as the lease holder would: the
 * enforcement view (several govfed processes of one org on one PostgreSQL database; docs/operators-guide.md
 * "Running an org's node highly available").
 *
 * Only the lease holder runs the org's federation modules (libp2p, policy, registry, kill switch,
 * freshness); a follower runs none. What its ingest reads of them is exactly three things (node/decisions
 * pool.ts): the enforced rules (the applied baseline and the local overlay), each model reference
 * resolved in the registry (status, tier, contract, kill switch, deployment), and the age of the
 * kill-switch state as the federation vouches for it. The lease holder publishes those as one snapshot —
 * every registered version resolved under both of its references (`org/name@version` and, for the names
 * this org would resolve to it, `name@version`) — and followers decide by it (follower-enforcement.ts).
 * A reference the snapshot does not hold resolves as unknown, as the registry answers for it.
 *
 * The snapshot is the org's own, in the org's own database (as the log is), and re-checked as it is read:
 * shape, rules by protocol/policy's checkers, bounded size; a snapshot that fails is not used.
 */
import { GovfedError } from '../../protocol/errors.ts';
import { checkBaselineShape } from '../../protocol/policy/baseline.ts';
import { checkLocalPolicy } from '../../protocol/policy/local.ts';
import type { EnforcedRules } from '../policy/service.ts';
import { type ResolvedModel, unknownModel } from '../registry/model-book.ts';

export const SNAPSHOT_VERSION = 1;
/** Bound on a published snapshot (the state store's own bound is larger). */
export const MAX_SNAPSHOT_BYTES = 16 << 20;

export interface EnforcementSnapshot {
  v: typeof SNAPSHOT_VERSION;
  org: string;
  /** Who published it: the lease holder's name and, when it serves one, its API URL. */
  leader: { holder: string; api?: string };
  /** When it was published (RFC 3339), by the database's clock (snapshot-store.ts). */
  publishedAt: string;
  rules: EnforcedRules;
  /** Resolved references: `org/name@version`, and `name@version` where this org resolves it. */
  models: Record<string, ResolvedModel>;
  /** The kill-switch state's age at publishedAt (ms), as the federation vouched for it. */
  revocationAgeMs: number;
}

/** The registry as the snapshot reads it (node/registry's ModelRegistry). */
export interface SnapshotModels {
  all(): readonly { org: string; name: string; version: string }[];
  resolve(ref: string): ResolvedModel;
}

/** The lease holder's snapshot now. */
export function buildSnapshot(o: {
  org: string;
  leader: EnforcementSnapshot['leader'];
  now: Date;
  rules: EnforcedRules;
  models: SnapshotModels;
  revocationAgeMs: number;
}): EnforcementSnapshot {
  const models: Record<string, ResolvedModel> = {};
  for (const m of o.models.all()) {
    const full = `${m.org}/${m.name}@${m.version}`;
    models[full] = o.models.resolve(full);
    const short = `${m.name}@${m.version}`;
    const r = o.models.resolve(short);
    if (r.known) models[short] = r;
  }
  return {
    v: SNAPSHOT_VERSION,
    org: o.org,
    leader: o.leader,
    publishedAt: o.now.toISOString(),
    rules: o.rules,
    models,
    revocationAgeMs: Number.isFinite(o.revocationAgeMs) ? o.revocationAgeMs : Number.MAX_SAFE_INTEGER,
  };
}

export function encodeSnapshot(s: EnforcementSnapshot): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s));
}

function bad(why: string): GovfedError<string> {
  return new GovfedError('ERR_INVALID_INPUT', `enforcement snapshot: ${why}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkResolved(ref: string, v: unknown): ResolvedModel {
  if (!isRecord(v)) throw bad(`model ${ref} is not an object`);
  for (const k of ['org', 'name', 'version', 'digest', 'status', 'tier']) {
    if (typeof v[k] !== 'string') throw bad(`model ${ref}: ${k} must be a string`);
  }
  if (typeof v.known !== 'boolean') throw bad(`model ${ref}: known must be a boolean`);
  if (v.stopped !== undefined && !isRecord(v.stopped)) throw bad(`model ${ref}: stopped must be an object`);
  if (v.contract !== undefined && !isRecord(v.contract)) throw bad(`model ${ref}: contract must be an object`);
  return v as unknown as ResolvedModel;
}

/** Parses and checks a stored snapshot of org `org`. ERR_INVALID_INPUT for anything else. */
export function decodeSnapshot(bytes: Uint8Array, org: string): EnforcementSnapshot {
  if (bytes.length > MAX_SNAPSHOT_BYTES) throw bad(`larger than ${MAX_SNAPSHOT_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw bad('not JSON');
  }
  if (!isRecord(v) || v.v !== SNAPSHOT_VERSION) throw bad(`not a version ${SNAPSHOT_VERSION} snapshot`);
  if (v.org !== org) throw bad(`published for org ${JSON.stringify(v.org)}, not ${org}`);
  const leader = v.leader;
  if (
    !isRecord(leader) ||
    typeof leader.holder !== 'string' ||
    (leader.api !== undefined && typeof leader.api !== 'string')
  ) {
    throw bad('leader must be {holder, api?}');
  }
  if (typeof v.publishedAt !== 'string' || Number.isNaN(Date.parse(v.publishedAt))) throw bad('publishedAt');
  const age = v.revocationAgeMs;
  if (typeof age !== 'number' || !Number.isSafeInteger(Math.round(age)) || age < 0) throw bad('revocationAgeMs');
  const rules = v.rules;
  if (!isRecord(rules)) throw bad('rules must be an object');
  const baseline =
    rules.baseline === undefined || rules.baseline === null ? undefined : checkBaselineShape(rules.baseline);
  const local = rules.local === undefined || rules.local === null ? undefined : checkLocalPolicy(rules.local);
  if (!isRecord(v.models)) throw bad('models must be an object');
  const models: Record<string, ResolvedModel> = {};
  for (const [ref, m] of Object.entries(v.models)) models[ref] = checkResolved(ref, m);
  return {
    v: SNAPSHOT_VERSION,
    org,
    leader: leader as EnforcementSnapshot['leader'],
    publishedAt: v.publishedAt,
    rules: { baseline, local },
    models,
    revocationAgeMs: age,
  };
}

/** A reference resolved by a snapshot: held, or unknown as the registry answers (model-book.ts). */
export function resolveIn(s: EnforcementSnapshot, ref: string): ResolvedModel {
  return s.models[ref] ?? unknownModel(ref);
}
