/**
 * Sealing one request's decisions — the work between an HTTP body and the log, shared by the
 * single-threaded recorder (recorder.ts) and the ingest workers (worker.ts), so both give the same
 * leaves, verdicts and errors for the same inputs (test/node/decisions/pool.test.ts compares them).
 *
 * Two steps, so that a worker can ask the main thread about models in between:
 *   check(inputs)   every record ≤ MAX_RECORD_BYTES as canonical JSON (a bounded count, before any other
 *                   work: ERR_RECORD_TOO_LARGE, 413), then each checked once (CheckedDecision:
 *                   ERR_INVALID_RECORD, 400) — the first failing record's error, named by `where`;
 *   seal(checked)   per record: its model resolved (SealEnv.models), the kill switch's and the contract's
 *                   findings, the policy's `decision` hook, then sealDecision (protocol/audit) on the
 *                   node's native primitives; the record ≤ MAX_RECORD_BYTES encoded (413).
 * When the decision's model version has a contract with `requiredMonitors`, seal() also gives what the
 * decision contributes to them (protocol/monitoring observe: field values, group and positive outcome,
 * rate hits) — computed here, on the worker when there are workers, so the main thread only counts.
 * `random` is consumed in a fixed order — per record 16 bytes of nonce, then 16 for a UUID when the
 * record has no decisionId (randomBytesFor) — so a worker handed that many bytes by the main thread
 * seals exactly what the main thread would.
 */
import {
  CheckedDecision,
  type LeafModelFacts,
  MAX_RECORD_BYTES,
  NONCE_BYTES,
  type SealedDecision,
  sealDecision,
} from '../../protocol/audit/decision.ts';
import { canonicalSizeWithin } from '../../protocol/canonical/size.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { RiskTier } from '../../protocol/federation/approval-rules.ts';
import { type Observation, type ObservationRun, observe, runsOf } from '../../protocol/monitoring/observe.ts';
import type { Finding, Verdict } from '../../protocol/policy/evaluate.ts';
import { type HookExtra, type NodeValue, nodeValue } from '../../protocol/policy/hooks.ts';
import { decisionFindings } from '../../protocol/registry/contract-check.ts';
import { countLeaf, emptyTally, type Tally } from '../../protocol/report/counts.ts';
import { NodeError } from '../errors.ts';
import type { AppendItem, DecisionIndexFacts } from '../log/index.ts';
import type { ResolvedModel } from '../registry/model-book.ts';
import { NATIVE_SEALING } from './primitives.ts';

/** The registry as sealing uses it (node/registry's ModelBook behind ModelRegistry.resolve). */
export interface DecisionModels {
  resolve(ref: string): ResolvedModel;
}

/** The policy as sealing uses it (node/policy's PolicyService, or a worker's PolicyEnforcer). */
export interface DecisionPolicy {
  evaluate(hook: 'decision', input: unknown, extra?: HookExtra): Verdict;
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

/** A record that passed check(). */
export interface CheckedInput {
  checked: CheckedDecision;
  where: string;
}

/** What one seal() call reads besides the records. */
export interface SealEnv {
  /** A CSPRNG, or bytes the main thread drew from one: n bytes per call. */
  random: (n: number) => Uint8Array;
  /** Absent: decisions are sealed without model facts or flags. */
  models?: DecisionModels | undefined;
  /**
   * How old this node's kill-switch state is as a majority of the members vouches for it (ms; charter
   * freshness). A contract's maxRevocationStaleness below it fails closed for tiers high and serious.
   */
  revocationAgeMs?: (() => number) | undefined;
}

export interface DecisionSealerOptions {
  /** Absent: decisions are recorded without a verdict. */
  policy?: DecisionPolicy | undefined;
  /** This node's jurisdiction: what a contract's allowedJurisdictions is checked against. */
  jurisdiction?: string | undefined;
  /** This node's org (the `node` variable of a monitor's positive-outcome expression). */
  org?: string | undefined;
}

/** A sealed decision with what the reply says about it. */
export interface Sealed {
  sealed: SealedDecision;
  verdict?: Verdict;
  model?: RecordedDecision['model'];
  /** What it contributes to its model version's monitors (only when the contract requires any). */
  observation?: Observation;
}

/** The observations of sealed decisions, in order and in runs (those without monitors left out). */
export function observationsOf(sealed: readonly Sealed[]): ObservationRun[] {
  const out: Observation[] = [];
  for (const s of sealed) if (s.observation !== undefined) out.push(s.observation);
  return runsOf(out);
}

/**
 * What sealed decisions add to their versions' rolling counters (node/report; docs/reports.md), by model
 * digest: decisions, denied by rule, flags by kind — from the leaves themselves, so the counts are what
 * the log holds. Decisions of no registered version (no `modelDigest`) are left out.
 */
export function talliesOf(sealed: readonly Sealed[]): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const s of sealed) {
    const digest = s.sealed.leaf.modelDigest;
    if (digest === undefined) continue;
    const t = out[digest] ?? emptyTally();
    countLeaf(t, s.sealed.leaf);
    out[digest] = t;
  }
  return out;
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

/** How many random bytes seal() draws for these records (see the top). */
export function randomBytesFor(checked: readonly CheckedInput[]): number {
  let n = 0;
  for (const c of checked) n += c.checked.decisionId === undefined ? 2 * NONCE_BYTES : NONCE_BYTES;
  return n;
}

