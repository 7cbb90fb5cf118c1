/**
 * The runtime meter's hooks in a compiled rule: where evaluation charges steps (budget.ts).
 *
 * cel-js has no cost limit of its own, so after a rule is type-checked, meterRule wraps the evaluation of
 * the nodes whose values feed an operation — each operand of a binary operator or function call
 * (charged 1 + its size), each comprehension range (1 + its size + its length × NODE_STEPS × the body's
 * AST nodes), the list and separator of a `join(sep)` (length × separator length), the time zone of a
 * timestamp getter (TIME_ZONE_STEPS) — so the meter is charged just before the operation that uses them
 * runs. `matches` charges its own matching work (hooks.ts). Everything else a rule evaluates is a
 * constant number of nodes per evaluation or per iteration, which the range
 * charge covers. The walk mirrors cost.ts, which estimates the same charges at publish time.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { chargeOperand, deepSize, meter, NODE_STEPS, TIME_ZONE_FUNCTIONS, TIME_ZONE_STEPS } from './budget.ts';
import { countNodes } from './cost.ts';

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
const BINARY = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%']);

type Evaluate = (ev: unknown, ast: unknown, ctx: unknown) => unknown;

interface Meta {
  alternate?: { evaluate: Evaluate };
  macro?: { evaluate: Evaluate };
  evaluate: Evaluate;
}

/** Makes `n` call `after(value)` each time it has been evaluated. */
function wrap(n: ASTNode, after: (v: unknown) => void): void {
  const node = n as unknown as { meta: Meta; evaluate: Evaluate };
  const meta = node.meta;
  const alternate = meta.alternate;
  const macro = meta.macro;
  if (alternate === undefined && macro === undefined) {
    const evaluate = meta.evaluate;
    node.evaluate = (ev, ast, ctx) => {
      const v = evaluate.call(node, ev, ast, ctx);
      after(v);
      return v;
    };
    return;
  }
  node.evaluate = (ev, _ast, ctx) => {
    const v = alternate !== undefined ? alternate.evaluate(ev, alternate, ctx) : macro?.evaluate(ev, macro, ctx);
    after(v);
    return v;
  };
}

function lengthOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (typeof v === 'object' && v !== null) return Object.keys(v).length;
  return 1;
}

function chargeRange(bodyNodes: number): (v: unknown) => void {
  const perElement = bodyNodes * NODE_STEPS;
  return (v) => {
    const size = deepSize(v, meter.remaining);
    meter.charge(1 + size);
    meter.charge(lengthOf(v) * perElement);
  };
}

function children(n: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) visit(x);
    else if (typeof v === 'object' && v !== null && 'op' in v) out.push(v as ASTNode);
  };
  if (n.op !== 'value' && n.op !== 'id') visit(n.args);
  return out;
}

function meterCall(n: ASTNode & { op: 'call' | 'rcall' }): void {
  const name = n.args[0];
  const receiver = n.op === 'rcall' ? n.args[1] : null;
  const args = n.op === 'rcall' ? n.args[2] : n.args[1];
  if (name === 'has' && receiver === null) return;
  if (receiver !== null && COMPREHENSIONS.has(name) && args[0]?.op === 'id') {
    wrap(receiver, chargeRange(countNodes(args)));
    meterNode(receiver);
    for (const a of args.slice(1)) meterNode(a);
    return;
  }
  if (receiver?.op === 'id' && receiver.args === 'cel' && name === 'bind' && args[0]?.op === 'id') {
    for (const a of args.slice(1)) meterNode(a);
    return;
  }
  const ops = receiver === null ? args : [receiver, ...args];
  if (name === 'join' && receiver !== null && args.length === 1) {
    // The product is charged when both the list and the separator are known, whichever comes last
    // (cel-js evaluates the arguments last to first, the receiver last), before join runs.
    let length = -1;
    let sep = -1;
    const both = (): void => {
      if (length < 0 || sep < 0) return;
      const product = length * sep;
      length = -1;
      sep = -1;
      meter.charge(product);
    };
    wrap(receiver, (v) => {
      chargeOperand(v);
      length = lengthOf(v);
      both();
    });
    wrap(args[0] as ASTNode, (v) => {
      chargeOperand(v);
      sep = typeof v === 'string' ? v.length : 1;
      both();
    });
  } else if (receiver !== null && args.length === 1 && TIME_ZONE_FUNCTIONS.has(name)) {
    wrap(receiver, chargeOperand);
    wrap(args[0] as ASTNode, (v) => {
      chargeOperand(v);
      meter.charge(TIME_ZONE_STEPS);
    });
  } else for (const o of ops) wrap(o, chargeOperand);
  for (const o of ops) meterNode(o);
}

function meterNode(n: ASTNode): void {
  if (n.op === 'call' || n.op === 'rcall') {
    meterCall(n);
    return;
  }
  if (BINARY.has(n.op)) for (const o of n.args as ASTNode[]) wrap(o, chargeOperand);
  for (const c of children(n)) meterNode(c);
}

/** Installs the meter's charges in a parsed and type-checked rule (once, before it is cached). */
export function meterRule(ast: ASTNode): void {
  meterNode(ast);
}
