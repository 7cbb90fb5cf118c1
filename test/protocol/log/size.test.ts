import { describe, expect, it } from 'vitest';
import { assertLeafIndex, assertStoredTreeSize, assertTreeSize, MAX_TREE_SIZE } from '../../../protocol/log/size.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const notSafe = [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3', 3n, null, undefined];

describe('assertTreeSize', () => {
  describe('when the size is a safe non-negative integer', () => {
    it('accepts it', () => {
      for (const n of [0, 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) expect(() => assertTreeSize(n)).not.toThrow();
    });
  });
  describe('when the size is not', () => {
    it('throws ERR_INVALID_TREE_SIZE', () => {
      for (const n of notSafe) expect(() => assertTreeSize(n)).toThrow(code('ERR_INVALID_TREE_SIZE'));
    });
  });
});

describe('assertStoredTreeSize', () => {
  describe('when the size is above MAX_TREE_SIZE', () => {
    it('throws ERR_INVALID_TREE_SIZE', () => {
      expect(MAX_TREE_SIZE).toBe(2 ** 52);
      expect(() => assertStoredTreeSize(MAX_TREE_SIZE)).not.toThrow();
      expect(() => assertStoredTreeSize(MAX_TREE_SIZE + 1)).toThrow(code('ERR_INVALID_TREE_SIZE'));
    });
  });
});

describe('assertLeafIndex', () => {
  describe('when 0 <= index < size', () => {
    it('accepts it', () => {
      expect(() => assertLeafIndex(0, 1)).not.toThrow();
      expect(() => assertLeafIndex(Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).not.toThrow();
    });
  });
  describe('when the index is out of range or not a safe integer', () => {
    it('throws ERR_INDEX_OUT_OF_RANGE', () => {
      expect(() => assertLeafIndex(0, 0)).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      expect(() => assertLeafIndex(5, 5)).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
      for (const n of notSafe) expect(() => assertLeafIndex(n, 10)).toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
    });
  });
});
