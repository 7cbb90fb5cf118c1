/**
 * Regular expressions for CEL `matches()`, run in linear time.
 *
 * JavaScript's RegExp backtracks: `^(a+)+$` takes seconds on 27 characters, and even `a*b` or `a+$` take
 * seconds on a 64 KiB string (every start position times every split). A policy rule must not be able to
 * stall every node's ingest, so rules never reach RegExp. Instead a pattern is
 *   1. parsed (regex-syntax.ts) into a small RE2-style subset (CEL's `matches` is specified with RE2 syntax):
 *        literals, `.`, classes `[a-z_]` `[^…]`, escapes `\d \D \w \W \s \S \t \n \r \f \v \\ \.` etc.,
 *        anchors `^` `$` (start/end of the text), groups `(…)` `(?:…)`, alternation `|`,
 *        quantifiers `* + ?` and `{n}` `{n,}` `{n,m}` (n, m <= MAX_REPEAT; a trailing `?` (lazy) is
 *        accepted and means nothing for a yes/no match), and a leading `(?i)` for case-insensitive;
 *      anything else — backreferences, lookaround, `\b`, named groups, Unicode classes — is rejected;
 *   2. rejected when it has a quantified group that contains another quantifier or an alternation
 *      (`(a+)+`, `(a|aa)*`: the classic ReDoS shapes; harmless here, but they signal a mistake and
 *      blow up the program size), or when it compiles to more than MAX_PROGRAM instructions;
 *   3. compiled (regex-program.ts) to a Thompson NFA and matched here by simulating all threads at once
 *      (Pike VM without captures): O(text length × program size), no backtracking, whatever the pattern.
 * Matching is a search (the pattern may match anywhere, like RE2's PartialMatch), over Unicode code points.
 */
import { BOL, compileProgram, EOL, type Inst, JMP, MATCH, SPLIT } from './regex-program.ts';
import { type CharSet, inSet, parseRegex, RegexError } from './regex-syntax.ts';

export { MAX_PROGRAM } from './regex-program.ts';
export { MAX_REPEAT, RegexError } from './regex-syntax.ts';

/** Longest accepted pattern, in UTF-16 code units. */
export const MAX_PATTERN_CHARS = 256;

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
  return new SafeRegex(pattern, compileProgram(parseRegex(pattern, ignoreCase ? 4 : 0)), ignoreCase);
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
