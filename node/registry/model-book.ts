/**
 * ModelBook: the model versions a node holds (every member org's), with their approvals, and what follows
 * from them — the status every node computes identically (protocol/registry/approval-status.ts) from:
 *   - the charter's approval rule for the version's risk tier;
 *   - the approvals that verified, counted only while their signer is still the named person with the
 *     named role in the approver org's CURRENT roster, until they expire, and while they name the
 *     version's current contract (the newest contract version held; none: no contract named).
 * Views are cached and computed again when a roster, the charter or the approvals change, or when a
 * counted vote expires; decisions resolve their model here on every ingest (resolve()).
 */
import type { Envelope } from '../../protocol/dsse/index.ts';
import type { ApprovalRules, RiskTier } from '../../protocol/federation/approval-rules.ts';
import type { DecisionModel } from '../../protocol/policy/registry-values.ts';
import {
  type ApprovalPredicate,
  type ApprovalStatus,
  approvalStatus,
  type ContractPredicate,
  type ContractTerms,
  type KillRule,
  type KillStatus,
  killStatus,
  type ModelRef,
  type RevocationPredicate,
  type RevocationState,
  type Roster,
  revocationStateOf,
  rosterPerson,
  type VerifiedApproval,
  type VerifiedContract,
  type VerifiedRegistration,
  type VerifiedRevocation,
  type Vote,
} from '../../protocol/registry/index.ts';
import { NodeError } from '../errors.ts';

/** Most model versions held, and approvals per version (a member's people cannot exhaust memory). */
export const MAX_MODELS = 20_000;
export const MAX_APPROVALS_PER_MODEL = 512;
/** Distinct decision model references whose resolution is remembered (then the memory starts again). */
const MAX_RESOLVED = 4096;

export interface HeldApproval {
  id: string;
  envelope: Envelope;
  predicate: ApprovalPredicate;
  keyid: string;
  logIndex: number;
}

export interface HeldContract {
  id: string;
  version: number;
  envelope: Envelope;
  predicate: ContractPredicate;
  keyid: string;
  logIndex: number;
}

export interface HeldRevocation {
  id: string;
  envelope: Envelope;
  predicate: RevocationPredicate;
  keyid: string;
  logIndex: number;
}

export interface HeldModel {
  /** `org/name@version`. */
  key: string;
  /** The registration's id (sha256 hex of its statement). */
  id: string;
  model: ModelRef & { digest: string; assurance: 'files' | 'opaque' };
  digest: string;
  envelope: Envelope;
  registration: VerifiedRegistration;
  logIndex: number;
  approvals: Map<string, HeldApproval>;
  /** The contract's versions, oldest first: the last is the current contract. */
  contracts: HeldContract[];
  /** The kill switch's records (suspend, revoke, reinstate) that verified, by id. */
  revocations: Map<string, HeldRevocation>;
}

/** The current contract of a held version, if it has one. */
export function currentContract(held: HeldModel): HeldContract | undefined {
  return held.contracts[held.contracts.length - 1];
}

export interface ModelView {
  status: ApprovalStatus['status'];
  /** The kill switch: active, suspended (until, unless ratified) or revoked. */
  kill: KillStatus;
  tier: RiskTier;
  approval: ApprovalStatus;
  /** Each held approval, and whether it counts now (and why not). */
  votes: { approval: HeldApproval; counts: boolean; why?: string }[];
}

/**
 * What a decision learns of the model it names: the decision hook's `model` (protocol/policy), and the
 * terms of its current contract, which the recorder enforces beside the policy.
 */
export interface ResolvedModel extends DecisionModel {
  contract?: { id: string; version: number; terms: ContractTerms };
  /** Set while the version is suspended or revoked: every decision of it is denied. */
  stopped?: { state: 'suspended' | 'revoked'; reason: string; by: string[] };
  /** Whether this node runs the version (model deploy): live or shadow; absent: not deployed here. */
  deployed?: 'live' | 'shadow';
}

/** A model reference of a decision: `org/name@version` or `name@version`. */
export const MODEL_REF_RE = /^(?:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/)?([^@/]+)@([^@/]+)$/;

/** What a reference the registry does not hold resolves to (its name and version, when it has them). */
export function unknownModel(ref: string): ResolvedModel {
  const m = MODEL_REF_RE.exec(ref);
  return {
    known: false,
    org: '',
    name: m === null ? ref : (m[2] as string),
    version: m?.[3] ?? '',
    digest: '',
    status: 'unknown',
    tier: '',
  };
}

export function modelKey(m: ModelRef): string {
  return `${m.org}/${m.name}@${m.version}`;
}

export interface ModelBookOptions {
  rosters: { roster(org: string): Roster | undefined; readonly generation: number };
  now: () => number;
  rules: () => ApprovalRules | undefined;
  /** The charter's kill-switch rule (revocation threshold, suspension time). */
  kill: () => KillRule;
  /** Whether this node runs the version `key` (the deployment book's answer; absent: never). */
  deployed?: (key: string) => 'live' | 'shadow' | undefined;
}

