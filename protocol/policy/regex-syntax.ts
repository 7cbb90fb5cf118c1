/**
 * The pattern language of CEL `matches()` (see regex.ts for why rules never reach RegExp): a pattern →
 * its syntax tree, or a RegexError with the offset of the problem.
 *
 * The accepted subset is RE2's, minus what cannot run in linear time or is a likely mistake:
 *   literals, `.`, classes `[a-z_]` `[^…]`, escapes `\d \D \w \W \s \S \t \n \r \f \v \\ \.` etc.,
 *   anchors `^` `$` (start/end of the text), groups `(…)` `(?:…)`, alternation `|`,
 *   quantifiers `* + ?` and `{n}` `{n,}` `{n,m}` (n, m <= MAX_REPEAT; a trailing `?` (lazy) is accepted and
 *   means nothing for a yes/no match); a leading `(?i)` is handled by the caller (compileRegex).
 * Anything else — backreferences, lookaround, `\b`, named groups, Unicode classes — is rejected, and so is a
 * quantified group that contains another quantifier or an alternation (`(a+)+`, `(a|aa)*`: the classic
 * ReDoS shapes; harmless to the linear matcher, but they signal a mistake and blow up the program size).
 * Character sets are ranges of Unicode code points.
 */
import { GovfedError } from '../errors.ts';

/** Largest n or m in `{n}`, `{n,}`, `{n,m}`. */
export const MAX_REPEAT = 100;

/** Thrown for a pattern outside the subset or unsafe; `offset` is the UTF-16 offset in the pattern. */
export class RegexError extends GovfedError<'ERR_INVALID_RULE'> {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super('ERR_INVALID_RULE', message);
    this.offset = offset;
  }
}

export type Range = readonly [number, number];

export interface CharSet {
  ranges: Range[];
  negated: boolean;
}

/** The parsed pattern; `at` on a repeat is its offset in the pattern, for errors. */
export type RegexNode =
  | { t: 'char'; set: CharSet }
  | { t: 'bol' }
  | { t: 'eol' }
  | { t: 'empty' }
  | { t: 'cat'; items: RegexNode[] }
  | { t: 'alt'; alts: RegexNode[] }
  | { t: 'group'; node: RegexNode }
  | { t: 'rep'; node: RegexNode; min: number; max: number; at: number };

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

  parse(): RegexNode {
    const node = this.#alt();
    if (this.#i < this.#p.length) this.fail(`unexpected "${this.#peek()}"`);
    return node;
  }

  #alt(): RegexNode {
    const alts = [this.#cat()];
    while (this.#peek() === '|') {
      this.#i++;
      alts.push(this.#cat());
    }
    return alts.length === 1 ? (alts[0] as RegexNode) : { t: 'alt', alts };
  }

  #cat(): RegexNode {
    const items: RegexNode[] = [];
    for (let c = this.#peek(); c !== undefined && c !== '|' && c !== ')'; c = this.#peek()) {
      items.push(this.#repeat(this.#atom()));
    }
    return items.length === 0 ? { t: 'empty' } : items.length === 1 ? (items[0] as RegexNode) : { t: 'cat', items };
  }

  #repeat(node: RegexNode): RegexNode {
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

  #atom(): RegexNode {
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

function hasQuantifierOrAlternation(n: RegexNode): boolean {
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

/** True when code point `cp` is in `set`. */
export function inSet(set: CharSet, cp: number): boolean {
  let hit = false;
  for (const [lo, hi] of set.ranges) {
    if (cp >= lo && cp <= hi) {
      hit = true;
      break;
    }
  }
  return hit !== set.negated;
}

/**
 * The syntax tree of `pattern` (attacker-controlled: it comes from a rule), read from UTF-16 offset
 * `start` (4 after a leading `(?i)`). Throws a RegexError (ERR_INVALID_RULE) with the offset of the problem.
 */
export function parseRegex(pattern: string, start = 0): RegexNode {
  return new Parser(pattern, start).parse();
}
