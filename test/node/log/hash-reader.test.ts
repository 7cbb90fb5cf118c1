import { describe, expect, it } from 'vitest';
import { StoreHashReader } from '../../../node/log/hash-reader.ts';
import { hashKey } from '../../../node/log/keys.ts';
import { readStoredHashes } from '../../../protocol/log/index.ts';
import { describeStores } from './helpers.ts';

describeStores('StoreHashReader', (store) => {
  describe('StoreHashReader.readHashes', () => {
    describe('when the hashes are stored', () => {
      it('returns them in the requested order', async () => {
        const db = await store.open(await store.fresh());
        await db.put(hashKey(1), new Uint8Array(32).fill(1));
        await db.put(hashKey(300), new Uint8Array(32).fill(3));
        const got = await readStoredHashes(new StoreHashReader(db), [300, 1]);
        expect(got.map((h) => h[0])).toEqual([3, 1]);
        await db.close();
      });
    });

    describe('when a hash is missing', () => {
      it('makes protocol/log throw ERR_MISSING_HASH', async () => {
        const db = await store.open(await store.fresh());
        await db.put(hashKey(1), new Uint8Array(32).fill(1));
        await expect(readStoredHashes(new StoreHashReader(db), [1, 2])).rejects.toThrow(
          expect.objectContaining({ code: 'ERR_MISSING_HASH' }),
        );
        await db.close();
      });
    });
  });
});
