/**
 * The kinds of problem fsck reports (`govfed audit fsck`, POST /v1/admin/fsck), each with a stable code.
 * They are findings about stored data, not failures of a request or a command: no HTTP status or exit
 * code of their own (fsck answers 200, the CLI exits 1 when any log has a problem). docs/errors.md lists
 * them in its section "fsck problem codes"; test/node/log/fsck-problems.test.ts keeps the two in step.
 *
 * A report carries each problem twice, in step: `problems` (the text, as it always did) and `findings`
 * (`{code, message}`, the same text). Scripts branch on the code, never on the text.
 *
 * To add a kind: add its code below, pass it where the problem is found, add its row to docs/errors.md.
 */
export const FsckProblemCodes = [
  // the tree recomputed from the leaves (fsck.ts)
  'FSCK_LEAF_MISSING',
  'FSCK_HASH_MISSING',
  'FSCK_HASH_MISMATCH',
  'FSCK_LEAF_BEYOND_SIZE',
  'FSCK_HASH_BEYOND_SIZE',
  // kept checkpoints (fsck.ts)
  'FSCK_CHECKPOINT_UNPARSABLE',
  'FSCK_CHECKPOINT_SIZE_MISMATCH',
  'FSCK_CHECKPOINT_OUT_OF_ORDER',
  'FSCK_CHECKPOINT_ROOT_MISMATCH',
  'FSCK_CHECKPOINT_BEYOND_SIZE',
  'FSCK_CHECKPOINT_UNCHECKED',
  'FSCK_NO_CHECKPOINT',
  'FSCK_CHECKPOINT_WRONG_ORIGIN',
  'FSCK_CHECKPOINT_SIGNATURE',
  // the lookup and search index (lookup.ts)
  'FSCK_INDEX_KEY_MISSING',
  'FSCK_INDEX_KEY_WRONG',
  // the high-water mark (high-water.ts)
  'FSCK_BELOW_HIGH_WATER',
  'FSCK_HIGH_WATER_ROOT_MISMATCH',
  // a retired log (node/home/fsck-retired.ts)
  'FSCK_RETIRED_UNSIGNED_ENTRIES',
  'FSCK_LOG_UNCHECKABLE',
  // more problems than a report lists (MAX_PROBLEMS)
  'FSCK_MORE_PROBLEMS',
] as const;

export type FsckProblemCode = (typeof FsckProblemCodes)[number];

/** What a report (fsck.ts FsckReport) says of its problems. */
interface Reported {
  ok: boolean;
  problems: string[];
  findings: FsckFinding[];
}

/** One problem: its kind and the text of `problems`. */
export interface FsckFinding {
  code: FsckProblemCode;
  message: string;
}

/** At most this many problems are listed, then one FSCK_MORE_PROBLEMS line with the count of the rest. */
export const MAX_PROBLEMS = 100;

/** The problems of one run, bounded. */
export class Findings {
  readonly #list: FsckFinding[] = [];
  #more = 0;

  add(code: FsckProblemCode, message: string): void {
    if (this.#list.length < MAX_PROBLEMS) this.#list.push({ code, message });
    else this.#more++;
  }

  get count(): number {
    return this.#list.length + this.#more;
  }

  /** `problems` and `findings` of the report. */
  done(): Pick<Reported, 'problems' | 'findings'> {
    const findings =
      this.#more > 0
        ? [...this.#list, { code: 'FSCK_MORE_PROBLEMS' as const, message: `... and ${this.#more} more problems` }]
        : this.#list;
    return { problems: findings.map((f) => f.message), findings };
  }
}

/** `report` with one more problem found after the store was checked (the high-water mark, a retired log's). */
export function withProblem<R extends Reported>(report: R, code: FsckProblemCode, message: string): R {
  return {
    ...report,
    ok: false,
    problems: [...report.problems, message],
    findings: [...report.findings, { code, message }],
  };
}
