/**
 * The decision recorder: what POST /v1/decisions does, as one object.
 *
 * record(inputs) takes one request's records (attacker-controlled) and, all before anything is appended
 * (a request is atomic):
 *   1. every record ≤ MAX_RECORD_BYTES as canonical JSON, counted by a bounded counter that stops at the
 *      limit, before any record is checked or canonicalised (ERR_RECORD_TOO_LARGE, 413);
 *   2. each record checked once (protocol/audit CheckedDecision: ERR_INVALID_RECORD, 400);
 *   3. evaluated against the policy's `decision` hook (global baseline + local overlay) when the node
 *      runs a policy service — the evaluation never throws for a rule: a deny rule that cannot evaluate
 *      fires (fail closed);
 *   4. its model resolved in the federation-wide registry when the node keeps one (`NAME@VERSION`, or
 *      `ORG/NAME@VERSION`): the leaf records the version's digest when known, and the flag `shadow_ai`
 *      when this node does not run that version (unknown, or not deployed here: `model deploy`) — a plain
 *      model string keeps working, flagged;
 *      when the version has a trust contract, the decision is checked against it (protocol/registry
 *      contract-check.ts): each violated condition is a deny finding `contract.<condition>` (scope
 *      `contract`) in the same verdict as the policy's findings — one verdict, one list of deny ids; a
 *      version stopped by the kill switch is denied with the finding `suspended` or `revoked` (scope
 *      `registry`) from the moment this node holds the signed record;
 *   5. sealed by protocol/audit (completed with id/time/nonce, encoded, digested; the leaf records the
 *      policy version and the verdict: allowed, or denied with the ids of the deny rules that fired, and
 *      the model facts of step 4) and ≤ MAX_RECORD_BYTES encoded (413);
 * then one append, which resolves only once the batch is durable. A denied decision is still recorded:
 * the log records what happened, and the result says it was denied.
 *
 * Every error names the record it is about (`where`, e.g. `body/3`).
 */
import {
  CheckedDecision,
  type LeafModelFacts,
  MAX_RECORD_BYTES,
  type SealedDecision,
  sealDecision,
} from '../../protocol/audit/decision.ts';
import { canonicalSizeWithin } from '../../protocol/canonical/size.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { RiskTier } from '../../protocol/federation/approval-rules.ts';
import type { Finding, Verdict } from '../../protocol/policy/evaluate.ts';
import type { HookExtra } from '../../protocol/policy/hooks.ts';
import { decisionFindings } from '../../protocol/registry/contract-check.ts';
import { NodeError } from '../errors.ts';
import type { Appended, AppendItem } from '../log/index.ts';
import type { ResolvedModel } from '../registry/model-book.ts';

/** The registry as the recorder uses it (node/registry's ModelBook behind ModelRegistry.resolve). */
export interface DecisionModels {
  resolve(ref: string): ResolvedModel;
}

/**
 * The flags a decision about `m` carries: `shadow_ai` when this node does not run the version (not
 * deployed here — unknown, unapproved, or simply never deployed: a model running outside governance),
 * `shadow` when it runs it in shadow mode (model deploy --shadow: logged and monitored, not served).
 */
export function modelFlags(m: ResolvedModel): string[] {
  if (!m.known || m.deployed === undefined) return ['shadow_ai'];
  return m.deployed === 'shadow' ? ['shadow'] : [];
}

/** The policy as the recorder uses it (node/policy's PolicyService). */
export interface DecisionPolicy {
  evaluate(hook: 'decision', input: unknown, extra?: HookExtra): Verdict;
}

