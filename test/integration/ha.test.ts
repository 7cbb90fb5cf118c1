/**
 * An org's node in three govfed processes on one real PostgreSQL (issue #19; docs/operators-guide.md
 * "Running an org's node highly available"), in a federation with a second org, everything real: the
 * homes made as the recipe makes them (`govfed init --store … --shared`, `govfed ha add-process`), three
 * `govfed start` processes on 127.0.0.1, libp2p to the other org, decisions over HTTP.
 *
 *   - ingest through all three processes while the lease holder is killed with kill -9, twice: every
 *     acknowledged decision is in the log and proven in the final checkpoint; every stored checkpoint
 *     verifies and each is consistent with the next (no size signed twice, no fork); a new lease holder
 *     signs within the stated time (lease + restart); the other org sees the org again (connected,
 *     witnessing its new checkpoints);
 *   - a lease holder paused with SIGSTOP past its lease: another process takes over; resumed, the old
 *     holder is fenced (it signs and integrates nothing) and comes back as a follower;
 *   - PostgreSQL restarted under load: the processes answer 503 with a code while it is away and recover
 *     without losing anything acknowledged.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import { verifyConsistency, verifyInclusion } from '../../protocol/log/index.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';
import { type FedNode, fedStatus, formFederation, startFedNode } from '../helpers/federation.ts';
import { addProcess, lastRole } from '../helpers/ha.ts';
import { describeWithPostgres, usePostgres } from '../helpers/postgres.ts';
import { type AppendedEntry, getJson, getText, hashes, makeRecords } from '../helpers/records.ts';

/** The writer lease of the test's org (config store.leaseMs): a dead holder blocks the others this long. */
const LEASE_MS = 2000;
/** Stated failover bound: the lease, a follower's next look at it (lease/4), its restart and first signing. */
const FAILOVER_BOUND_MS = LEASE_MS + 8000;

const nodes: TestNode[] = [];
afterAll(async () => {
  await killAllDaemons();
  for (const n of nodes) await removeDir(n.tmp);
});

interface Proc {
  home: string;
  d: DaemonProcess;
}

