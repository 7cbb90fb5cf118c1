/**
 * Storage faults a real daemon must refuse to paper over (non-root; the full-disk test is
 * full-disk.test.ts):
 *   - its data/ restored from an older copy: the high-water mark (DIR/high-water.json) says it signed a
 *     larger tree, so `govfed start` refuses with ERR_LOG_ROLLBACK instead of handing out indices again;
 *   - federation/state.json deleted while the log records a federation charter: refused with
 *     ERR_FEDERATION_STATE_MISSING instead of starting as "no federation";
 *   - `govfed audit fsck` on the restored copy reports the rollback (it said "OK");
 *   - the witness store (DIR/witness/db) lost while the node is in a federation: ERR_WITNESS_STATE_MISSING
 *     instead of a new empty store that could cosign a conflicting tree; damaged: ERR_WITNESS_STORE_CORRUPT;
 *     restoring it, or `govfed witness reset` when there is no backup, lets the node start again;
 *   - the audit log database damaged (it does not open): ERR_LOG_CORRUPT with the reason and the recovery.
 */
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { adminPost } from '../helpers/federation.ts';
import { makeRecords, postDecisions } from '../helpers/records.ts';

const nodes: TestNode[] = [];

afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

async function freshNode(org: string): Promise<TestNode> {
  const n = await initNode(org);
  nodes.push(n);
  return n;
}

describe('govfed start after data/ was restored from an older copy', () => {
  it('refuses with ERR_LOG_ROLLBACK and says how to recover; fsck reports it', async () => {
    const node = await freshNode('rollback');
    const data = path.join(node.home, 'data');
    let d = await DaemonProcess.start(node.home);
    await postDecisions(d.url, node.adminToken, makeRecords(20, 'a'));
    await d.stop();
    await cp(data, path.join(node.tmp, 'backup'), { recursive: true }); // the "older backup"
    d = await DaemonProcess.start(node.home);
    const later = await postDecisions(d.url, node.adminToken, makeRecords(30, 'b'));
    await d.stop(); // signs the final checkpoint: 51 entries (node.init + 20 + 30)
    expect(later.at(-1)?.index).toBe(50);
    const mark = JSON.parse(await readFile(path.join(node.home, 'high-water.json'), 'utf8'));
    expect(mark.size).toBe(51);

    await rm(data, { recursive: true });
    await cp(path.join(node.tmp, 'backup'), data, { recursive: true });
    const fsck = await runCli(['audit', 'fsck', '--home', node.home, '--json']);
    expect(fsck.code).toBe(1);
    expect(JSON.parse(fsck.stdout)).toMatchObject({ ok: false, size: 21, via: 'store' });

    const start = await runCli(['start', '--home', node.home], { timeoutMs: 60_000 });
    expect(start.code).toBe(1);
    expect(start.stdout).not.toMatch(/listening on/);
    expect(start.stderr).toContain('ERR_LOG_ROLLBACK');
    expect(start.stderr).toMatch(/holds 21 entries.*51 entries/s);
    expect(start.stderr).toMatch(/restoring the data directory from a backup/);
  }, 180_000);
});

describe('govfed start with federation/state.json deleted', () => {
  it('refuses with ERR_FEDERATION_STATE_MISSING while the log records a federation charter', async () => {
    const node = await freshNode('fedlost');
    const d = await DaemonProcess.start(node.home);
    await adminPost({ daemon: d, adminToken: node.adminToken }, '/v1/federation', { name: 'lost state' });
    await d.stop();
    const state = path.join(node.home, 'federation', 'state.json');
    const kept = await readFile(state);
    await rm(state);
    const start = await runCli(['start', '--home', node.home], { timeoutMs: 60_000 });
    expect(start.code).toBe(4);
    expect(start.stdout).not.toMatch(/listening on/);
    expect(start.stderr).toContain('ERR_FEDERATION_STATE_MISSING');
    // Restoring the file is the recovery: the node starts in its federation again.
    await writeFile(state, kept, { mode: 0o600 });
    const again = await DaemonProcess.start(node.home);
    const fed = await again.fetch('/v1/federation', { token: node.adminToken });
    expect(fed.status).toBe(200);
    await again.stop();
  }, 180_000);

  it('starts as before when the node was never in a federation', async () => {
    const node = await freshNode('nofed');
    const d = await DaemonProcess.start(node.home);
    await d.stop();
    const again = await DaemonProcess.start(node.home);
    expect((await again.fetch('/healthz')).status).toBe(200);
    expect(await runCliJson(['status', '--home', node.home])).toMatchObject({
      node: { log: { writable: true } },
    });
    await again.stop();
  }, 180_000);
});

