import { describe, expect, it } from 'vitest';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import * as log from '../../../protocol/log/index.ts';

describe('protocol/log public API', () => {
  describe('when imported from index.ts', () => {
    it('exports the names other modules code against', () => {
      expect(log.HASH_SIZE).toBe(32);
      expect(log.EMPTY_ROOT).toHaveLength(32);
      expect(log.MAX_TREE_SIZE).toBe(2 ** 52);
      for (const fn of [
        log.leafHash,
        log.nodeHash,
        log.assertHash,
        log.readStoredHashes,
        log.storedHashIndex,
        log.splitStoredHashIndex,
        log.storedHashCount,
        log.storedHashesForLeafHash,
        log.treeHash,
        log.proveInclusion,
        log.rootFromInclusionProof,
        log.verifyInclusion,
        log.proveConsistency,
        log.verifyConsistency,
      ]) {
        expect(typeof fn).toBe('function');
      }
    });

    it('works end to end: append, prove, verify', async () => {
      const tree = new log.MemoryTree();
      for (let i = 0; i < 10; i++) tree.append(utf8(`entry ${i}`));
      const frontier = await log.Frontier.load(tree.size, tree);
      expect(frontier.root()).toEqual(tree.root());
      const proof = await log.proveInclusion(7, 10, tree);
      expect(() => log.verifyInclusion(7, 10, log.leafHash(utf8('entry 7')), proof, tree.root())).not.toThrow();
      const old = await log.treeHash(4, tree);
      const cproof = await log.proveConsistency(4, 10, tree);
      expect(() => log.verifyConsistency(4, 10, cproof, old, tree.root())).not.toThrow();
    });
  });
});
