import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditLogOptions, type LogStoreSpec } from '../../../node/log/index.ts';
import { MemoryTree } from '../../../protocol/log/index.ts';
import {
  type DiskMode,
  describeStores,
  faultyDb,
  items,
  leafBytes,
  ORIGIN,
  signer,
  storedMark,
  tempDir,
  until,
} from './helpers.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const HOUR = 3_600_000;

function rootOf(n: number): Uint8Array {
  const t = new MemoryTree();
  for (let i = 0; i < n; i++) t.append(leafBytes(i));
  return t.root();
}

describeStores('AuditLog recovery', (store) => {
  async function setUp(extra: Partial<AuditLogOptions> = {}) {
    const root = await tempDir();
    let mode: DiskMode = 'ok';
    const events: string[] = [];
    const fatal: unknown[] = [];
    const opts: AuditLogOptions = {
      store: await store.fresh(),
      highWaterFile: join(root, 'high-water.json'),
      signer,
      origin: ORIGIN,
      checkpointIntervalMs: HOUR,
      reopenDelayMs: 10,
      wrapDb: (db) => faultyDb(db, () => mode),
      onEvent: (e) => events.push(e),
      onFatal: (err) => fatal.push(err),
      ...extra,
    };
    const log = new AuditLog(opts);
    await log.start();
    return { root, opts, log, events, fatal, disk: (m: DiskMode) => (mode = m) };
  }

  describe('AuditLog after a failed store write (recovery.ts)', () => {
    describe('when a batch write fails and the reopened store holds what was acknowledged', () => {
      it('refuses appends with ERR_LOG_UNAVAILABLE until the reopen proved the tree, then resumes at the next index', async () => {
        const { log, events, fatal, disk } = await setUp();
        await log.append(items(0, 3));
        disk('fail');
        await expect(log.append(items(3, 2))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        expect(events).toContain('log:fault');
        // Old code: the same handle took the next append and acknowledged it. Now nothing is acknowledged
        // until a reopened store proved it holds the acknowledged tree.
        disk('ok');
        await until(() => log.health().writable);
        expect(events).toContain('log:recovered');
        expect(log.metrics().writeFailuresTotal).toBe(1);
        const [next] = await log.append(items(3, 1));
        expect(next?.index).toBe(3);
        expect(await log.treeHash(4)).toEqual(rootOf(4));
        expect((await log.checkpointNow()).size).toBe(4);
        expect((await log.fsck()).ok).toBe(true);
        expect(fatal).toEqual([]);
        await log.stop();
      });

      it('while the store cannot be reopened: reads answer ERR_LOG_UNAVAILABLE, the last checkpoint is still served', async () => {
        let diskMode: DiskMode = 'ok';
        let opened = 0;
        const { log } = await setUp({
          // a reopen fails while the disk fails (as LevelDB's recovery does on a full disk)
          wrapDb: (db) => {
            if (diskMode === 'fail' && opened > 0) throw new Error('IO error: injected: No space left on device');
            opened++;
            return faultyDb(db, () => diskMode);
          },
        });
        await log.append(items(0, 2));
        const cp = await log.checkpointNow();
        diskMode = 'fail';
        await expect(log.append(items(2, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        await until(() => (log.health().fault?.reopenAttempts ?? 0) >= 2);
        const h = log.health();
        expect(h).toMatchObject({ writable: false, fault: { fatal: false, code: 'ERR_LOG_UNAVAILABLE' } });
        expect(h.fault?.lastReopenError).toContain('No space left on device');
        expect(log.metrics()).toMatchObject({ writable: 0, size: 2, checkpointSize: 2 });
        expect(log.checkpoint()).toEqual(cp);
        expect(log.size).toBe(2);
        await expect(log.entry(0)).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        await expect(log.append(items(2, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        diskMode = 'ok';
        await until(() => log.health().writable);
        expect(log.health().fault).toBeUndefined();
        expect((await log.append(items(2, 1)))[0]?.index).toBe(2);
        await log.stop();
      });
    });

    describe('when the store had silently lost acknowledged entries', () => {
      it('goes fatal with ERR_LOG_ROLLBACK, raises the high-water mark, and the next start refuses', async () => {
        const { root, opts, log, events, fatal, disk } = await setUp();
        await log.append(items(0, 3));
        disk('lose'); // acknowledged, never on disk (the torn write-ahead log after ENOSPC)
        await log.append(items(3, 2));
        expect(log.size).toBe(5);
        disk('fail');
        await expect(log.append(items(5, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        disk('ok');
        await until(() => fatal.length > 0);
        expect(fatal[0]).toEqual(code('ERR_LOG_ROLLBACK'));
        expect(events).toContain('log:fatal');
        const h = log.health();
        expect(h.writable).toBe(false);
        expect(h.fault).toMatchObject({ fatal: true, code: 'ERR_LOG_ROLLBACK' });
        await expect(log.append(items(5, 1))).rejects.toThrow(code('ERR_LOG_UNAVAILABLE'));
        await log.stop();
        const mark = await storedMark(store, opts.store as LogStoreSpec, join(root, 'high-water.json'));
        expect(mark?.size).toBe(5);
        expect(mark?.rootHash).toEqual(rootOf(5));
        const again = new AuditLog({ ...opts, wrapDb: undefined });
        await expect(again.start()).rejects.toThrow(code('ERR_LOG_ROLLBACK'));
      });
    });

    describe('when a write fails while the log is stopping', () => {
      it('records the acknowledged tree as the high-water mark (it was never signed)', async () => {
        const { root, opts, log, disk } = await setUp();
        await log.append(items(0, 3)); // acknowledged; only the size-0 checkpoint is signed (interval: an hour)
        disk('fail');
        const failing = log.append(items(3, 1)).catch((e: unknown) => e);
        await log.stop();
        expect(await failing).toEqual(code('ERR_LOG_UNAVAILABLE'));
        const mark = await storedMark(store, opts.store as LogStoreSpec, join(root, 'high-water.json'));
        expect(mark?.size).toBe(3);
        expect(mark?.rootHash).toEqual(rootOf(3));
      });
    });
  });
});
