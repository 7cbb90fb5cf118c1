import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditLogOptions, HighWaterMark, type LogStoreSpec } from '../../../node/log/index.ts';
import { checkpointKey } from '../../../node/log/keys.ts';
import { fromBase64 } from '../../../protocol/encoding/bytes.ts';
import { MemoryTree } from '../../../protocol/log/index.ts';
import {
  copyInto,
  describeStores,
  items,
  leafBytes,
  ORIGIN,
  type StoreFixture,
  signer,
  storedMark,
  tempDir,
} from './helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const HOUR = 3_600_000;

function rootOf(n: number): Uint8Array {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafBytes(i));
  return t.root();
}

async function readMark(file: string): Promise<{ size: number; rootHash: Uint8Array; origin: string }> {
  const v = JSON.parse(await readFile(file, 'utf8'));
  return { ...v, rootHash: fromBase64(v.rootHash) };
}

/** SQL on a PostgreSQL fixture's schema `s` (the placeholder {t} is the schema's high_water table). */
async function onMarkTable(store: StoreFixture, spec: LogStoreSpec, sql: string, params: unknown[] = []) {
  if (spec.driver !== 'postgres' || store.server === undefined) throw new Error('postgres only');
  await store
    .server()
    .sql(sql.replaceAll('{t}', `"${spec.schema}".high_water`), params, new URL(spec.url).pathname.slice(1));
}

async function home(store?: StoreFixture) {
  const root = await tempDir();
  const opts: AuditLogOptions = {
    store: store === undefined ? { driver: 'leveldb', dir: join(root, 'data') } : await store.fresh(),
    highWaterFile: join(root, 'high-water.json'),
    signer,
    origin: ORIGIN,
    checkpointIntervalMs: HOUR,
  };
  return { root, opts, file: opts.highWaterFile as string };
}

describe('HighWaterMark', () => {
  describe('when raised', () => {
    it('writes the size and root, never lowers them, and refuses another root for the same size', async () => {
      const { file } = await home();
      const m = new HighWaterMark(file, ORIGIN);
      expect(await m.load()).toBeUndefined();
      await m.raise({ size: 4, rootHash: rootOf(4) });
      expect(await readMark(file)).toMatchObject({ size: 4, rootHash: rootOf(4), origin: ORIGIN });
      await expect(m.raise({ size: 4, rootHash: rootOf(5) })).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      await expect(m.raise({ size: 3, rootHash: rootOf(3) })).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      await m.raise({ size: 4, rootHash: rootOf(4) }); // the same state again: nothing to do
      expect((await readMark(file)).size).toBe(4);
    });
  });

  describe('when the file is broken or for another origin', () => {
    it('refuses with ERR_INVALID_CONFIG', async () => {
      const { file } = await home();
      await writeFile(file, '{"version":1,');
      await expect(new HighWaterMark(file, ORIGIN).load()).rejects.toThrow(code('ERR_INVALID_CONFIG'));
      await writeFile(file, JSON.stringify({ version: 1, origin: 'other/x', size: 1, rootHash: 'AA==' }));
      await expect(new HighWaterMark(file, ORIGIN).load()).rejects.toThrow(code('ERR_INVALID_CONFIG'));
    });
  });
});

describeStores(
  'AuditLog with a high-water mark',
  (store) => {
    describe('when a checkpoint is signed', () => {
      it('raises the mark to it before storing it', async () => {
        const { opts, file } = await home(store);
        const log = new AuditLog(opts);
        await log.start();
        await log.append(items(0, 5));
        const cp = await log.checkpointNow();
        expect(await storedMark(store, opts.store as LogStoreSpec, opts.highWaterFile as string)).toMatchObject({
          size: 5,
          rootHash: cp.rootHash,
        });
        if (store.driver === 'postgres') await expect(readFile(file)).rejects.toThrow(); // no file: the row
        await log.stop();
      });

      it('does not store or serve the checkpoint when the mark cannot be written, and says so', async () => {
        const { root } = await home(store);
        const markDir = join(root, 'marks');
        await mkdir(markDir);
        const spec = await store.fresh();
        const log = new AuditLog({
          store: spec,
          highWaterFile: join(markDir, 'high-water.json'),
          signer,
          origin: ORIGIN,
          checkpointIntervalMs: HOUR,
        });
        await log.start();
        await log.append(items(0, 3));
        if (spec.driver === 'leveldb')
          await rm(markDir, { recursive: true }); // the mark's directory is gone
        else await onMarkTable(store, spec, 'ALTER TABLE {t} RENAME TO high_water_gone'); // the row cannot be written
        await expect(log.checkpointNow()).rejects.toThrow();
        expect(log.checkpoint().size).toBe(0);
        expect(log.health().checkpointError).toBeDefined();
        expect(log.metrics().checkpointFailing).toBe(1);
        const db = await (async () => {
          await log.stop().catch(() => {});
          return store.open(spec);
        })();
        expect(await db.get(checkpointKey(3))).toBeUndefined();
        await db.close();
      });
    });

    describe('when an existing home has no mark file', () => {
      it('creates it at start from the last stored checkpoint', async () => {
        const { opts } = await home(store);
        const before = new AuditLog({ ...opts, highWaterFile: undefined });
        await before.start();
        await before.append(items(0, 7));
        await before.stop(); // signs the final checkpoint (size 7)
        // PostgreSQL always keeps its row: without it the schema is one from before migration 3.
        if (store.driver === 'postgres') await onMarkTable(store, opts.store as LogStoreSpec, 'DELETE FROM {t}');
        const log = new AuditLog(opts);
        await log.start();
        expect(await storedMark(store, opts.store as LogStoreSpec, opts.highWaterFile as string)).toMatchObject({
          size: 7,
          rootHash: rootOf(7),
        });
        await log.stop();
      });
    });

    describe('when the data directory is restored from an older copy', () => {
      it('refuses to start with ERR_LOG_ROLLBACK (old code: started and reused indices)', async () => {
        const { opts } = await home(store);
        const backup = await store.fresh();
        const log = new AuditLog(opts);
        await log.start();
        await log.append(items(0, 4));
        await log.stop();
        await copyInto(store, opts.store as LogStoreSpec, backup);
        const again = new AuditLog(opts);
        await again.start();
        await again.append(items(4, 6));
        await again.stop(); // signed 10
        await copyInto(store, backup, opts.store as LogStoreSpec); // the store restored from the older copy
        const restored = new AuditLog(opts);
        const err = await restored.start().catch((e: unknown) => e);
        expect(err).toEqual(code('ERR_LOG_ROLLBACK'));
        expect((err as Error).message).toMatch(/holds 4 entries.*10 entries.*restoring the data directory/s);
      });

      it('refuses when the log at the mark size has another root', async () => {
        const { opts, file } = await home(store);
        const log = new AuditLog(opts);
        await log.start();
        await log.append(items(0, 4));
        await log.stop();
        const other = await storedMark(store, opts.store as LogStoreSpec, opts.highWaterFile as string);
        expect(other?.size).toBe(4);
        if (store.driver === 'leveldb') {
          const forged = { version: 1, origin: ORIGIN, size: 4, rootHash: Buffer.from(rootOf(3)).toString('base64') };
          await writeFile(file, JSON.stringify(forged));
        } else {
          await onMarkTable(store, opts.store as LogStoreSpec, 'UPDATE {t} SET root_hash = $1', [
            Buffer.from(rootOf(3)),
          ]);
        }
        await expect(new AuditLog(opts).start()).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      });
    });
  },
  { shared: true },
);
