/**
 * Regular expressions for CEL `matches()`, run in linear time.
 *
 * JavaScript's RegExp backtracks: `^(a+)+$` takes seconds on 27 characters, and even `a*b` or `a+$` take
 * seconds on a 64 KiB string (every start position times every split). A policy rule must not be able to
 * stall every node's ingest, so rules never reach RegExp. Instead a pattern is
 *   1. parsed here into a small RE2-style subset (CEL's `matches` is specified with RE2 syntax):
 *        literals, `.`, classes `[a-z_]` `[^…]`, escapes `\d \D \w \W \s \S \t \n \r \f \v \\ \.` etc.,
 *        anchors `^` `$` (start/end of the text), groups `(…)` `(?:…)`, alternation `|`,
 *        quantifiers `* + ?` and `{n}` `{n,}` `{n,m}` (n, m <= MAX_REPEAT; a trailing `?` (lazy) is
 *        accepted and means nothing for a yes/no match), and a leading `(?i)` for case-insensitive;
 *      anything else — backreferences, lookaround, `\b`, named groups, Unicode classes — is rejected;
 *   2. rejected when it has a quantified group that contains another quantifier or an alternation
 *      (`(a+)+`, `(a|aa)*`: the classic ReDoS shapes; harmless here, but they signal a mistake and
 *      blow up the program size), or when it compiles to more than MAX_PROGRAM instructions;
 *   3. compiled to a Thompson NFA and matched by simulating all threads at once (Pike VM without
 *      captures): O(text length × program size), no backtracking, whatever the pattern.
 * Matching is a search (the pattern may match anywhere, like RE2's PartialMatch), over Unicode code points.
 */
import { GovfedError } from '../errors.ts';

/** Longest accepted pattern, in UTF-16 code units. */
export const MAX_PATTERN_CHARS = 256;
/** Largest n or m in `{n}`, `{n,}`, `{n,m}`. */
export const MAX_REPEAT = 100;
/** Most NFA instructions one pattern may compile to (bounds the work per text character). */
export const MAX_PROGRAM = 256;

/** Thrown for a pattern outside the subset or unsafe; `offset` is the UTF-16 offset in the pattern. */
export class RegexError extends GovfedError<'ERR_INVALID_RULE'> {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('ERR_INVALID_RULE', message);
    this.offset = offset;
  }
}

type Range = readonly [number, number];

interface CharSet {
  ranges: Range[];
  negated: boolean;
}

type Node =
  | { t: 'char'; set: CharSet }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'empty' }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'group'; node: Node }
  | { t: 'rep'; node: Node; min: number; max: number; at: number };

