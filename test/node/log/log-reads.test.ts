import { describe, expect, it } from 'vitest';
import { StoreHashReader } from '../../../node/log/hash-reader.ts';
import { AuditLog } from '../../../node/log/index.ts';
import {
  type CommittedView,
  consistencyProof,
  inclusionProof,
  lookupDecision,
  lookupGovernance,
  lookupLeafHash,
  readEntry,
  readRecord,
  rootAt,
} from '../../../node/log/log-reads.ts';
import { leafHash, MemoryTree, verifyConsistency, verifyInclusion } from '../../../protocol/log/index.ts';
import { describeStores, items, leafBytes, ORIGIN, recordBytes, signer } from './helpers.ts';

describeStores(
  'the log reads',
  (store) => {
    const code = (c: string) => expect.objectContaining({ code: c });

    /** A store of `n` entries written by a real AuditLog, then opened again read-only as a view of `size`. */
    async function storeOf(n: number, size = n): Promise<{ view: CommittedView; close: () => Promise<void> }> {
      const spec = await store.fresh();
      const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 3_600_000 });
      await log.start();
      await log.append(items(0, n));
      await log.stop();
      const db = await store.open(spec, { mustExist: true });
      return { view: { db, reader: new StoreHashReader(db), size }, close: () => db.close() };
    }

    describe('readEntry and readRecord', () => {
      describe('when the index is in the view', () => {
        it('gives the stored leaf and record bytes', async () => {
          const { view, close } = await storeOf(5);
          expect(await readEntry(view, 3)).toEqual(leafBytes(3));
          expect(await readRecord(view, 3)).toEqual(recordBytes(3));
          await close();
        });
      });

      describe('when the index is past the view size, even if stored', () => {
        it('throws ERR_NOT_FOUND (nothing beyond the committed size is read)', async () => {
          const { view, close } = await storeOf(5, 4);
          await expect(readEntry(view, 4)).rejects.toThrow(code('ERR_NOT_FOUND'));
          await expect(readRecord(view, 4)).rejects.toThrow(code('ERR_NOT_FOUND'));
          await expect(readEntry(view, -1)).rejects.toThrow(code('ERR_INDEX_OUT_OF_RANGE'));
          await close();
        });
      });
    });

    describe('lookupLeafHash, lookupDecision and lookupGovernance', () => {
      describe('when the key is stored', () => {
        it('gives its index, and undefined for an unknown key', async () => {
          const { view, close } = await storeOf(6);
          expect(await lookupLeafHash(view, leafHash(leafBytes(4)))).toBe(4);
          expect(await lookupDecision(view, 'd-2')).toBe(2);
          expect(await lookupDecision(view, 'd-99')).toBeUndefined();
          expect(await lookupGovernance(view, 'federation.charter')).toBeUndefined();
          await close();
        });
      });

      describe('when the argument is malformed (from an API client)', () => {
        it('throws ERR_INVALID_INPUT', async () => {
          const { view, close } = await storeOf(1);
          await expect(lookupLeafHash(view, new Uint8Array(31))).rejects.toThrow(code('ERR_INVALID_INPUT'));
          await expect(lookupDecision(view, '')).rejects.toThrow(code('ERR_INVALID_INPUT'));
          await expect(lookupGovernance(view, 'k'.repeat(65))).rejects.toThrow(code('ERR_INVALID_INPUT'));
          await close();
        });
      });
    });

    describe('rootAt, inclusionProof and consistencyProof', () => {
      describe('when the sizes are in the view', () => {
        it('agree with an in-memory tree of the same leaves', async () => {
          const { view, close } = await storeOf(13);
          const tree = new MemoryTree();
          for (let i = 0; i < 13; i++) tree.append(leafBytes(i));
          const root = await rootAt(view, 13);
          expect(root).toEqual(tree.root());
          verifyInclusion(7, 13, leafHash(leafBytes(7)), await inclusionProof(view, 7, 13), root);
          verifyConsistency(5, 13, await consistencyProof(view, 5, 13), await rootAt(view, 5), root);
          await close();
        });
      });

      describe('when a size is past the view', () => {
        it('throws ERR_INVALID_TREE_SIZE', async () => {
          const { view, close } = await storeOf(4);
          await expect(rootAt(view, 5)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await expect(inclusionProof(view, 0, 5)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await expect(consistencyProof(view, 4, 3)).rejects.toThrow(code('ERR_INVALID_TREE_SIZE'));
          await close();
        });
      });
    });
  },
  { shared: true },
);
