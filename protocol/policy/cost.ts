/**
 * The static cost estimate: the most steps (budget.ts) a rule can take on any decision record within
 * the record limits, computed from its parsed CEL tree at publish time (like cel-go's cost estimator).
 *
 * The model. Every value gets an upper bound on its size (deepSize in budget.ts) and its length:
 *   - inputs: a field's own limit where it has one (`decision.model` <= 256 chars, `dataClasses` <= 64
 *     labels of <= 64 chars, …), otherwise the 64 KiB record (`decision.context`, `decision.output` and
 *     anything read from them: the size of a JSON value is at most its length in bytes, and a JSON
 *     list or object has fewer entries than half its length);
 *   - results: `a + b` (strings, lists) has size(a) + size(b) — so concatenation, also repeated through
 *     `cel.bind`, grows as it does at run time; `lowerAscii`/`upperAscii` 3×, `split` 2×,
 *     `join(sep)` size(list) + length(list) × size(sep), `map` the sum of its body's results, `filter`
 *     its range; comparisons, `size`, `contains`, … are scalars.
 * Each operation costs what the meter charges for it: 1 + the size of each operand; a comprehension
 * 1 + size(range) + length(range) × (NODE_STEPS × its body's AST nodes + its body's cost); `matches`
 * (text size + 1) × the pattern's program size; a timestamp getter with a time zone TIME_ZONE_STEPS.
 * Inside a comprehension body, sizes and costs are linear in the size X of the current element
 * (c + k·X), so summing over the iterations gives length × c + k × size(range)
 * rather than length × max element size — `dataClasses.exists(c, c.matches(…))` is charged for the
 * labels it reads, not 64 times the longest. Both sides of `&&`/`||` count; `?:` counts its costlier
 * branch. Comprehensions never nest (limits.ts), so one level of X is enough.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { MAX_INPUT_DIGEST_CHARS, MAX_RECORD_BYTES } from '../audit/decision.ts';
import { MAX_DECISION_ID_CHARS, MAX_MODEL_CHARS } from '../audit/leaf.ts';
import { NODE_STEPS, TIME_ZONE_FUNCTIONS, TIME_ZONE_STEPS } from './budget.ts';
import { SAFE_MATCH_FUNCTION } from './hooks.ts';
import { compileRegex } from './regex.ts';

/** c + k·X, X the size of the current comprehension element (k = 0 outside a body). */
interface Lin {
  c: number;
  k: number;
}

/** Upper bounds of a value: its size (deepSize) and its length (elements, entries or characters). */
interface Bound {
  s: Lin;
  n: Lin;
}

interface Estimate {
  b: Bound;
  cost: Lin;
}

interface Scope {
  vars: ReadonlyMap<string, Bound>;
  /** The largest element of the comprehension range being iterated (0 outside a body). */
  xMax: number;
  inBody: boolean;
}

const R = MAX_RECORD_BYTES;
const lin = (c: number, k = 0): Lin => ({ c, k });
const add = (...xs: Lin[]): Lin => ({ c: xs.reduce((a, x) => a + x.c, 0), k: xs.reduce((a, x) => a + x.k, 0) });
const scale = (x: Lin, m: number): Lin => ({ c: x.c * m, k: x.k * m });
const max = (a: Lin, b: Lin): Lin => ({ c: Math.max(a.c, b.c), k: Math.max(a.k, b.k) });
const at = (x: Lin, xMax: number): number => x.c + x.k * xMax;
/** a × b; when both grow with X, one of them is taken at its largest. */
const mul = (a: Lin, b: Lin, xMax: number): Lin =>
  a.k === 0 ? scale(b, a.c) : b.k === 0 ? scale(a, b.c) : scale(a, at(b, xMax));
const bound = (s: Lin, n: Lin = s): Bound => ({ s, n });
const SCALAR = bound(lin(1), lin(1));
/** A value read from the record without a tighter limit (a JSON list or object of R bytes has < R/2 entries). */
const RECORD = bound(lin(R), lin(R / 2));

/** Data classes: at most 64 labels of at most 64 characters (protocol/audit/decision.ts). */
const MAX_LABEL_CHARS = 64;
const MAX_DATA_CLASSES = 64;
const MAX_JURISDICTION_CHARS = 16;
const MAX_ORG_CHARS = 64;

/** Bounds of the hooks' fields, as `variable.field` (hooks.ts declares them; the limits are audit's). */
const FIELDS: Readonly<Record<string, Bound>> = {
  'decision.model': bound(lin(MAX_MODEL_CHARS)),
  'decision.decisionId': bound(lin(MAX_DECISION_ID_CHARS)),
  'decision.timestamp': SCALAR,
  'decision.inputDigest': bound(lin(MAX_INPUT_DIGEST_CHARS)),
  'decision.output': RECORD,
  'decision.jurisdiction': bound(lin(MAX_JURISDICTION_CHARS)),
  'decision.dataClasses': bound(lin(MAX_DATA_CLASSES * (1 + MAX_LABEL_CHARS)), lin(MAX_DATA_CLASSES)),
  'decision.context': RECORD,
  'node.org': bound(lin(MAX_ORG_CHARS)),
  'node.jurisdiction': bound(lin(MAX_JURISDICTION_CHARS)),
};
const VARIABLES: Readonly<Record<string, Bound>> = {
  decision: bound(lin(2 * R)),
  node: bound(lin(1 + 2 * MAX_ORG_CHARS)),
};

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%']);