const DIGIT: Range[] = [[0x30, 0x39]];
const WORD: Range[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: Range[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
const MAX_CP = 0x10ffff;

function complement(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, v: 0x0b };
const CLASS_ESCAPES: Record<string, Range[]> = {
  d: DIGIT,
  D: complement(DIGIT),
  w: WORD,
  W: complement(WORD),
  s: SPACE,
  S: complement(SPACE),
};
/** Punctuation that may be escaped to stand for itself (RE2 allows any ASCII punctuation). */
const PUNCT = /^[!-/:-@[-`{-~]$/;

class Parser {
  readonly #p: string;
  #i: number;
  constructor(pattern: string, start: number) {
    this.#p = pattern;
    this.#i = start;
  }

  fail(message: string, at = this.#i): never {
    throw new RegexError(`${message} at pattern offset ${at}`, at);
  }

  #peek(): string | undefined {
    return this.#p[this.#i];
  }

  /** The next code point as a string (one or two UTF-16 units), consumed. */
  #take(): string {
    const cp = this.#p.codePointAt(this.#i);
    if (cp === undefined) this.fail('unexpected end of pattern');
    const s = String.fromCodePoint(cp);
    this.#i += s.length;
    return s;
  }

  parse(): Node {
    const node = this.#alt();
    if (this.#i < this.#p.length) this.fail(`unexpected "${this.#peek()}"`);
    return node;
  }

  #alt(): Node {
    const alts = [this.#cat()];
    while (this.#peek() === '|') {
      this.#i++;
      alts.push(this.#cat());
    }
    return alts.length === 1 ? (alts[0] as Node) : { t: 'alt', alts };
  }

  #cat(): Node {
    const items: Node[] = [];
    for (let c = this.#peek(); c !== undefined && c !== '|' && c !== ')'; c = this.#peek()) {
      items.push(this.#repeat(this.#atom()));
    }
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? (items[0] as Node) : { t: 'cat', items };
  }

  #repeat(node: Node): Node {
    const at = this.#i;
    const c = this.#peek();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.#p.slice(this.#i))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#p.slice(this.#i)) as RegExpExecArray;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT) || max < min) {
        this.fail(`bad repeat count (0..${MAX_REPEAT}, n <= m)`);
      }
      this.#i += m[0].length - 1;
    } else return node;
    this.#i++;
    if (this.#peek() === '?') this.#i++; // lazy: same yes/no answer
    if (node.t === 'bol' || node.t === 'eol' || node.t === 'empty') this.fail('nothing to repeat', at);
    if (this.#peek() === '*' || this.#peek() === '+' || this.#peek() === '?' || this.#peek() === '{') {
      this.fail('a quantifier directly after a quantifier');
    }
    if (node.t === 'group' && hasQuantifierOrAlternation(node.node)) {
      this.fail('nested quantifier: a repeated group may not contain a quantifier or "|" (e.g. (a+)+)', at);
    }
    return { t: 'rep', node, min, max, at };
  }

  #atom(): Node {
    const at = this.#i;
    const c = this.#take();
    switch (c) {
      case '^':
        return { t: 'bol' };
      case '$':
        return { t: 'eol' };
      case '.':
        return { t: 'char', set: { ranges: [[0x0a, 0x0a]], negated: true } };
      case '[':
        return { t: 'char', set: this.#class() };
      case '(': {
        if (this.#peek() === '?') {
          if (this.#p.startsWith('?:', this.#i)) this.#i += 2;
          else this.fail('unsupported group syntax (only (…) and (?:…); lookaround is not allowed)', at);
        }
        const node = this.#alt();
        if (this.#peek() !== ')') this.fail('missing ")"', at);
        this.#i++;
        return { t: 'group', node };
      }
      case ')':
        return this.fail('unmatched ")"', at);
      case '*':
      case '+':
      case '?':
        return this.fail('nothing to repeat', at);
      case '{':
        return this.fail('"{" must be escaped when it is not a repeat count', at);
      case '\\':
        return { t: 'char', set: this.#escape() };
      default:
        return { t: 'char', set: single(c.codePointAt(0) as number) };
    }
  }

  /** After a backslash (in or out of a class). */
  #escape(): CharSet {
    const at = this.#i - 1;
    const c = this.#take();
    const cls = CLASS_ESCAPES[c];
    if (cls !== undefined) return { ranges: cls, negated: false };
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return single(simple);
    if (c === 'x') {
      const m = /^[0-9A-Fa-f]{2}/.exec(this.#p.slice(this.#i));
      if (m === null) this.fail('\\x needs two hex digits', at);
      this.#i += 2;
      return single(Number.parseInt(m[0], 16));
    }
    if (PUNCT.test(c)) return single(c.codePointAt(0) as number);
    if (c >= '1' && c <= '9') return this.fail('backreferences are not allowed', at);
    return this.fail(`unsupported escape "\\${c}"`, at);
  }

  #class(): CharSet {
    const open = this.#i - 1;
    let negated = false;
    if (this.#peek() === '^') {
      negated = true;
      this.#i++;
    }
    const ranges: Range[] = [];
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) this.fail('missing "]"', open);
      if (c === ']' && !first) {
        this.#i++;
        break;
      }
      first = false;
      if (c === '[' && this.#p[this.#i + 1] === ':') this.fail('POSIX classes ([:alpha:]) are not supported');
      const lo = this.#classAtom();
      if (
        lo.length !== 1 ||
        this.#peek() !== '-' ||
        this.#p[this.#i + 1] === ']' ||
        this.#p[this.#i + 1] === undefined
      ) {
        ranges.push(...lo);
        continue;
      }
      this.#i++; // '-'
      const at = this.#i;
      const hi = this.#classAtom();
      const a = (lo[0] as Range)[0];
      const b = (hi[0] as Range)[0];
      if (
        hi.length !== 1 ||
        (hi[0] as Range)[0] !== (hi[0] as Range)[1] ||
        (lo[0] as Range)[0] !== (lo[0] as Range)[1]
      ) {
        this.fail('a class escape cannot bound a range', at);
      }
      if (b < a) this.fail('range out of order', at);
      ranges.push([a, b]);
    }
    return { ranges, negated };
  }

  #classAtom(): Range[] {
    const c = this.#take();
    if (c === '\\') {
      const s = this.#escape();
      return s.negated ? complement(s.ranges) : s.ranges;
    }
    const cp = c.codePointAt(0) as number;
    return [[cp, cp]];
  }
}

function single(cp: number): CharSet {
  return { ranges: [[cp, cp]], negated: false };
}

function hasQuantifierOrAlternation(n: Node): boolean {
  switch (n.t) {
    case 'rep':
    case 'alt':
      return true;
    case 'cat':
      return n.items.some(hasQuantifierOrAlternation);
    case 'group':
      return hasQuantifierOrAlternation(n.node);
    default:
      return false;
  }
}

// ---- compilation to a Thompson NFA ----

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const BOL = 3;
const EOL = 4;
const MATCH = 5;

interface Inst {
  op: number;
  /** CHAR: the set, and a lookup table for ASCII code points. */
  set?: CharSet;
  ascii?: Uint8Array;
  /** SPLIT/JMP: targets. */
  x: number;
  y: number;
}

function asciiTable(set: CharSet): Uint8Array {
  const t = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) t[cp] = inSet(set, cp) ? 1 : 0;
  return t;
}

class Compiler {
  readonly prog: Inst[] = [];

  emit(op: number, set?: CharSet): number {
    if (this.prog.length >= MAX_PROGRAM) {
      throw new RegexError(`pattern too complex (more than ${MAX_PROGRAM} instructions)`, 0);
    }
    this.prog.push(set === undefined ? { op, x: 0, y: 0 } : { op, set, ascii: asciiTable(set), x: 0, y: 0 });
    return this.prog.length - 1;
  }

  at(i: number): Inst {
    return this.prog[i] as Inst;
  }

  node(n: Node): void {
    switch (n.t) {
      case 'char':
        this.emit(CHAR, n.set);
        return;
      case 'bol':
        this.emit(BOL);
        return;
      case 'eol':
        this.emit(EOL);
        return;
      case 'empty':
        return;
      case 'group':
        this.node(n.node);
        return;
      case 'cat':
        for (const item of n.items) this.node(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((alt, i) => {
          if (i === n.alts.length - 1) {
            this.node(alt);
            return;
          }
          const split = this.emit(SPLIT);
          this.at(split).x = split + 1;
          this.node(alt);
          jumps.push(this.emit(JMP));
          this.at(split).y = this.prog.length;
        });
        for (const j of jumps) this.at(j).x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let i = 0; i < n.min; i++) this.node(n.node);
        if (n.max === Number.POSITIVE_INFINITY) {
          // L: split body, out; body; jmp L
          const split = this.emit(SPLIT);
          this.at(split).x = split + 1;
          this.node(n.node);
          this.at(this.emit(JMP)).x = split;
          this.at(split).y = this.prog.length;
          return;
        }
        const splits: number[] = [];
        for (let i = n.min; i < n.max; i++) {
          const split = this.emit(SPLIT);
          this.at(split).x = split + 1;
          splits.push(split);
          this.node(n.node);
        }
        for (const s of splits) this.at(s).y = this.prog.length;
        return;
      }
    }
  }
}

function inSet(set: CharSet, cp: number): boolean {
  let hit = false;
  for (const [lo, hi] of set.ranges) {
    if (cp >= lo && cp <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== set.negated;
}

/** A compiled pattern: `test(text)` is true when the pattern matches somewhere in `text`. */
export class SafeRegex {
  readonly source: string;
  readonly #prog: Inst[];
  readonly #ignoreCase: boolean;
  // Sparse-set marks, reused between calls (single-threaded).
  readonly #mark: Uint32Array;
  readonly #stack: Int32Array;
  #gen = 0;

  constructor(source: string, prog: Inst[], ignoreCase: boolean) {
    this.source = source;
    this.#prog = prog;
    this.#ignoreCase = ignoreCase;
    this.#mark = new Uint32Array(prog.length);
    // Each instruction is pushed at most twice per closure (once per incoming edge of a SPLIT).
    this.#stack = new Int32Array(2 * prog.length + 1);
  }

  /** Instructions in the program: `test` does at most (text length + 1) × size steps. */
  get size(): number {
    return this.#prog.length;
  }

  #charMatches(inst: Inst, cp: number): boolean {
    if (cp < 128 && !this.#ignoreCase) return (inst.ascii as Uint8Array)[cp] === 1;
    const set = inst.set as CharSet;
    if (inSet(set, cp)) return true;
    if (!this.#ignoreCase) return false;
    const s = String.fromCodePoint(cp);
    const lower = s.toLowerCase();
    const upper = s.toUpperCase();
    return (
      (lower.length === s.length && inSet(set, lower.codePointAt(0) as number)) ||
      (upper.length === s.length && inSet(set, upper.codePointAt(0) as number))
    );
  }

  /** Adds pc and everything reachable by empty moves to `list`; true when MATCH is reachable. */
  #add(list: number[], pc0: number, atStart: boolean, atEnd: boolean): boolean {
    const stack = this.#stack;
    const mark = this.#mark;
    const gen = this.#gen;
    let top = 0;
    stack[top++] = pc0;
    while (top > 0) {
      const pc = stack[--top] as number;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const inst = this.#prog[pc] as Inst;
      switch (inst.op) {
        case MATCH:
          return true;
        case JMP:
          stack[top++] = inst.x;
          break;
        case SPLIT:
          stack[top++] = inst.y;
          stack[top++] = inst.x;
          break;
        case BOL:
          if (atStart) stack[top++] = pc + 1;
          break;
        case EOL:
          if (atEnd) stack[top++] = pc + 1;
          break;
        default:
          list.push(pc);
      }
    }
    return false;
  }

  #nextGen(): void {
    this.#gen = (this.#gen + 1) >>> 0;
    if (this.#gen === 0) {
      this.#mark.fill(0);
      this.#gen = 1;
    }
  }

  test(text: string): boolean {
    let clist: number[] = [];
    let nlist: number[] = [];
    this.#nextGen();
    let i = 0;
    for (;;) {
      const atEnd = i >= text.length;
      // Unanchored search: a new thread starts at every position.
      if (this.#add(clist, 0, i === 0, atEnd)) return true;
      if (atEnd) return false;
      const cp = text.codePointAt(i) as number;
      const next = i + (cp > 0xffff ? 2 : 1);
      this.#nextGen();
      for (const pc of clist) {
        const inst = this.#prog[pc] as Inst;
        if (this.#charMatches(inst, cp) && this.#add(nlist, pc + 1, false, next >= text.length)) {
          return true;
        }
      }
      [clist, nlist] = [nlist, clist];
      nlist.length = 0;
      i = next;
    }
  }
}

/**
 * Parses, checks and compiles `pattern` (attacker-controlled: it comes from a rule). Throws a RegexError
 * (ERR_INVALID_RULE) with the offset of the problem.
 */
export function compileRegex(pattern: string): SafeRegex {
  if (pattern.length > MAX_PATTERN_CHARS) {
    throw new RegexError(`pattern longer than ${MAX_PATTERN_CHARS} characters`, MAX_PATTERN_CHARS);
  }
  const ignoreCase = pattern.startsWith('(?i)');
  const tree = new Parser(pattern, ignoreCase ? 4 : 0).parse();
  const c = new Compiler();
  c.node(tree);
  c.emit(MATCH);
  return new SafeRegex(pattern, c.prog, ignoreCase);
}

/** Compiled patterns by source, for the evaluator (filled at rule compile time; bounded). */
const CACHE = new Map<string, SafeRegex>();
const MAX_CACHED = 4096;

/** The compiled pattern for `pattern`, compiled (and checked) on first use. Throws a RegexError. */
export function regexFor(pattern: string): SafeRegex {
  let re = CACHE.get(pattern);
  if (re === undefined) {
    re = compileRegex(pattern);
    if (CACHE.size >= MAX_CACHED) CACHE.clear();
    CACHE.set(pattern, re);
  }
  return re;
}
