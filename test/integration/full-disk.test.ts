/**
 * A real full disk (root only: a tmpfs is mounted for the test and unmounted after it, even on failure).
 *
 * A node's home lives on an 8 MiB tmpfs with a filler file taking most of it. Decisions are ingested
 * until writes fail; the node must answer 503 (never 500), say so on /healthz and /readyz, and acknowledge
 * nothing while its store is not proven. Then the filler is deleted (room again), more decisions are
 * ingested — they must be accepted again — and the daemon is restarted. After the restart:
 *   - every acknowledged index is present with its acknowledged leaf hash (the root over all leaves equals
 *     the root of a checkpoint signed after the restart);
 *   - every checkpoint signed before and after is consistent with the newest (consistency proofs);
 *   - no tree size was ever signed with two roots (every served and every kept checkpoint compared).
 * Observed before this was fixed: 500 LEVEL_IO_ERROR, then thousands of 200s on a store whose write-ahead
 * log was torn; after a restart LevelDB dropped them, indices were reused and sizes re-signed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { leafHash, MemoryTree, verifyConsistency } from '../../protocol/log/index.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, type InitResult, killAllDaemons } from '../helpers/daemon.ts';
import { getBytes, getJson, hashes, makeRecords } from '../helpers/records.ts';
import { describeAsRoot } from '../helpers/root.ts';

const MOUNT_SIZE = '8m';
const FILLER_BYTES = 5 * 1024 * 1024;
const BATCH = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeAsRoot('a node whose disk fills up (tmpfs)', () => {
  let base: string;
  let mnt: string;
  let mounted = false;
  let home: string;
  let init: InitResult;
  let token: string;
  let daemon: DaemonProcess;
  /** index → base64 leaf hash of every acknowledged entry. */
  const acked = new Map<number, string>();
  /** size → base64 root of every checkpoint seen (served or kept), and every conflict found. */
  const signed = new Map<number, string>();
  const conflicts: string[] = [];
  const statuses = new Map<number, number>();

  const openCp = (note: string): Checkpoint => openCheckpoint(note, parseVerifierKey(init.verifierKey)).checkpoint;
  const remember = (cp: Checkpoint) => {
    const root = toBase64(cp.rootHash);
    const prev = signed.get(cp.size);
    if (prev !== undefined && prev !== root) conflicts.push(`size ${cp.size} signed with two roots`);
    signed.set(cp.size, root);
  };

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'govfed-fulldisk-'));
    mnt = path.join(base, 'mnt');
    execFileSync('mkdir', ['-p', mnt]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_SIZE}`, 'tmpfs', mnt]);
    mounted = true;
    home = path.join(mnt, 'home');
    init = await runCliJson<InitResult>(['init', '--home', home, '--org', 'fulldisk', '--api', '127.0.0.1:0']);
    token = (await readFile(init.tokenFile, 'utf8')).trim();
  }, 120_000);

  afterAll(async () => {
    await killAllDaemons();
    if (mounted) {
      for (let i = 0; i < 20; i++) {
        try {
          execFileSync('umount', [mnt]);
          break;
        } catch {
          await sleep(250);
          if (i === 19) execFileSync('umount', ['-l', mnt]);
        }
      }
    }
    if (base !== undefined) await rm(base, { recursive: true, force: true });
  });

  /** One POST /v1/decisions: the status; acknowledged entries are recorded. */
  async function ingest(prefix: string): Promise<number> {
    const res = await daemon.fetch('/v1/decisions', {
      method: 'POST',
      token,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(makeRecords(BATCH, prefix)),
    });
    const text = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status === 200) {
      for (const e of (JSON.parse(text) as { entries: { index: number; leafHash: string }[] }).entries) {
        if (acked.has(e.index)) conflicts.push(`index ${e.index} acknowledged twice`);
        acked.set(e.index, e.leafHash);
      }
    } else {
      expect(res.status, text).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(text).error.code).toMatch(/^ERR_(LOG_UNAVAILABLE|BACKPRESSURE)$/);
    }
    return res.status;
  }

  async function pollCheckpoint(): Promise<void> {
    const res = await daemon.fetch('/v1/log/checkpoint', { token });
    if (res.status === 200) remember(openCp(await res.text()));
    else await res.arrayBuffer();
  }

  async function keptCheckpoints(): Promise<Checkpoint[]> {
    const out: Checkpoint[] = [];
    for (let from = 0; ; ) {
      const page = await getJson<{ checkpoints: { size: number; note: string }[] }>(
        `${daemon.url}/v1/log/checkpoints?from=${from}&limit=1000`,
        token,
      );
      out.push(...page.checkpoints.map((c) => openCp(c.note)));
      const last = page.checkpoints.at(-1);
      if (last === undefined || page.checkpoints.length < 1000) return out;
      from = last.size + 1;
    }
  }

  it('answers 503 (never 500) while full, loses nothing acknowledged and never signs a size twice', async () => {
    daemon = await DaemonProcess.start(home, { timeoutMs: 60_000 });
    const filler = path.join(mnt, 'filler');
    const fh = await open(filler, 'w');
    await fh.write(Buffer.alloc(FILLER_BYTES, 1));
    await fh.close();

    // /healthz and /readyz, watched all along (the store may be reopened quickly).
    const seenHealth = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const route of ['/healthz', '/readyz']) {
          const r = await daemon.fetch(route).catch(() => undefined);
          if (r === undefined) continue;
          const body = (await r.json().catch(() => ({}))) as { code?: string };
          seenHealth.add(`${route} ${r.status}${r.status === 503 ? ` ${body.code}` : ''}`);
        }
        await sleep(25);
      }
    })();

    // 1. Fill the disk: ingest until writes fail.
    let round = 0;
    let failed = 0;
    for (; round < 2000 && failed < 3; round++) {
      if ((await ingest(`fill-${round}`)) !== 200) failed++;
      if (round % 5 === 0) await pollCheckpoint();
    }
    expect(failed, 'the disk never filled').toBe(3);
    const ackedWhenFull = acked.size;
    expect(ackedWhenFull).toBeGreaterThan(0);

    // 2. Make room; the node reopens its store, proves it and takes appends again.
    await rm(filler);
    const deadline = Date.now() + 60_000;
    let resumed = false;
    while (Date.now() < deadline && !resumed) {
      const r = await daemon.fetch('/readyz');
      await r.arrayBuffer();
      resumed = r.status === 200;
      if (!resumed) await sleep(200);
    }
    expect(resumed, 'the node did not take appends again after room was made').toBe(true);
    let okAfter = 0;
    for (let k = 0; k < 20; k++) {
      if ((await ingest(`room-${k}`)) === 200) okAfter++;
      if (k % 5 === 0) await pollCheckpoint();
    }
    expect(okAfter).toBeGreaterThan(0);
    watching = false;
    await watcher;
    expect([...seenHealth]).toEqual(
      expect.arrayContaining([
        '/healthz 200',
        '/readyz 200',
        '/healthz 503 ERR_LOG_UNAVAILABLE',
        '/readyz 503 ERR_LOG_UNAVAILABLE',
      ]),
    );
    expect([...seenHealth].filter((s) => / 500/.test(s))).toEqual([]);
    await pollCheckpoint();
    for (const cp of await keptCheckpoints()) remember(cp);

    // 3. Restart.
    expect((await daemon.stop('SIGTERM', 60_000)).code).toBe(0);
    const firstRunEvents = daemon.stderr;
    expect(firstRunEvents).toContain('"event":"log:fault"');
    expect(firstRunEvents).toContain('"event":"log:recovered"');
    daemon = await DaemonProcess.start(home, { timeoutMs: 60_000 });
    const res = await daemon.fetch('/v1/log/checkpoint', { method: 'POST', token });
    expect(res.status).toBe(200);
    const newest = openCp(await res.text());
    remember(newest);
    const maxAcked = Math.max(...acked.keys());
    expect(newest.size, 'the log lost acknowledged entries').toBeGreaterThan(maxAcked);

    // Every acknowledged index, with its leaf: the root over all leaves is the newest checkpoint's.
    const tree = new MemoryTree();
    for (let i = 0; i < newest.size; i++) {
      const h = acked.get(i);
      if (h !== undefined) tree.appendLeafHash(fromBase64(h));
      else tree.append(await getBytes(`${daemon.url}/v1/log/entries/${i}`, token));
    }
    expect(toBase64(tree.root()), 'acknowledged leaves differ from the log').toBe(toBase64(newest.rootHash));
    for (const i of [0, ...[...acked.keys()].filter((_, k) => k % 97 === 0), maxAcked]) {
      if (!acked.has(i)) continue;
      const bytes = await getBytes(`${daemon.url}/v1/log/entries/${i}`, token);
      expect(toBase64(leafHash(bytes)), `entry ${i}`).toBe(acked.get(i));
    }

    // Every checkpoint ever seen (served, or kept before and after the restart) is consistent with the newest.
    for (const cp of await keptCheckpoints()) remember(cp);
    for (const [size, root] of signed) {
      if (size === 0 || size === newest.size) continue;
      const { proof } = await getJson<{ proof: string[] }>(
        `${daemon.url}/v1/log/proofs/consistency?from=${size}&to=${newest.size}`,
        token,
      );
      verifyConsistency(size, newest.size, hashes(proof), fromBase64(root), newest.rootHash);
    }
    expect(conflicts).toEqual([]);
    expect(statuses.get(500)).toBeUndefined();
    expect(statuses.get(503)).toBeGreaterThan(0);
    expect((await daemon.stop('SIGTERM', 60_000)).code).toBe(0);
    console.info(
      `full-disk test: ${acked.size} acknowledged (${ackedWhenFull} before the disk filled), ` +
        `statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${signed.size} checkpoint sizes seen, ` +
        `health ${[...seenHealth].join(', ')}, ` +
        `storage events: ${(firstRunEvents.match(/"event":"log:[a-z-]+"/g) ?? []).join(' ')}`,
    );
  }, 300_000);
});
