/**
 * The cost budget: what one rule, one rule list and one evaluation may spend, in steps.
 *
 * A step is the unit of both the static estimate (cost.ts, at publish time) and the runtime meter
 * (here and meter.ts, during evaluation). The meter charges, deterministically — the same record and
 * rules give the same count on every node, whatever its speed or load:
 *   - every operand of an operator or function call (`+`, `==`, `in`, `<`, `contains`, `size`, …):
 *     1 + its size (deepSize below; a string's size is its length, a list's its length plus the sizes
 *     of its elements), charged before the operation runs — so concatenation, comparison and search
 *     of big or built-up strings and lists are paid for as they are used;
 *   - every comprehension (`all`, `exists`, `exists_one`, `map`, `filter`): 1 + the size of its range
 *     + its length × NODE_STEPS × the AST nodes of its body, charged before the first iteration;
 *   - every `matches`: (text length + 1) × the pattern's program size (regex.ts: the most work the
 *     linear-time matcher can do), charged before matching;
 *   - every `join(sep)`: the list's length × the separator's length, charged before joining;
 *   - every timestamp getter with a time zone: TIME_ZONE_STEPS (a locale formatter per call).
 * Time per step depends on the operation: ~10 ns for a regex or string step, up to ~150 ns for an
 * element of a deep comparison of lists (measured on a 2-core CI machine: docs/policy.md, "Cost").
 *
 * Limits:
 *   - MAX_RULE_COST: the most a rule may be estimated to cost (compile.ts rejects more with
 *     ERR_RULE_TOO_COSTLY) and the most it may spend per evaluation;
 *   - MAX_RULE_SET_COST: the most the estimates of one rule list (a global baseline, a local overlay)
 *     may add up to;
 *   - MAX_EVALUATION_COST: the most one evaluate() call (global + local rules) may spend.
 * The static estimate bounds the steps the meter counts for any decision record within the record
 * limits, so an accepted rule never runs out on a valid record. A rule that runs out anyway (an input
 * outside the model) is stopped at once and fires, like any rule whose evaluation fails (fail closed).
 */

/** Most steps one rule may be estimated to take, and may take per evaluation. */
export const MAX_RULE_COST = 4_000_000;
/** Most steps the estimates of one rule list (a global bundle or a local overlay) may add up to. */
export const MAX_RULE_SET_COST = 10_000_000;
/** Most steps one evaluation (global and local rules together) may take. */
export const MAX_EVALUATION_COST = 2 * MAX_RULE_SET_COST;

/** Steps charged per AST node of a comprehension body, per iteration (a node costs cel-js ~50–300 ns). */
export const NODE_STEPS = 4;

/**
 * Steps charged for a timestamp getter with a time zone (`getHours('Europe/Berlin')`): cel-js builds a
 * locale formatter for each call, ~50–300 µs.
 */
export const TIME_ZONE_STEPS = 30_000;
/** The timestamp getters that take a time zone argument. */
export const TIME_ZONE_FUNCTIONS: ReadonlySet<string> = new Set([
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getFullYear',
  'getHours',
  'getMilliseconds',
  'getMinutes',
  'getMonth',
  'getSeconds',
]);

/** Thrown inside an evaluation when its budget is spent (evaluate.ts turns it into a finding). */
export class BudgetExceeded extends Error {
  readonly budget: number;
  constructor(budget: number) {
    super(`evaluation stopped: over its budget of ${budget} steps`);
    this.budget = budget;
  }
}

/**
 * The meter of the evaluation under way (evaluation is synchronous and single-threaded, so one
 * suffices). Outside an evaluation it has no limit.
 */
class Meter {
  #budget = Number.POSITIVE_INFINITY;
  #remaining = Number.POSITIVE_INFINITY;
  #error: BudgetExceeded | null = null;

  /** Starts metering one rule with `budget` steps. */
  start(budget: number): void {
    this.#budget = budget;
    this.#remaining = budget;
    this.#error = null;
  }

  /** Steps spent since start (at most the budget). */
  get steps(): number {
    return Math.min(this.#budget, this.#budget - this.#remaining);
  }

  /** True when the budget ran out since start. */
  get exhausted(): boolean {
    return this.#error !== null;
  }

  /** Stops metering (no limit until the next start). */
  stop(): void {
    this.#budget = Number.POSITIVE_INFINITY;
    this.#remaining = Number.POSITIVE_INFINITY;
    this.#error = null;
  }

  /** Steps left (the cap for deepSize). */
  get remaining(): number {
    return this.#remaining;
  }

  /** Spends `steps`; throws BudgetExceeded (every time, once spent) when the budget is gone. */
  charge(steps: number): void {
    this.#remaining -= steps;
    if (this.#remaining < 0) {
      this.#error ??= new BudgetExceeded(this.#budget);
      throw this.#error;
    }
  }
}

export const meter = new Meter();

/** Classes whose instances deepSize walks field by field (the hooks' objects, registered by hooks.ts). */
export const SIZED_CLASSES = new Set<abstract new (...args: never[]) => unknown>();

function isPlain(v: object): boolean {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/**
 * The size of a CEL value, in steps: a string's length, a byte array's length, 1 for a scalar (number,
 * bigint, bool, null, timestamp, duration), a list's length plus its elements' sizes, a map's entry
 * count plus its keys' and values' sizes (a JSON object's: 1 + key length + value size per entry), a
 * hook object's (`decision`, `node`) 1 plus its fields' sizes. The size of a JSON value is at most its
 * length in bytes. Walks at most `cap` units (then returns a
 * number over the cap), with its own stack (no recursion, whatever the nesting).
 */
export function deepSize(v: unknown, cap: number): number {
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object' || v === null) return 1;
  let total = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0 && total <= cap) {
    const x = stack.pop();
    if (typeof x === 'string') total += x.length;
    else if (typeof x !== 'object' || x === null || x instanceof Date) total += 1;
    else if (x instanceof Uint8Array) total += x.length;
    else if (Array.isArray(x)) {
      total += x.length;
      for (const e of x) stack.push(e);
    } else if (x instanceof Map) {
      total += x.size;
      for (const [k, e] of x) stack.push(k, e);
    } else if (isPlain(x)) {
      for (const k in x) {
        total += 1 + k.length;
        stack.push((x as Record<string, unknown>)[k]);
      }
    } else {
      // A hook object: 1 + its fields; any other class instance (CEL's durations, types): 1.
      if (SIZED_CLASSES.has(x.constructor as never)) for (const e of Object.values(x)) stack.push(e);
      total += 1;
    }
  }
  return total;
}

/** Charges 1 + the size of an operand. */
export function chargeOperand(v: unknown): void {
  meter.charge(typeof v === 'string' ? 1 + v.length : 1 + deepSize(v, meter.remaining));
}