/** Polls `fn` every `everyMs` until it gives a value (not undefined); throws after `ms`. */
async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number, everyMs = 200): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`condition not met in ${ms} ms${last === undefined ? '' : `: ${String(last)}`}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function roleOf(p: Proc): string | undefined {
  return lastRole(p.d.stderr)?.role;
}

describeWithPostgres("an org's node in three processes on one PostgreSQL", () => {
  const server = usePostgres();
  let acme: TestNode;
  let beta: FedNode;
  let procs: Proc[] = [];
  let token = '';
  const acked = new Map<string, AppendedEntry>(); // decisionId → entry, as answered
  let verifier: ReturnType<typeof parseVerifierKey>;

  const alive = () => procs.filter((p) => p.d.child.exitCode === null && p.d.child.signalCode === null);
  const leaderNow = () => alive().find((p) => roleOf(p) === 'leader');

  async function post(p: Proc, records: Record<string, unknown>[]): Promise<number> {
    let res: Response;
    try {
      res = await fetch(`${p.d.url}/v1/decisions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(records),
        signal: AbortSignal.timeout(5000), // a paused process answers nothing
      });
    } catch {
      return 0; // the process is gone or restarting: nothing was acknowledged
    }
    const text = await res.text();
    if (res.status !== 200) {
      expect(res.status, text).toBe(503); // never a 500: a typed 503 while the role moves or the database is away
      return res.status;
    }
    const entries = (JSON.parse(text) as { entries: AppendedEntry[] }).entries;
    for (const [i, r] of records.entries()) acked.set(r.decisionId as string, entries[i] as AppendedEntry);
    return 200;
  }

  /** Clients posting through every live process until stopped; returns the statuses seen. */
  function ingest(prefix: string): { stop: () => Promise<number[]> } {
    let stopped = false;
    const statuses: number[] = [];
    const loops = [0, 1, 2].map(async (k) => {
      for (let i = 0; !stopped; i++) {
        const live = alive();
        const p = live[(k + i) % Math.max(1, live.length)];
        if (p === undefined) break;
        statuses.push(await post(p, makeRecords(10, `${prefix}-${k}-${i}`)));
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    return {
      stop: async () => {
        stopped = true;
        await Promise.all(loops);
        return statuses;
      },
    };
  }

  async function checkpointOf(p: Proc): Promise<{ size: number; rootHash: Uint8Array; note: string }> {
    const note = await getText(`${p.d.url}/v1/log/checkpoint`, token);
    return { ...openCheckpoint(note, verifier).checkpoint, note };
  }

  /** Every acknowledged decision proven in `p`'s checkpoint; every stored checkpoint consistent with the next. */
  async function checkLog(p: Proc): Promise<number> {
    // What followers sequenced is integrated by the leader a moment later: sign once it is all in.
    const last = Math.max(...[...acked.values()].map((e) => e.index));
    const cp = await waitFor(async () => {
      await fetch(`${p.d.url}/v1/log/checkpoint`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      const c = await checkpointOf(p);
      return c.size > last ? c : undefined;
    }, 30_000);
    for (const e of acked.values()) {
      expect(e.index).toBeLessThan(cp.size);
      const proof = await getJson<{ leafHash: string; proof: string[] }>(
        `${p.d.url}/v1/log/proofs/inclusion?index=${e.index}&treeSize=${cp.size}`,
        token,
      );
      expect(proof.leafHash).toBe(e.leafHash);
      verifyInclusion(e.index, cp.size, fromBase64(e.leafHash), hashes(proof.proof), cp.rootHash);
    }
    const listed = await getJson<{ checkpoints: { size: number; note: string }[] }>(
      `${p.d.url}/v1/log/checkpoints?limit=1000`,
      token,
    );
    const sizes = listed.checkpoints.map((c) => c.size);
    expect(new Set(sizes).size).toBe(sizes.length);
    let prev: { size: number; rootHash: Uint8Array } | undefined;
    for (const c of listed.checkpoints) {
      const opened = openCheckpoint(c.note, verifier).checkpoint;
      expect(opened.size).toBe(c.size);
      if (prev !== undefined && prev.size > 0) {
        const q = await getJson<{ proof: string[] }>(
          `${p.d.url}/v1/log/proofs/consistency?from=${prev.size}&to=${opened.size}`,
          token,
        );
        verifyConsistency(prev.size, opened.size, hashes(q.proof), prev.rootHash, opened.rootHash);
      }
      prev = opened;
    }
    return cp.size;
  }

  beforeAll(async () => {
    const url = await server().createDatabase('ha');
    acme = await initNode('acme', ['--store', url, '--shared', '--listen', '/ip4/127.0.0.1/tcp/0']);
    nodes.push(acme);
    token = acme.adminToken;
    verifier = parseVerifierKey(acme.init.verifierKey);
    expect((await runCli(['config', 'set', 'store.leaseMs', String(LEASE_MS), '--home', acme.home])).code).toBe(0);
    const homes = [acme.home];
    for (const name of ['b', 'c']) {
      const home = path.join(acme.tmp, name);
      const r = await addProcess(acme.home, home);
      expect(r.code, r.stderr).toBe(0);
      homes.push(home);
    }
    procs = [{ home: homes[0] as string, d: await DaemonProcess.start(homes[0] as string) }];
    await waitFor(async () => roleOf(procs[0] as Proc) === 'leader' || undefined, 30_000);
    for (const h of homes.slice(1)) procs.push({ home: h, d: await DaemonProcess.start(h) });
    beta = await startFedNode('beta', 'FR');
    nodes.push(beta);
    const a = procs[0] as Proc;
    await formFederation([{ daemon: a.d, adminToken: token, init: acme.init, org: 'acme', home: a.home }, beta]);
  }, 240_000);

  it('starts one leader and two followers; a follower refuses what only the leader does, naming it', async () => {
    await waitFor(async () => (procs.map(roleOf).join() === 'leader,follower,follower' ? true : undefined), 30_000);
    const follower = procs[1] as Proc;
    const info = await getJson<{ process?: { role: string; leader?: string } }>(`${follower.d.url}/v1/node`, token);
    expect(info.process?.role).toBe('follower');
    await waitFor(async () => {
      const i = await getJson<{ process?: { leader?: string } }>(`${follower.d.url}/v1/node`, token);
      return i.process?.leader === (procs[0] as Proc).d.url ? true : undefined;
    }, 15_000);
    // govfed status on each home says the process's role (and a follower's leader)
    const st = await runCli(['status', '--home', follower.home]);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toMatch(new RegExp(`process role +follower \\(leader: ${(procs[0] as Proc).d.url}\\)`));
    const lst = await runCli(['status', '--home', (procs[0] as Proc).home]);
    expect(lst.stdout).toMatch(/process role +leader\n/);
    const res = await fetch(`${follower.d.url}/v1/policy/local`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('ERR_NOT_LEADER');
    expect(body.error.message).toContain((procs[0] as Proc).d.url);
  });

  it('ingests through all three while the lease holder is killed (kill -9) twice: nothing acknowledged lost, no fork, the federation sees the org again', async () => {
    const failovers: number[] = [];
    const load = ingest('k9');
    for (let round = 0; round < 2; round++) {
      await new Promise((r) => setTimeout(r, 1500));
      const leader = leaderNow();
      if (leader === undefined) throw new Error('no leader');
      const survivor = alive().find((p) => p !== leader) as Proc;
      const before = (await checkpointOf(survivor)).size;
      const killedAt = Date.now();
      await leader.d.kill9();
      // A new lease holder signs: a survivor serves a checkpoint past what was signed before the kill.
      await waitFor(
        async () => ((await checkpointOf(survivor).catch(() => undefined))?.size ?? 0) > before || undefined,
        FAILOVER_BOUND_MS + 5000,
        100,
      );
      failovers.push(Date.now() - killedAt);
      await waitFor(async () => leaderNow() ?? undefined, 10_000);
      leader.d = await DaemonProcess.start(leader.home); // back, as a follower
      await waitFor(async () => (roleOf(leader) === 'follower' ? true : undefined), 30_000);
    }
    const statuses = await load.stop();
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(10);
    for (const ms of failovers) expect(ms).toBeLessThan(FAILOVER_BOUND_MS);
    const leader = leaderNow() as Proc;
    const size = await checkLog(leader);
    expect(size).toBeGreaterThanOrEqual(acked.size);
    // Every process serves the same tree, and every one of them its reads: entries, proofs, decision
    // search, tiles.
    const some = [...acked.entries()][Math.floor(acked.size / 2)] as [string, AppendedEntry];
    for (const p of alive()) {
      await waitFor(async () => ((await checkpointOf(p)).size >= size ? true : undefined), 10_000);
      const found = await getJson<{ index: number }>(`${p.d.url}/v1/log/lookup?decisionId=${some[0]}`, token);
      expect(found.index).toBe(some[1].index);
      const page = await getJson<{ items: { decisionId: string }[] }>(`${p.d.url}/v1/decisions?limit=5`, token);
      expect(page.items.length).toBe(5);
      expect((await fetch(`${p.d.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const tile = await fetch(`${p.d.url}/tile/0/000`);
      expect(tile.status).toBe(200);
      expect((await tile.arrayBuffer()).byteLength).toBe(256 * 32);
    }
    // The other org sees the org again: connected to its new leader, and witnessing its new checkpoints.
    const since = Date.now();
    await waitFor(
      async () => {
        const m = (await fedStatus(beta)).members.find((x) => x.org === 'acme');
        return m?.connected === true && m.lastSeen !== null && Date.parse(m.lastSeen) >= since - 1000 ? m : undefined;
      },
      60_000,
      250,
    );
    // …and its witness cosigns the new leader's checkpoints (a cosignature line by beta's witness key).
    const witnessName = (beta.init.witnessKey as string).split('+')[0] as string;
    await waitFor(
      async () => {
        await post(leader, makeRecords(2, `witnessed-${Date.now()}`));
        const note = await getText(`${leader.d.url}/v1/log/checkpoint`, token);
        const cp = openCheckpoint(note, verifier).checkpoint;
        return cp.size > size && note.includes(`\u2014 ${witnessName} `) ? true : undefined;
      },
      60_000,
      500,
    );
  }, 300_000);

  it('fences a lease holder paused past its lease: it signs nothing, and resumed it comes back as a follower', async () => {
    const paused = leaderNow() as Proc;
    const survivor = alive().find((p) => p !== paused) as Proc;
    const before = (await checkpointOf(survivor)).size;
    paused.d.signal('SIGSTOP');
    try {
      await waitFor(
        async () => (alive().some((p) => p !== paused && roleOf(p) === 'leader') ? true : undefined),
        FAILOVER_BOUND_MS + 5000,
        100,
      );
      const load = ingest('stopped'); // through the processes that run (and the paused one: no answer)
      await new Promise((r) => setTimeout(r, 1000));
      await load.stop();
    } finally {
      paused.d.signal('SIGCONT');
    }
    await waitFor(async () => (roleOf(paused) === 'follower' ? true : undefined), 30_000).catch((e) => {
      console.error('the paused process, last events:\n', paused.d.stderr.split('\n').slice(-40).join('\n'));
      throw e;
    });
    expect(paused.d.stderr).toMatch(/"event":"(log:lease-lost|daemon:role-change)"/);
    const leader = leaderNow() as Proc;
    expect(leader).not.toBe(paused);
    const size = await checkLog(leader);
    expect(size).toBeGreaterThan(before);
  }, 180_000);

  it('answers 503 with a code while PostgreSQL restarts under load, and loses nothing acknowledged', async () => {
    const load = ingest('pg');
    await new Promise((r) => setTimeout(r, 800));
    await server().stop('fast');
    await new Promise((r) => setTimeout(r, 1500));
    await server().start();
    await new Promise((r) => setTimeout(r, 1500));
    const statuses = await load.stop();
    expect(statuses).toContain(503);
    for (const p of alive()) expect(p.d.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Back to work: one leader, decisions taken, everything acknowledged proven.
    await waitFor(async () => leaderNow() ?? undefined, 60_000);
    await waitFor(
      async () => ((await post(leaderNow() as Proc, makeRecords(5, 'after'))) === 200 ? true : undefined),
      60_000,
      250,
    );
    await checkLog(leaderNow() as Proc);
  }, 240_000);
});