export class DecisionSealer {
  readonly #opts: DecisionSealerOptions;
  #node: NodeValue | undefined;

  constructor(opts: DecisionSealerOptions) {
    this.#opts = opts;
  }

  /** Step 1 (see the top). Throws the first failing record's typed error. */
  check(inputs: readonly DecisionToRecord[]): CheckedInput[] {
    for (const { input, where } of inputs) checkRecordSize(input, where);
    return inputs.map(({ input, where }) => {
      try {
        return { checked: CheckedDecision.check(input), where };
      } catch (cause) {
        if (isGovfedError(cause)) throw new GovfedError(cause.code, `${where}: ${cause.message}`, { cause });
        throw cause;
      }
    });
  }

  /** Step 2 (see the top): every record sealed, in order, or the first one's typed error. */
  seal(checked: readonly CheckedInput[], now: Date, env: SealEnv): Sealed[] {
    return checked.map(({ checked: c, where }) => this.#sealOne(c, where, now, env));
  }

  /** The kill switch's and the contract's deny findings for a decision of `resolved`. */
  #contractFindings(checked: CheckedDecision, resolved: ResolvedModel | undefined, now: Date, env: SealEnv): Finding[] {
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
    const stale = staleness(terms.maxRevocationStaleness, resolved?.tier, env.revocationAgeMs);
    if (stale !== undefined) kill.push(stale);
    const site = {
      jurisdiction: this.#opts.jurisdiction ?? '',
      tier: resolved?.tier as RiskTier | '',
      now: now.getTime(),
    };
    return [...kill, ...decisionFindings(terms, checked, site).map((f) => ({ ...f, scope: 'contract' as const }))];
  }

  #sealOne(checked: CheckedDecision, where: string, now: Date, env: SealEnv): Sealed {
    const { policy } = this.#opts;
    const { random, models } = env;
    let sealed: SealedDecision;
    let verdict: Verdict | undefined;
    let model: RecordedDecision['model'];
    let resolved: ResolvedModel | undefined;
    try {
      resolved = models?.resolve(checked.model);
      const f = resolved === undefined ? undefined : factsOf(resolved);
      const facts = f?.facts;
      model = f?.model;
      const contract = this.#contractFindings(checked, resolved, now, env);
      if (policy === undefined && contract.length === 0) {
        sealed = sealDecision(checked, {
          now,
          random,
          ...NATIVE_SEALING,
          ...(facts === undefined ? {} : { model: facts }),
        });
      } else {
        verdict = withContract(
          policy?.evaluate('decision', checked, resolved === undefined ? undefined : { model: resolved }),
          contract,
        );
        const deny = verdict.deny.map((f) => (f.scope === 'local' ? `local:${f.rule}` : f.rule));
        sealed = sealDecision(checked, {
          now,
          random,
          ...NATIVE_SEALING,
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
    const observation = this.#observe(checked, resolved, sealed, now);
    if (observation !== undefined) out.observation = observation;
    return out;
  }

  /** What the decision contributes to its version's monitors (undefined: the contract requires none). */
  #observe(checked: CheckedDecision, r: ResolvedModel | undefined, s: SealedDecision, now: Date) {
    const monitors = r?.contract?.terms.requiredMonitors;
    if (r === undefined || !r.known || monitors === undefined || monitors.length === 0) return undefined;
    // The `node` variable of the positive expressions' activation, checked once (not per decision).
    this.#node ??= nodeValue({ org: this.#opts.org ?? '', jurisdiction: this.#opts.jurisdiction ?? '' });
    const node = this.#node;
    const outcome = { flags: s.leaf.flags ?? [], deny: s.leaf.deny ?? [] };
    return {
      model: `${r.org}/${r.name}@${r.version}`,
      contract: r.contract?.id as string,
      shadow: r.deployed === 'shadow',
      values: observe(monitors, checked, outcome, { node, now: now.getTime() }),
    };
  }
}

/** The fail-closed finding when the kill-switch state is older than the contract allows (tiers high, serious). */
function staleness(
  maxSeconds: number | undefined,
  tier: string | undefined,
  revocationAgeMs: (() => number) | undefined,
): Finding | undefined {
  if (maxSeconds === undefined || (tier !== 'high' && tier !== 'serious')) return undefined;
  const age = revocationAgeMs?.() ?? 0;
  if (age <= maxSeconds * 1000) return undefined;
  const seconds = Number.isFinite(age) ? `${Math.round(age / 1000)} s ago` : 'never';
  return {
    rule: 'revocations.stale',
    scope: 'registry',
    message: `no majority of the federation confirmed this node's kill-switch state within ${maxSeconds} s (last: ${seconds}): failing closed for a ${tier} tier version`,
  };
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

/** What the log appends for a sealed decision: its bytes, and the facts its index keys are made of. */
export function appendItemOf(s: SealedDecision): AppendItem {
  return { leaf: s.leafBytes, record: s.recordBytes, decision: indexFactsOf(s) };
}

/** What a sealed decision's index keys are made of (node/log DecisionIndexFacts). */
export function indexFactsOf(s: SealedDecision): DecisionIndexFacts {
  const { leaf } = s;
  return {
    decisionId: leaf.decisionId,
    model: leaf.model,
    time: leaf.time,
    verdict: leaf.verdict ?? 'none',
    flags: leaf.deny ?? [],
  };
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
