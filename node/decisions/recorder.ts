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
 *   4. sealed by protocol/audit (completed with id/time/nonce, encoded, digested; the leaf records the
 *      policy version and the verdict: allowed, or denied with the ids of the deny rules that fired) and
 *      ≤ MAX_RECORD_BYTES encoded (413);
 * then one append, which resolves only once the batch is durable. A denied decision is still recorded:
 * the log records what happened, and the result says it was denied.
 *
 * Every error names the record it is about (`where`, e.g. `body/3`).
 */
import { CheckedDecision, MAX_RECORD_BYTES, type SealedDecision, sealDecision } from '../../protocol/audit/decision.ts';
import { canonicalSizeWithin } from '../../protocol/canonical/size.ts';
import { GovfedError, isGovfedError } from '../../protocol/errors.ts';
import type { Verdict } from '../../protocol/policy/evaluate.ts';
import { NodeError } from '../errors.ts';
import type { Appended, AppendItem } from '../log/index.ts';

/** The policy as the recorder uses it (node/policy's PolicyService). */
export interface DecisionPolicy {
  evaluate(hook: 'decision', input: unknown): Verdict;
}

export interface DecisionRecorderOptions {
  log: { append(items: readonly AppendItem[]): Promise<Appended[]> };
  /** Absent: decisions are recorded without a verdict. */
  policy?: DecisionPolicy | undefined;
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
      const verdict = sealed[i]?.verdict;
      return verdict === undefined
        ? { index: a.index, leafHash: a.leafHash }
        : { index: a.index, leafHash: a.leafHash, verdict };
    });
  }

  #seal(input: unknown, where: string, now: Date): { sealed: SealedDecision; verdict?: Verdict } {
    const { policy, random } = this.#opts;
    let sealed: SealedDecision;
    let verdict: Verdict | undefined;
    try {
      const checked = CheckedDecision.check(input);
      if (policy === undefined) {
        sealed = sealDecision(checked, { now, random });
      } else {
        verdict = policy.evaluate('decision', checked);
        const deny = verdict.deny.map((f) => (f.scope === 'local' ? `local:${f.rule}` : f.rule));
        sealed = sealDecision(checked, {
          now,
          random,
          policyVersion: verdict.policyVersion ?? 0,
          verdict: verdict.allowed ? { verdict: 'allowed' } : { verdict: 'denied', deny },
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
    return verdict === undefined ? { sealed } : { sealed, verdict };
  }
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