describe('govfed start with the witness store lost or damaged', () => {
  it('refuses with ERR_WITNESS_STATE_MISSING while the node is in a federation; restoring the store recovers', async () => {
    const node = await freshNode('witlost');
    const d = await DaemonProcess.start(node.home);
    await adminPost({ daemon: d, adminToken: node.adminToken }, '/v1/federation', { name: 'lost witness' });
    await d.stop();
    const db = path.join(node.home, 'witness', 'db');
    await rename(db, `${db}.kept`);
    const start = await runCli(['start', '--home', node.home], { timeoutMs: 60_000 });
    expect(start.code).toBe(4);
    expect(start.stdout).not.toMatch(/listening on/);
    expect(start.stderr).toContain('ERR_WITNESS_STATE_MISSING');
    expect(start.stderr).toContain('govfed witness reset');
    // The refusal made nothing: no empty store appeared in its place.
    expect(await readdir(path.join(node.home, 'witness'))).not.toContain('db');
    await rename(`${db}.kept`, db);
    const again = await DaemonProcess.start(node.home);
    expect((await again.fetch('/v1/federation', { token: node.adminToken })).status).toBe(200);
    await again.stop();
  }, 180_000);

  it('refuses a damaged store with ERR_WITNESS_STORE_CORRUPT; govfed witness reset keeps it aside and the node starts', async () => {
    const node = await freshNode('witbad');
    const d = await DaemonProcess.start(node.home);
    await adminPost({ daemon: d, adminToken: node.adminToken }, '/v1/federation', { name: 'damaged witness' });
    const running = await runCli(['witness', 'reset', '--home', node.home]);
    expect(running.code).toBe(4);
    expect(running.stderr).toContain('ERR_ALREADY_RUNNING');
    await d.stop();
    const present = await runCli(['witness', 'reset', '--home', node.home]);
    expect(present.code).toBe(4);
    expect(present.stderr).toContain('ERR_WITNESS_STATE_PRESENT');

    await writeFile(path.join(node.home, 'witness', 'db', 'CURRENT'), 'garbage\n');
    const start = await runCli(['start', '--home', node.home], { timeoutMs: 60_000 });
    expect(start.code).toBe(4);
    expect(start.stderr).toContain('ERR_WITNESS_STORE_CORRUPT');
    expect(start.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const reset = await runCliJson<{ reason: string; movedTo: string; file: string }>([
      'witness',
      'reset',
      '--home',
      node.home,
    ]);
    expect(reset.reason).toBe('damaged');
    expect(await readFile(path.join(reset.movedTo, 'CURRENT'), 'utf8')).toBe('garbage\n');
    expect(JSON.parse(await readFile(reset.file, 'utf8'))).toMatchObject({ reason: 'damaged' });
    const again = await DaemonProcess.start(node.home);
    expect((await again.fetch('/v1/federation', { token: node.adminToken })).status).toBe(200);
    await again.stop();
  }, 180_000);

  it('makes a new store as before when the node is in no federation', async () => {
    const node = await freshNode('witnofed');
    const d = await DaemonProcess.start(node.home);
    await d.stop();
    await rm(path.join(node.home, 'witness'), { recursive: true });
    const again = await DaemonProcess.start(node.home);
    expect((await again.fetch('/healthz')).status).toBe(200);
    await again.stop();
  }, 180_000);
});

describe('govfed start with the audit log database damaged', () => {
  it('refuses with ERR_LOG_CORRUPT naming the database and the recovery, no stack trace', async () => {
    const node = await freshNode('logbad');
    const d = await DaemonProcess.start(node.home);
    await postDecisions(d.url, node.adminToken, makeRecords(5, 'a'));
    await d.stop();
    await writeFile(path.join(node.home, 'data', 'CURRENT'), 'garbage\n');
    const start = await runCli(['start', '--home', node.home], { timeoutMs: 60_000 });
    expect(start.code).toBe(1); // as ERR_LOG_ROLLBACK: the store failed a check
    expect(start.stdout).not.toMatch(/listening on/);
    expect(start.stderr).toContain('ERR_LOG_CORRUPT');
    expect(start.stderr).toContain(path.join(node.home, 'data'));
    expect(start.stderr).toContain('Storage faults and recovery');
    expect(start.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
