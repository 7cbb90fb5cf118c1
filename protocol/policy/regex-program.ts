/**
 * A regex syntax tree (regex-syntax.ts) → a Thompson NFA program for the linear-time matcher (regex.ts).
 *
 * Instructions: CHAR (one code point in a set), SPLIT (try x and y), JMP (go to x), BOL/EOL (start/end of
 * the text), MATCH. Repeats are unrolled (`a{2,4}` is `a a (a (a)?)?` as splits), so a program is bounded:
 * more than MAX_PROGRAM instructions is a RegexError. The matcher's work per text character is at most
 * the program size.
 */
import { type CharSet, inSet, RegexError, type RegexNode } from './regex-syntax.ts';

/** Most NFA instructions one pattern may compile to (bounds the work per text character). */
export const MAX_PROGRAM = 256;

export const CHAR = 0;
export const SPLIT = 1;
export const JMP = 2;
export const BOL = 3;
export const EOL = 4;
export const MATCH = 5;

export interface Inst {
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

  node(n: RegexNode): void {
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

/** The program for `tree`, ending in MATCH. Throws a RegexError when it would exceed MAX_PROGRAM. */
export function compileProgram(tree: RegexNode): Inst[] {
  const c = new Compiler();
  c.node(tree);
  c.emit(MATCH);
  return c.prog;
}
