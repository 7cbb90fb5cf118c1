import { describe, expect, it } from 'vitest';
import { CHAR, compileProgram, JMP, MATCH, MAX_PROGRAM, SPLIT } from '../../../protocol/policy/regex-program.ts';
import { parseRegex } from '../../../protocol/policy/regex-syntax.ts';

describe('compileProgram', () => {
  describe('when the tree is small', () => {
    it('ends in MATCH', () => {
      expect(compileProgram(parseRegex('ab')).map((i) => i.op)).toEqual([CHAR, CHAR, MATCH]);
    });

    it('compiles a star to split, body, jump back', () => {
      const prog = compileProgram(parseRegex('a*'));
      expect(prog.map((i) => i.op)).toEqual([SPLIT, CHAR, JMP, MATCH]);
      expect(prog[0]).toEqual(expect.objectContaining({ x: 1, y: 3 }));
      expect(prog[2]).toEqual(expect.objectContaining({ x: 0 }));
    });

    it('unrolls a bounded repeat', () => {
      expect(compileProgram(parseRegex('a{2,3}')).map((i) => i.op)).toEqual([CHAR, CHAR, SPLIT, CHAR, MATCH]);
    });
  });

  describe('when the program would exceed MAX_PROGRAM instructions', () => {
    it('throws ERR_INVALID_RULE', () => {
      const tree = parseRegex('[a-z]{100}[a-z]{100}[a-z]{100}');
      expect(() => compileProgram(tree)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RULE' }));
      expect(compileProgram(parseRegex(`a{${MAX_PROGRAM / 4}}`)).length).toBe(MAX_PROGRAM / 4 + 1);
    });
  });
});