export interface DecisionRecorderOptions {
  log: { append(items: readonly AppendItem[]): Promise<Appended[]> };
  /** Absent: decisions are recorded without a verdict. */
  policy?: DecisionPolicy | undefined;
  /** Absent: decisions are recorded without model facts or flags. */
  models?: DecisionModels | undefined;
  /** This node's jurisdiction: what a contract's allowedJurisdictions is checked against. */
  jurisdiction?: string;
  /**
   * How old this node's kill-switch state is as a majority of the members vouches for it (ms; charter
   * freshness). A contract's maxRevocationStaleness below it fails closed for tiers high and serious.
   */
  revocationAgeMs?: () => number;
  now: () => Date;
  /** A CSPRNG: n random bytes (ids and nonces). */
  random: (n: number) => Uint8Array;
  /** Called with the number of decisions recorded, once durable. */
  onRecorded?: (count: number) => void;
}

/** One recorded decision: where it is in the log, and the policy's verdict when there is a policy. */
export interface RecordedDecision {
  index: number;
  leafHash: Uint8Array;
  verdict?: Verdict;
  /** What the registry knows of the decision's model, and the flags raised (when the node keeps a registry). */
  model?: { known: boolean; org?: string; digest?: string; status: string; tier?: string; flags: string[] };
}

/** One input to record, with the name errors give it. */
export interface DecisionToRecord {
  input: unknown;
  where: string;
}

export class DecisionRecorder {
  readonly #opts: DecisionRecorderOptions;

  constructor(opts: DecisionRecorderOptions) {
    this.#opts = opts;
  }

  /** Records every input or none (see the top). Throws the first record's typed error. */
  async record(inputs: readonly DecisionToRecord[]): Promise<RecordedDecision[]> {
    for (const { input, where } of inputs) checkRecordSize(input, where);
    const now = this.#opts.now();
    const sealed = inputs.map(({ input, where }) => this.#seal(input, where, now));
    const appended = await this.#opts.log.append(
      sealed.map((s) => ({ leaf: s.sealed.leafBytes, record: s.sealed.recordBytes })),
    );
    this.#opts.onRecorded?.(appended.length);
    return appended.map((a, i) => {
      const s = sealed[i];
      const out: RecordedDecision = { index: a.index, leafHash: a.leafHash };
      if (s?.verdict !== undefined) out.verdict = s.verdict;
      if (s?.model !== undefined) out.model = s.model;
      return out;
    });
  }