/** Functions whose result may be bigger than a scalar: its bound from the operands' bounds. */
const RESULTS: Readonly<Record<string, (ops: Bound[], xMax: number) => Bound>> = {
  lowerAscii: ([r]) => bound(scale((r as Bound).s, 3)),
  upperAscii: ([r]) => bound(scale((r as Bound).s, 3)),
  trim: ([r]) => r as Bound,
  substring: ([r]) => r as Bound,
  dyn: ([r]) => r as Bound,
  string: ([r]) => bound(add((r as Bound).s, lin(32))),
  bytes: ([r]) => bound(scale((r as Bound).s, 3)),
  base64: ([r]) => bound(add(scale((r as Bound).s, 2), lin(4))),
  hex: ([r]) => bound(scale((r as Bound).s, 2)),
  json: ([r]) => r as Bound,
  split: ([r]) => bound(add(scale((r as Bound).s, 2), lin(1)), add((r as Bound).s, lin(1))),
  join: ([l, sep], xMax) =>
    bound(sep === undefined ? (l as Bound).s : add((l as Bound).s, mul((l as Bound).n, sep.s, xMax))),
};

/** A node over the limit: where, and what it costs. */
export interface CostHit {
  offset: number;
  cost: number;
}

/** The number of AST nodes under (and including) `v`, as the meter counts a comprehension body. */
export function countNodes(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + countNodes(x), 0);
  if (typeof v !== 'object' || v === null || !('op' in v)) return 0;
  const n = v as ASTNode;
  return 1 + (n.op === 'value' || n.op === 'id' ? 0 : countNodes(n.args));
}

class Estimator {
  readonly limit: number;
  hit: CostHit | null = null;
  constructor(limit: number) {
    this.limit = limit;
  }