export class ModelBook {
  readonly #o: ModelBookOptions;
  readonly #models = new Map<string, HeldModel>();
  /** `name@version` → keys (one per org that registered it). */
  readonly #byName = new Map<string, string[]>();
  readonly #views = new Map<string, { view: ModelView; book: number; rosters: number; until: number }>();
  /** Decisions resolve the same few references again and again: ref → its last answer while valid. */
  readonly #resolved = new Map<string, { r: ResolvedModel; book: number; rosters: number; until: number }>();
  #generation = 0;
  #revocations: { state: RevocationState; book: number } | undefined;

  constructor(o: ModelBookOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#models.size;
  }

  clear(): void {
    this.#models.clear();
    this.#byName.clear();
    this.#views.clear();
    this.#resolved.clear();
    this.touch();
  }

  /** Something the views depend on changed (the charter). */
  touch(): void {
    this.#generation++;
  }

  get(org: string, name: string, version: string): HeldModel | undefined {
    return this.#models.get(modelKey({ org, name, version }));
  }

  /** Every org's registration of name@version. */
  named(name: string, version: string): HeldModel[] {
    return (this.#byName.get(`${name}@${version}`) ?? []).map((k) => this.#models.get(k) as HeldModel);
  }

  all(): HeldModel[] {
    return [...this.#models.values()];
  }

  addRegistration(id: string, envelope: Envelope, v: VerifiedRegistration, logIndex: number): HeldModel {
    if (this.#models.size >= MAX_MODELS) {
      throw new NodeError('ERR_REGISTRY_FULL', `this node holds ${MAX_MODELS} model versions already`);
    }
    const p = v.predicate;
    const key = modelKey(p.model);
    const held: HeldModel = {
      key,
      id,
      model: { ...p.model, digest: v.digest, assurance: p.assurance },
      digest: v.digest,
      envelope,
      registration: v,
      logIndex,
      approvals: new Map(),
      contracts: [],
      revocations: new Map(),
    };
    this.#models.set(key, held);
    const byName = `${p.model.name}@${p.model.version}`;
    this.#byName.set(byName, [...(this.#byName.get(byName) ?? []), key]);
    this.touch();
    return held;
  }

  assertRoom(held: HeldModel): void {
    if (held.approvals.size >= MAX_APPROVALS_PER_MODEL) {
      throw new NodeError('ERR_REGISTRY_FULL', `${held.key} holds ${MAX_APPROVALS_PER_MODEL} approvals already`);
    }
  }

  addApproval(held: HeldModel, envelope: Envelope, a: VerifiedApproval, logIndex: number): HeldApproval {
    const approval = { id: a.id, envelope, predicate: a.predicate, keyid: a.keyid, logIndex };
    held.approvals.set(a.id, approval);
    this.touch();
    return approval;
  }

  addContract(held: HeldModel, envelope: Envelope, c: VerifiedContract, logIndex: number): HeldContract {
    const contract = {
      id: c.id,
      version: c.predicate.version,
      envelope,
      predicate: c.predicate,
      keyid: c.keyid,
      logIndex,
    };
    held.contracts.push(contract);
    this.touch();
    return contract;
  }

  addRevocation(held: HeldModel, envelope: Envelope, r: VerifiedRevocation, logIndex: number): HeldRevocation {
    const revocation = { id: r.id, envelope, predicate: r.predicate, keyid: r.keyid, logIndex };
    held.revocations.set(r.id, revocation);
    this.touch();
    return revocation;
  }

  /** The kill-switch state this node holds: every record of every version (what freshness statements state). */
  revocationState(): RevocationState {
    const cached = this.#revocations;
    if (cached !== undefined && cached.book === this.#generation) return cached.state;
    const state = revocationStateOf(this.all().flatMap((h) => [...h.revocations.keys()]));
    this.#revocations = { state, book: this.#generation };
    return state;
  }

  /**
   * The smallest maxRevocationStaleness (ms) among the current contracts of high and serious tier versions
   * held: how old the kill-switch state may be before some decisions fail closed (undefined: none).
   */
  revocationWindowMs(): number | undefined {
    let min: number | undefined;
    for (const h of this.#models.values()) {
      const s = currentContract(h)?.predicate.terms.maxRevocationStaleness;
      const tier = h.registration.predicate.risk.tier;
      if (s !== undefined && (tier === 'high' || tier === 'serious')) min = Math.min(min ?? s * 1000, s * 1000);
    }
    return min;
  }

  /** The version's status now (cached). */
  view(held: HeldModel): ModelView {
    const now = this.#o.now();
    const book = this.#generation;
    const rosters = this.#o.rosters.generation;
    const cached = this.#views.get(held.key);
    if (cached !== undefined && cached.book === book && cached.rosters === rosters && now < cached.until) {
      return cached.view;
    }
    const tier = held.registration.predicate.risk.tier;
    const votes: ModelView['votes'] = [];
    const counting: Vote[] = [];
    const kill = killStatus(
      [...held.revocations.values()].map((r) => ({
        id: r.id,
        action: r.predicate.action,
        keyid: r.keyid,
        signer: `${r.predicate.signer.org}/${r.predicate.signer.name}`,
        issuedAt: r.predicate.issuedAt,
        reason: r.predicate.reason,
      })),
      this.#o.kill(),
      now,
    );
    let until = kill.until === undefined ? Number.POSITIVE_INFINITY : Date.parse(kill.until);
    const reinstated = kill.reinstatedAt === undefined ? undefined : Date.parse(kill.reinstatedAt);
    const contract = currentContract(held);
    for (const a of held.approvals.values()) {
      const p = a.predicate;
      const person = this.#person(p.approver.org, a.keyid);
      const expires = Date.parse(p.expiresAt);
      let why: string | undefined;
      if (person === undefined) why = `${p.approver.name} is no longer on ${p.approver.org}'s roster`;
      else if (person.name !== p.approver.name || person.role !== p.approver.role)
        why = `${p.approver.org}'s roster no longer gives that key the name ${p.approver.name} and role ${p.approver.role}`;
      else if (expires <= now) why = `expired at ${p.expiresAt}`;
      else if (reinstated !== undefined && Date.parse(p.issuedAt) <= reinstated) {
        why = `signed before the version was reinstated at ${kill.reinstatedAt}: it needs a fresh approval`;
      } else if (p.contract !== (contract === undefined ? undefined : `sha256:${contract.id}`)) {
        why = approvesOther(p.contract, held);
      }
      if (why === undefined) {
        until = Math.min(until, expires);
        counting.push({
          keyid: a.keyid,
          org: p.approver.org,
          name: p.approver.name,
          role: p.approver.role,
          decision: p.decision,
          issuedAt: p.issuedAt,
          id: a.id,
        });
        votes.push({ approval: a, counts: true });
      } else votes.push({ approval: a, counts: false, why });
    }
    const approval = approvalStatus(this.#o.rules()?.[tier], counting);
    const view: ModelView = { status: approval.status, kill, tier, approval, votes };
    this.#views.set(held.key, { view, book, rosters, until });
    return view;
  }

  #person(org: string, keyid: string) {
    const r = this.#o.rosters.roster(org);
    return r === undefined ? undefined : rosterPerson(r, keyid);
  }

  /**
   * The model a decision names: `NAME@VERSION` (this org's registration first, else the one org's that
   * registered it; several: ambiguous → unknown) or `ORG/NAME@VERSION`. Unknown models resolve with
   * `known: false` and status `unknown`.
   */
  resolve(ref: string, ownOrg: string): ResolvedModel {
    const now = this.#o.now();
    const book = this.#generation;
    const rosters = this.#o.rosters.generation;
    const key = `${ownOrg}\n${ref}`;
    const hit = this.#resolved.get(key);
    if (hit !== undefined && hit.book === book && hit.rosters === rosters && now < hit.until) return hit.r;
    const r = this.#resolveNow(ref, ownOrg);
    if (this.#resolved.size >= MAX_RESOLVED) this.#resolved.clear();
    const held = r.known ? this.get(r.org, r.name, r.version) : undefined;
    const until = held === undefined ? Number.POSITIVE_INFINITY : (this.#views.get(held.key)?.until ?? now);
    this.#resolved.set(key, { r, book, rosters, until });
    return r;
  }

  #resolveNow(ref: string, ownOrg: string): ResolvedModel {
    const m = MODEL_REF_RE.exec(ref);
    if (m === null) return unknownModel(ref);
    const [, org, name = '', version = ''] = m;
    const unknown = () => unknownModel(ref);
    let held: HeldModel | undefined;
    if (org !== undefined) held = this.get(org, name, version);
    else {
      const all = this.named(name, version);
      held = all.find((h) => h.model.org === ownOrg) ?? (all.length === 1 ? all[0] : undefined);
    }
    if (held === undefined) return unknown();
    const v = this.view(held);
    const c = currentContract(held);
    const deployed = this.#o.deployed?.(held.key);
    return {
      known: true,
      org: held.model.org,
      name,
      version,
      digest: held.digest,
      status: v.status,
      tier: v.tier,
      ...(c === undefined ? {} : { contract: { id: c.id, version: c.predicate.version, terms: c.predicate.terms } }),
      ...(v.kill.state === 'active'
        ? {}
        : { stopped: { state: v.kill.state, reason: v.kill.reason ?? '', by: v.kill.by } }),
      ...(deployed === undefined ? {} : { deployed }),
    };
  }
}

/** Why a vote naming contract `named` does not count for `held` (whose current contract differs). */
function approvesOther(named: string | undefined, held: HeldModel): string {
  const current = currentContract(held);
  if (named === undefined)
    return `approves the version without its contract (current: contract version ${current?.predicate.version})`;
  const at = held.contracts.find((c) => `sha256:${c.id}` === named);
  const what =
    at === undefined ? `a contract this node does not hold (${named})` : `contract version ${at.predicate.version}`;
  return current === undefined
    ? `approves ${what}, but the version has no contract`
    : `approves ${what}, not the current version ${current.predicate.version}`;
}