  /** The kill switch's and the contract's deny findings for a decision of `resolved`. */
  #contractFindings(checked: CheckedDecision, resolved: ResolvedModel | undefined, now: Date): Finding[] {
    const stopped = resolved?.stopped;
    const kill: Finding[] =
      stopped === undefined
        ? []
        : [
            {
              rule: stopped.state,
              scope: 'registry',
              message: `${resolved?.org}/${resolved?.name}@${resolved?.version} is ${stopped.state} by ${stopped.by.join(', ')}: ${stopped.reason}`,
            },
          ];
    const terms = resolved?.contract?.terms;
    if (terms === undefined) return kill;
    const stale = this.#staleness(terms.maxRevocationStaleness, resolved?.tier);
    if (stale !== undefined) kill.push(stale);
    const site = {
      jurisdiction: this.#opts.jurisdiction ?? '',
      tier: resolved?.tier as RiskTier | '',
      now: now.getTime(),
    };
    return [...kill, ...decisionFindings(terms, checked, site).map((f) => ({ ...f, scope: 'contract' as const }))];
  }

  /** The fail-closed finding when the kill-switch state is older than the contract allows (tiers high, serious). */
  #staleness(maxSeconds: number | undefined, tier: string | undefined): Finding | undefined {
    if (maxSeconds === undefined || (tier !== 'high' && tier !== 'serious')) return undefined;
    const age = this.#opts.revocationAgeMs?.() ?? 0;
    if (age <= maxSeconds * 1000) return undefined;
    const seconds = Number.isFinite(age) ? `${Math.round(age / 1000)} s ago` : 'never';
    return {
      rule: 'revocations.stale',
      scope: 'registry',
      message: `no majority of the federation confirmed this node's kill-switch state within ${maxSeconds} s (last: ${seconds}): failing closed for a ${tier} tier version`,
    };
  }

  #seal(input: unknown, where: string, now: Date): Sealed {
    const { policy, random, models } = this.#opts;
    let sealed: SealedDecision;
    let verdict: Verdict | undefined;
    let model: RecordedDecision['model'];
    try {
      const checked = CheckedDecision.check(input);
      const resolved = models?.resolve(checked.model);
      const f = resolved === undefined ? undefined : factsOf(resolved);
      const facts = f?.facts;
      model = f?.model;
      const contract = this.#contractFindings(checked, resolved, now);
      if (policy === undefined && contract.length === 0) {
        sealed = sealDecision(checked, { now, random, ...(facts === undefined ? {} : { model: facts }) });
      } else {
        verdict = withContract(
          policy?.evaluate('decision', checked, resolved === undefined ? undefined : { model: resolved }),
          contract,
        );
        const deny = verdict.deny.map((f) => (f.scope === 'local' ? `local:${f.rule}` : f.rule));
        sealed = sealDecision(checked, {
          now,
          random,
          policyVersion: verdict.policyVersion ?? 0,
          verdict: verdict.allowed ? { verdict: 'allowed' } : { verdict: 'denied', deny },
          ...(facts === undefined ? {} : { model: facts }),
        });
      }
    } catch (cause) {
      if (isGovfedError(cause)) throw new GovfedError(cause.code, `${where}: ${cause.message}`, { cause });
      // Sealing is a pure function of the input, so anything it throws is about the input (e.g. the
      // canonicalize library's plain Error for a lone surrogate): a 400, never a 500.
      throw new GovfedError('ERR_INVALID_RECORD', `${where}: cannot be encoded as canonical JSON`, { cause });
    }
    if (sealed.recordBytes.length > MAX_RECORD_BYTES) {
      throw new NodeError(
        'ERR_RECORD_TOO_LARGE',
        `${where}: record is ${sealed.recordBytes.length} bytes as canonical JSON, more than ${MAX_RECORD_BYTES}`,
      );
    }
    const out: Sealed = { sealed };
    if (verdict !== undefined) out.verdict = verdict;
    if (model !== undefined) out.model = model;
    return out;
  }
}

const FACTS = new WeakMap<
  ResolvedModel,
  { facts: LeafModelFacts & { flags: string[] }; model: NonNullable<RecordedDecision['model']> }
>();

/** The leaf facts and reply of a resolved model, made once per answer of the registry (which it caches). */
function factsOf(r: ResolvedModel) {
  let f = FACTS.get(r);
  if (f === undefined) {
    const flags = modelFlags(r);
    f = r.known
      ? {
          facts: { modelDigest: r.digest, flags },
          model: { known: true, org: r.org, digest: r.digest, status: r.status, tier: r.tier, flags },
        }
      : { facts: { flags }, model: { known: false, status: r.status, flags } };
    FACTS.set(r, f);
  }
  return f;
}

/** One verdict from the policy's (if any) and the contract's findings: denied when either denies. */
function withContract(policy: Verdict | undefined, contract: Finding[]): Verdict {
  const base = policy ?? { allowed: true, deny: [], warn: [], policyVersion: null };
  if (contract.length === 0) return base;
  return { ...base, allowed: false, deny: [...base.deny, ...contract] };
}

interface Sealed {
  sealed: SealedDecision;
  verdict?: Verdict;
  model?: RecordedDecision['model'];
}

/**
 * Size before work: a record whose canonical JSON would pass MAX_RECORD_BYTES is refused before anything
 * checks, evaluates, canonicalises or hashes it (the input is a lower bound of the sealed record, which
 * only adds fields). The count stops at the limit, so a 16 MiB record costs no more than a 64 KiB one.
 */
function checkRecordSize(input: unknown, where: string): void {
  if (canonicalSizeWithin(input, MAX_RECORD_BYTES) === undefined) {
    throw new NodeError(
      'ERR_RECORD_TOO_LARGE',
      `${where}: record is more than ${MAX_RECORD_BYTES} bytes as canonical JSON`,
    );
  }
}