  #note(n: ASTNode, cost: Lin, scope: Scope): void {
    if (this.hit === null && !scope.inBody && cost.c > this.limit) this.hit = { offset: n.start, cost: cost.c };
  }

  node(n: ASTNode, scope: Scope): Estimate {
    const e = this.#node(n, scope);
    // Evaluating the node itself: 1 step (in a body, NODE_STEPS per iteration counts it instead).
    const cost = scope.inBody ? e.cost : add(e.cost, lin(1));
    this.#note(n, cost, scope);
    return { b: e.b, cost };
  }

  /** Operands as the meter charges them: their own cost plus 1 + their size each. */
  #operands(ops: ASTNode[], scope: Scope): { bounds: Bound[]; cost: Lin } {
    const es = ops.map((o) => this.node(o, scope));
    return { bounds: es.map((e) => e.b), cost: add(...es.map((e) => add(e.cost, lin(1), e.b.s))) };
  }

  #node(n: ASTNode, scope: Scope): Estimate {
    switch (n.op) {
      case 'value': {
        const v: unknown = n.args;
        const size = typeof v === 'string' ? v.length : v instanceof Uint8Array ? v.length : 1;
        return { b: bound(lin(size)), cost: lin(0) };
      }
      case 'id': {
        const name = n.args as string;
        return { b: scope.vars.get(name) ?? VARIABLES[name] ?? RECORD, cost: lin(0) };
      }
      case '.':
      case '.?':
      case '[]':
      case '[?]': {
        const [recv, key] = n.args as [ASTNode, ASTNode | string];
        const r = this.node(recv, scope);
        const k = typeof key === 'string' ? null : this.node(key, scope);
        const field = typeof key === 'string' && recv.op === 'id' && !scope.vars.has(recv.args as string);
        const b = (field ? FIELDS[`${recv.args}.${key}`] : undefined) ?? bound(r.b.s);
        return { b, cost: k === null ? r.cost : add(r.cost, k.cost) };
      }
      case '!_':
      case '-_':
        return { b: SCALAR, cost: this.node(n.args as ASTNode, scope).cost };
      case '&&':
      case '||': {
        const [l, r] = (n.args as ASTNode[]).map((a) => this.node(a, scope)) as [Estimate, Estimate];
        return { b: SCALAR, cost: add(l.cost, r.cost) };
      }
      case '?:': {
        const [c, a, b] = (n.args as ASTNode[]).map((x) => this.node(x, scope)) as [Estimate, Estimate, Estimate];
        return { b: bound(max(a.b.s, b.b.s), max(a.b.n, b.b.n)), cost: add(c.cost, max(a.cost, b.cost)) };
      }
      case 'list': {
        const es = (n.args as ASTNode[]).map((x) => this.node(x, scope));
        const s = add(lin(es.length), ...es.map((e) => e.b.s));
        return { b: bound(s, lin(es.length)), cost: add(...es.map((e) => e.cost)) };
      }
      case 'map': {
        const es = (n.args as [ASTNode, ASTNode][]).map(([k, v]) => [this.node(k, scope), this.node(v, scope)]);
        const s = add(lin(es.length), ...es.flatMap(([k, v]) => [(k as Estimate).b.s, (v as Estimate).b.s]));
        return {
          b: bound(s, lin(es.length)),
          cost: add(...es.flatMap(([k, v]) => [(k as Estimate).cost, (v as Estimate).cost])),
        };
      }
      case 'call':
      case 'rcall':
        return this.#call(n, scope);
      default: {
        if (BINARY.has(n.op)) {
          const { bounds, cost } = this.#operands(n.args as ASTNode[], scope);
          const [a, b] = bounds as [Bound, Bound];
          return { b: n.op === '+' ? bound(add(a.s, b.s), add(a.n, b.n)) : SCALAR, cost };
        }
        // Not produced by the parser for rules that type-check; priced as a record-sized operation.
        return { b: RECORD, cost: lin(R) };
      }
    }
  }

  #call(n: ASTNode & { op: 'call' | 'rcall' }, scope: Scope): Estimate {
    const name = n.args[0];
    const receiver = n.op === 'rcall' ? n.args[1] : null;
    const args = n.op === 'rcall' ? n.args[2] : n.args[1];
    if (name === 'has' && receiver === null) return { b: SCALAR, cost: lin(args.length) };
    if (receiver !== null && COMPREHENSIONS.has(name) && args[0]?.op === 'id') {
      return this.#comprehension(name, receiver, args, scope);
    }
    if (receiver?.op === 'id' && receiver.args === 'cel' && name === 'bind' && args[0]?.op === 'id') {
      const val = this.node(args[1] as ASTNode, scope);
      const vars = new Map(scope.vars).set(args[0].args as string, val.b);
      const exp = this.node(args[2] as ASTNode, { ...scope, vars });
      return { b: exp.b, cost: add(val.cost, exp.cost) };
    }
    const ops = receiver === null ? args : [receiver, ...args];
    const { bounds, cost } = this.#operands(ops, scope);
    let extra = lin(0);
    if ((name === SAFE_MATCH_FUNCTION || name === 'matches') && receiver !== null) {
      const pattern = args[0]?.op === 'value' && typeof args[0].args === 'string' ? args[0].args : null;
      const program = pattern === null ? Number.POSITIVE_INFINITY : compileRegex(pattern).size;
      extra = mul(add((bounds[0] as Bound).s, lin(1)), lin(program), scope.xMax);
    }
    if (name === 'join' && receiver !== null && bounds[1] !== undefined) {
      extra = mul((bounds[0] as Bound).n, (bounds[1] as Bound).s, scope.xMax);
    }
    if (receiver !== null && args.length === 1 && TIME_ZONE_FUNCTIONS.has(name)) extra = lin(TIME_ZONE_STEPS);
    const result = RESULTS[name]?.(bounds, scope.xMax) ?? SCALAR;
    return { b: result, cost: add(cost, extra) };
  }

  #comprehension(name: string, receiver: ASTNode, args: ASTNode[], scope: Scope): Estimate {
    const range = this.node(receiver, scope);
    const total = at(range.b.s, scope.xMax);
    const len = at(range.b.n, scope.xMax);
    const element = bound(lin(0, 1), lin(0, 1));
    const vars = new Map(scope.vars).set(args[0]?.args as string, element);
    const inner: Scope = { vars, xMax: total, inBody: true };
    const body = args.slice(1).map((a) => this.node(a, inner));
    const per = add(...body.map((e) => e.cost));
    // Σ over the elements of (c + k·X) <= len·c + k·total.
    const iterations = len * (countNodes(args) * NODE_STEPS + per.c) + per.k * total;
    const cost = add(range.cost, lin(1 + total + iterations));
    const last = body[body.length - 1] as Estimate;
    if (name === 'map') {
      return { b: bound(lin(len + len * last.b.s.c + last.b.s.k * total), lin(len)), cost };
    }
    if (name === 'filter') return { b: bound(lin(total), lin(len)), cost };
    return { b: SCALAR, cost };
  }
}

/**
 * The worst-case cost of a checked rule's tree, and the first (innermost) part of it whose own cost is
 * over `limit` (null when the whole is within it).
 */
export function estimateCost(ast: ASTNode, limit: number): { cost: number; hit: CostHit | null } {
  const e = new Estimator(limit);
  const { cost } = e.node(ast, { vars: new Map(), xMax: 0, inBody: false });
  return { cost: cost.c, hit: e.hit };
}
