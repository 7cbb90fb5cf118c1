/**
 * A node whose audit log is in PostgreSQL, end to end with real processes and a real server
 * (test/helpers/postgres.ts):
 *   - `govfed init --store postgres://…`: config.json names the database without the password (moved to
 *     keys/store.password, 0600); the daemon creates the schema, takes decisions, serves proofs; `audit
 *     fsck` works through the daemon and, stopped, read-only on the database;
 *   - `govfed store migrate --from leveldb --to postgres://…`: a LevelDB node moved with its history —
 *     same origin, same last checkpoint (size and root), old entries' proofs verify against checkpoints
 *     signed after the move, and the tree keeps growing from the same size;
 *   - the database stopped under a running daemon: 503 with ERR_STORE_UNAVAILABLE / ERR_LOG_UNAVAILABLE
 *     (never a 500), and everything acknowledged is there after it comes back.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import { verifyConsistency, verifyInclusion } from '../../protocol/log/index.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { type AppendedEntry, getJson, getText, hashes, makeRecords, postDecisions } from '../helpers/records.ts';

const nodes: TestNode[] = [];
afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

async function node(org: string, extra: string[] = []): Promise<TestNode> {
  const n = await initNode(org, extra);
  nodes.push(n);
  return n;
}

function open(n: TestNode, note: string): Checkpoint {
  return openCheckpoint(note, parseVerifierKey(n.init.verifierKey)).checkpoint;
}

async function checkpointNow(d: DaemonProcess, n: TestNode): Promise<{ note: string; cp: Checkpoint }> {
  const res = await fetch(`${d.url}/v1/log/checkpoint`, {
    method: 'POST',
    headers: { authorization: `Bearer ${n.adminToken}` },
  });
  expect(res.status).toBe(200);
  const note = await getText(`${d.url}/v1/log/checkpoint`, n.adminToken);
  return { note, cp: open(n, note) };
}

async function proveAll(d: DaemonProcess, n: TestNode, entries: readonly AppendedEntry[], cp: Checkpoint) {
  for (const e of entries) {
    const p = await getJson<{ leafHash: string; proof: string[] }>(
      `${d.url}/v1/log/proofs/inclusion?index=${e.index}&treeSize=${cp.size}`,
      n.adminToken,
    );
    expect(p.leafHash).toBe(e.leafHash);
    verifyInclusion(e.index, cp.size, fromBase64(p.leafHash), hashes(p.proof), cp.rootHash);
  }
}

describeWithPostgres('a node on PostgreSQL', () => {
  const server = usePostgres();

  it('init --store: the password goes to keys/store.password, the log into the database; fsck both ways', async () => {
    const url = await server().createDatabase('node');
    const withPassword = url.replace('postgres@', 'postgres:s3cret@'); // the test server trusts 127.0.0.1
    const n = await node('pgacme', ['--store', withPassword]);
    const config = JSON.parse(await readFile(path.join(n.home, 'config.json'), 'utf8'));
    expect(config.store).toEqual({ driver: 'postgres', url });
    expect(JSON.stringify(config)).not.toContain('s3cret');
    const pw = path.join(n.home, 'keys', 'store.password');
    expect((await readFile(pw, 'utf8')).trim()).toBe('s3cret');
    expect((await stat(pw)).mode & 0o777).toBe(0o600);

    const d = await DaemonProcess.start(n.home);
    const acked = await postDecisions(d.url, n.adminToken, makeRecords(25, 'pg'));
    const { cp } = await checkpointNow(d, n);
    await proveAll(d, n, acked, cp);
    const viaDaemon = await runCliJson<{ ok: boolean; via: string; size: number }>([
      'audit',
      'fsck',
      '--home',
      n.home,
      '--json',
    ]);
    expect(viaDaemon).toMatchObject({ ok: true, via: 'daemon', size: cp.size });
    await d.stop();
    const rows = await server().sql<{ n: string }>(
      "SELECT count(*) AS n FROM govfed.log_kv WHERE k >= 'l/' AND k < 'l/~'",
      [],
      new URL(url).pathname.slice(1),
    );
    expect(Number(rows[0]?.n)).toBe(cp.size);
    const viaStore = await runCliJson<{ ok: boolean; via: string; size: number }>([
      'audit',
      'fsck',
      '--home',
      n.home,
      '--json',
    ]);
    expect(viaStore).toMatchObject({ ok: true, via: 'store', size: cp.size });
    expect(await stat(path.join(n.home, 'data')).catch(() => undefined)).toBeUndefined(); // no LevelDB made
  }, 180_000);

  it('store migrate: same origin and checkpoint, old proofs verify against new checkpoints, the tree continues', async () => {
    const n = await node('mover');
    let d = await DaemonProcess.start(n.home);
    const before = await postDecisions(d.url, n.adminToken, makeRecords(40, 'old'));
    await d.stop(); // signs the final checkpoint
    const fsckBefore = await runCliJson<{ ok: boolean; size: number; checkpointSize: number }>([
      'audit',
      'fsck',
      '--home',
      n.home,
      '--json',
    ]);
    expect(fsckBefore.ok).toBe(true);
    const markFile = path.join(n.home, 'high-water.json');
    const fileMark = JSON.parse(await readFile(markFile, 'utf8'));
    expect(fileMark.size).toBe(fsckBefore.checkpointSize);

    const url = await server().createDatabase('moved');
    const markRow = async () => {
      const rows = await server().sql<{ origin: string; size: string; root_hash: Buffer }>(
        'SELECT origin, size, root_hash FROM mover.high_water',
        [],
        new URL(url).pathname.slice(1),
      );
      return rows.map((r) => ({ origin: r.origin, size: Number(r.size), rootHash: r.root_hash.toString('base64') }));
    };
    const migrated = await runCliJson<{
      origin: string;
      size: number;
      checkpointSize: number;
      highWaterSize: number | null;
      store: string;
    }>([
      'store',
      'migrate',
      '--home',
      n.home,
      '--from',
      'leveldb',
      '--to',
      url.replace('postgres@', 'postgres:pw@'),
      '--schema',
      'mover',
      '--json',
    ]);
    expect(migrated).toMatchObject({
      origin: n.init.origin,
      size: fsckBefore.size,
      checkpointSize: fsckBefore.checkpointSize,
    });
    expect(migrated.store).not.toContain('pw@');
    // The high-water mark moved from DIR/high-water.json into the database, unchanged.
    expect(migrated.highWaterSize).toBe(fileMark.size);
    expect(await markRow()).toEqual([{ origin: n.init.origin, size: fileMark.size, rootHash: fileMark.rootHash }]);
    const config = JSON.parse(await readFile(path.join(n.home, 'config.json'), 'utf8'));
    expect(config.store).toEqual({ driver: 'postgres', url, schema: 'mover' });
    expect(config.origin).toBe(n.init.origin);

    // Migrating again into the same schema is refused: it is not empty.
    const again = await runCli(['store', 'migrate', '--home', n.home, '--from', 'leveldb', '--to', url]);
    expect(again.code).not.toBe(0);

    d = await DaemonProcess.start(n.home);
    const oldNote = await getText(`${d.url}/v1/log/checkpoint`, n.adminToken);
    const old = open(n, oldNote);
    expect(old.size).toBe(fsckBefore.checkpointSize); // the same signed tree is served from PostgreSQL
    const after = await postDecisions(d.url, n.adminToken, makeRecords(10, 'new'));
    expect(after[0]?.index).toBe(fsckBefore.size); // the tree continues where LevelDB left it
    const { cp } = await checkpointNow(d, n);
    await proveAll(d, n, [...before, ...after], cp);
    const { proof } = await getJson<{ proof: string[] }>(
      `${d.url}/v1/log/proofs/consistency?from=${old.size}&to=${cp.size}`,
      n.adminToken,
    );
    verifyConsistency(old.size, cp.size, hashes(proof), old.rootHash, cp.rootHash);
    // The node raises the mark in the database now; the file is an archive, never written again.
    expect(await markRow()).toEqual([
      { origin: n.init.origin, size: cp.size, rootHash: Buffer.from(cp.rootHash).toString('base64') },
    ]);
    expect(JSON.parse(await readFile(markFile, 'utf8'))).toEqual(fileMark);
    await d.stop();
  }, 180_000);

  it('store migrate refuses a DIR/data behind its high-water mark (ERR_LOG_ROLLBACK) and writes nothing', async () => {
    const n = await node('behind');
    const d = await DaemonProcess.start(n.home);
    await postDecisions(d.url, n.adminToken, makeRecords(5, 'b'));
    await d.stop();
    const markFile = path.join(n.home, 'high-water.json');
    const mark = JSON.parse(await readFile(markFile, 'utf8'));
    // This node signed more than DIR/data holds (the directory was restored from an older backup).
    await writeFile(markFile, JSON.stringify({ ...mark, size: mark.size + 20 }));
    const url = await server().createDatabase('behind');
    const r = await runCli(['store', 'migrate', '--home', n.home, '--from', 'leveldb', '--to', url, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('ERR_LOG_ROLLBACK');
    const config = JSON.parse(await readFile(path.join(n.home, 'config.json'), 'utf8'));
    expect(config.store).toBeUndefined();
    const schema = await server().sql<{ t: string | null }>(
      "SELECT to_regclass('govfed.log_kv')::text AS t",
      [],
      new URL(url).pathname.slice(1),
    );
    expect(schema[0]?.t).toBeNull(); // nothing was created in the target database
  }, 120_000);

  it('the database stopped under load: 503 with a code, never a 500, and nothing acknowledged lost', async () => {
    const url = await server().createDatabase('outage');
    const n = await node('outage', ['--store', url]);
    const d = await DaemonProcess.start(n.home);
    const acked: AppendedEntry[] = [...(await postDecisions(d.url, n.adminToken, makeRecords(10, 'a')))];
    await server().stop('fast');
    const statuses: { status: number; code?: string }[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${d.url}/v1/decisions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${n.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(makeRecords(2, `down${i}`)),
        });
        const body = (await res.json()) as { error?: { code: string } };
        statuses.push({ status: res.status, code: body.error?.code });
      }
      const read = await fetch(`${d.url}/v1/log/entries/3`, { headers: { authorization: `Bearer ${n.adminToken}` } });
      const body = (await read.json()) as { error?: { code: string } };
      statuses.push({ status: read.status, code: body.error?.code });
    } finally {
      await server().start();
    }
    for (const s of statuses) {
      expect(s.status).toBe(503);
      expect(['ERR_LOG_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE']).toContain(s.code);
    }
    expect(d.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Back: appends are taken again (after the log proved it still holds what it acknowledged).
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        acked.push(...(await postDecisions(d.url, n.adminToken, makeRecords(5, 'b'))));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const { cp } = await checkpointNow(d, n);
    await proveAll(d, n, acked, cp);
    await d.stop();
  }, 180_000);
});
