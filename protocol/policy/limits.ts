/**
 * Cost limits: what a rule may do, checked on its parsed CEL tree at publish time.
 *
 * CEL has no loops or recursion, so a rule's work is bounded by its size and by its input; these caps
 * keep both small and make the bound explicit:
 *   - expression text <= MAX_EXPRESSION_CHARS (rule.ts); AST nodes <= MAX_AST_NODES; nesting depth
 *     <= MAX_AST_DEPTH (a chain of `&&` or `||` counts as one level, so long lists of conditions are fine);
 *   - comprehensions (`all`, `exists`, `exists_one`, `map`, `filter`) may not nest inside each other's
 *     bodies (MAX_COMPREHENSION_NESTING = 1);
 *   - the work itself — including values built on the way (`s + s`, repeated through `cel.bind`, `map`
 *     results) — is bounded by cost.ts's worst-case estimate and budget.ts's limits, checked after
 *     type-checking (compile.ts), and metered at run time (meter.ts);
 *   - regular expressions: JavaScript's RegExp backtracks (`^(a+)+$` takes seconds on 27 characters,
 *     `a*b` seconds on 64 KiB). Rules never reach it. The choice here is REPLACE, plus reject:
 *     `matches()` must have a string-literal pattern, which is parsed and checked at publish time by
 *     regex.ts (RE2 subset; nested quantifiers like `(a+)+` and `(a|a)*`, backreferences and lookaround
 *     rejected; <= 256 chars) and then runs on regex.ts's linear-time matcher, never on RegExp: compile.ts
 *     rewrites each `.matches(` call to the environment's `__match` function, which uses it.
 * Other string functions (contains, startsWith, endsWith, indexOf, split, substring, size) are linear in
 * their input, `join(sep)` in its result. Every violation is reported with its offset in the expression.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { SAFE_MATCH_FUNCTION } from './hooks.ts';
import { compileRegex, RegexError } from './regex.ts';

export const MAX_AST_NODES = 256;
export const MAX_AST_DEPTH = 32;
export const MAX_COMPREHENSION_NESTING = 1;

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** A limit a rule breaks, at `offset` (UTF-16) in its expression. */
export class LimitError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

/** A `.matches(<literal>)` call: where its method name sits in the expression. */
export interface MatchCall {
  /** Offset of the `matches` identifier. */
  nameOffset: number;
  pattern: string;
}

function isNode(v: unknown): v is ASTNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'op' in v && 'start' in v;
}

function children(n: ASTNode): ASTNode[] {
  const out: ASTNode[] = [];
  const visit = (v: unknown): void => {
    if (isNode(v)) out.push(v);
    else if (Array.isArray(v)) for (const x of v) visit(x);
  };
  if (n.op !== 'value' && n.op !== 'id') visit(n.args);
  return out;
}

/** The offset of the method name of an rcall `recv.name(args…)`, found between receiver and '('. */
function methodNameOffset(source: string, n: ASTNode & { op: 'rcall' }, name: string): number {
  const [, receiver, args] = n.args;
  const from = receiver.end;
  const to = args[0] !== undefined ? args[0].start : n.end;
  const paren = source.lastIndexOf('(', to);
  const at = source.lastIndexOf(name, paren);
  if (at < from || !/^\s*$/.test(source.slice(at + name.length, paren))) {
    throw new LimitError(`write ${name}() without comments between the name and "("`, n.start);
  }
  return at;
}

/**
 * Checks the limits above on a parsed rule (`source` is its expression) and returns its `matches`
 * calls, each pattern already checked. Throws LimitError at the offending place.
 */
export function checkLimits(ast: ASTNode, source: string): MatchCall[] {
  let nodes = 0;
  const matches: MatchCall[] = [];
  const walk = (n: ASTNode, depth: number, nesting: number, parentOp: string | null): void => {
    nodes++;
    if (nodes > MAX_AST_NODES) throw new LimitError(`more than ${MAX_AST_NODES} AST nodes: too complex`, n.start);
    const d = (n.op === '&&' || n.op === '||') && n.op === parentOp ? depth : depth + 1;
    if (d > MAX_AST_DEPTH) throw new LimitError(`nested deeper than ${MAX_AST_DEPTH} levels: too complex`, n.start);
    if (n.op === 'call' || n.op === 'rcall') {
      const name = n.args[0];
      if (name === SAFE_MATCH_FUNCTION) throw new LimitError(`unknown function '${name}'`, n.start);
      if (n.op === 'rcall' && name === 'matches') {
        const pattern = n.args[2][0];
        if (
          n.args[2].length !== 1 ||
          pattern === undefined ||
          pattern.op !== 'value' ||
          typeof pattern.args !== 'string'
        ) {
          throw new LimitError('matches() needs a string literal pattern (it is checked at publish time)', n.start);
        }
        try {
          compileRegex(pattern.args);
        } catch (err) {
          if (err instanceof RegexError)
            throw new LimitError(`unsafe regular expression: ${err.message}`, pattern.start);
          throw err;
        }
        matches.push({ nameOffset: methodNameOffset(source, n, 'matches'), pattern: pattern.args });
      }
      if (n.op === 'rcall' && COMPREHENSIONS.has(name) && n.args[2][0]?.op === 'id') {
        if (nesting >= MAX_COMPREHENSION_NESTING) {
          throw new LimitError(`${name}() inside another comprehension's body: too costly`, n.start);
        }
        walk(n.args[1], d, nesting, n.op); // the range is not nested
        for (const a of n.args[2]) walk(a, d, nesting + 1, n.op);
        return;
      }
    }
    for (const c of children(n)) walk(c, d, nesting, n.op);
  };
  walk(ast, 0, 0, null);
  return matches;
}
