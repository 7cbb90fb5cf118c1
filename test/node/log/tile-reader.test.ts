import { describe, expect, it } from 'vitest';
import { StoreHashReader } from '../../../node/log/hash-reader.ts';
import { AuditLog } from '../../../node/log/index.ts';
import { leafKey } from '../../../node/log/keys.ts';
import { readTile } from '../../../node/log/tile-reader.ts';
import { leafHash, MemoryTree } from '../../../protocol/log/index.ts';
import { decodeEntryBundle, decodeHashTile, tileStoredHashIndexes } from '../../../protocol/log/tiles.ts';
import { describeStores, items, leafBytes, ORIGIN, signer } from './helpers.ts';

describeStores('readTile', (store) => {
  const code = (c: string) => expect.objectContaining({ code: c });

  describe('readTile', () => {
    describe('when the tile is complete at the committed size', () => {
      it('serves the stored hashes and leaves, equal to an in-memory tree of the same entries', async () => {
        const spec = await store.fresh();
        const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 60_000 });
        await log.start();
        try {
          await log.append(items(0, 300));
          const tree = new MemoryTree();
          for (let i = 0; i < 300; i++) tree.append(leafBytes(i));
          for (const tile of [
            { kind: 'hash', level: 0, n: 0, width: 256 },
            { kind: 'hash', level: 0, n: 1, width: 44 },
            { kind: 'hash', level: 1, n: 0, width: 1 },
          ] as const) {
            const hashes = decodeHashTile(await log.tile(tile), tile.width);
            expect(hashes).toEqual(tree.readHashes(tileStoredHashIndexes(tile)));
          }
          const bundle = decodeEntryBundle(await log.tile({ kind: 'entries', level: 0, n: 1, width: 44 }), 44);
          expect(bundle.map(leafHash)).toEqual(
            tree.readHashes(tileStoredHashIndexes({ kind: 'hash', level: 0, n: 1, width: 44 })),
          );
          expect(bundle[0]).toEqual(await log.entry(256));
        } finally {
          await log.stop();
        }
      });
    });

    describe('when the tile is not complete at the committed size', () => {
      it('throws ERR_NOT_FOUND', async () => {
        const spec = await store.fresh();
        const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 60_000 });
        await log.start();
        try {
          await log.append(items(0, 10));
          await expect(log.tile({ kind: 'hash', level: 0, n: 0, width: 11 })).rejects.toMatchObject(
            code('ERR_NOT_FOUND'),
          );
          await expect(log.tile({ kind: 'entries', level: 0, n: 0, width: 256 })).rejects.toMatchObject(
            code('ERR_NOT_FOUND'),
          );
        } finally {
          await log.stop();
        }
      });
    });

    describe('when the store lacks an entry it should hold', () => {
      it('throws ERR_LOG_CORRUPT rather than serve a short bundle', async () => {
        const spec = await store.fresh();
        const log = new AuditLog({ store: spec, signer, origin: ORIGIN, checkpointIntervalMs: 60_000 });
        await log.start();
        await log.append(items(0, 5));
        await log.stop();
        const db = await store.open(spec);
        try {
          await db.del(leafKey(3));
          await expect(
            readTile(db, new StoreHashReader(db), 5, { kind: 'entries', level: 0, n: 0, width: 5 }),
          ).rejects.toMatchObject(code('ERR_LOG_CORRUPT'));
        } finally {
          await db.close();
        }
      });
    });
  });
});
