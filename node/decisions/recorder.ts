/**
 * The decision recorder: what POST /v1/decisions does, as one object.
 *
 * record(inputs) takes one request's records (attacker-controlled) and, all before anything is appended
 * (a request is atomic):
 *   1. every record ≤ MAX_RECORD_BYTES as canonical JSON, counted by a bounded counter that stops at the
 *      limit, before any record is checked or canonicalised (ERR_RECORD_TOO_LARGE, 413);
 *   2. each record checked once (protocol/audit CheckedDecision: ERR_INVALID_RECORD, 400) — every record
 *      of the request before any is evaluated or sealed (sealer.ts: the same order on the worker path);
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
 * then one append, which resolves only once the batch is durable; then what the decisions contribute to
 * their versions' monitors (sealer.ts) goes to `onObserved` (node/monitoring), in log order. A denied
 * decision is still recorded: the log records what happened, and the result says it was denied.
 *
 * Every error names the record it is about (`where`, e.g. `body/3`).
 */
import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import type { Tally } from '../../protocol/report/counts.ts';
import type { Appended, AppendItem } from '../log/index.ts';
import {
  appendItemOf,
  type DecisionModels,
  type DecisionPolicy,
  DecisionSealer,
  type DecisionToRecord,
  observationsOf,
  type RecordedDecision,
  talliesOf,
} from './sealer.ts';

export interface DecisionRecorderOptions {
  log: { append(items: readonly AppendItem[]): Promise<Appended[]> };
  /** Absent: decisions are recorded without a verdict. */
  policy?: DecisionPolicy | undefined;
  /** Absent: decisions are recorded without model facts or flags. */
  models?: DecisionModels | undefined;
  /** This node's jurisdiction: what a contract's allowedJurisdictions is checked against. */
  jurisdiction?: string;
  /** This node's org (monitors' positive-outcome expressions see it as `node.org`). */
  org?: string;
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
  /** Called, once durable, with what the decisions contribute to monitors (none: not called). */
  onObserved?: (observations: ObservationRun[]) => void;
  /** Called, once durable and in log order, with the rolling counters' additions and the log size after them. */
  onCounted?: (tallies: Record<string, Tally>, end: number) => void;
}

/** Recording on the calling thread: check, seal (sealer.ts), one append. */
export class DecisionRecorder {
  readonly #opts: DecisionRecorderOptions;
  readonly #sealer: DecisionSealer;

  constructor(opts: DecisionRecorderOptions) {
    this.#opts = opts;
    this.#sealer = new DecisionSealer({ policy: opts.policy, jurisdiction: opts.jurisdiction, org: opts.org });
  }

  /** Records every input or none (see the top). Throws the first record's typed error. */
  async record(inputs: readonly DecisionToRecord[]): Promise<RecordedDecision[]> {
    const checked = this.#sealer.check(inputs);
    const { random, models, revocationAgeMs } = this.#opts;
    const sealed = this.#sealer.seal(checked, this.#opts.now(), { random, models, revocationAgeMs });
    const appended = await this.#opts.log.append(sealed.map((s) => appendItemOf(s.sealed)));
    this.#opts.onRecorded?.(appended.length);
    const observations = observationsOf(sealed);
    if (observations.length > 0) this.#opts.onObserved?.(observations);
    const last = appended.at(-1);
    if (last !== undefined) this.#opts.onCounted?.(talliesOf(sealed), last.index + 1);
    return appended.map((a, i) => {
      const s = sealed[i];
      const out: RecordedDecision = { index: a.index, leafHash: a.leafHash };
      if (s?.verdict !== undefined) out.verdict = s.verdict;
      if (s?.model !== undefined) out.model = s.model;
      return out;
    });
  }
}
