/**
 * Monitoring with real daemons, real libp2p and the real CLI (issue 15; docs/monitoring.md): three orgs —
 * a (DE), b (FR), c (IT). alice registers two versions with contracts and monitors (`model register
 * --contract --baseline`):
 *   - drift@1.0.0: psi of output.score against a uniform baseline, windows of 100 decisions, suspend on a
 *     breach. b logs 100 decisions like the baseline (no breach), then 100 drifted ones: b's window
 *     breaches, every node shows the flag, and b's monitor identity suspends the version — every node then
 *     denies its decisions (`suspended`).
 *   - fair@1.0.0: disparate_impact_ratio over context.group, flag on a breach. c logs a biased stream:
 *     the four-fifths alarm trips, with the ratio of the two large groups (the small one is not judged).
 *   - cand@1.0.0: denial_rate, deployed on c in shadow mode: `model promote` is refused while its shadow
 *     window breaches, and takes it live once the next window does not.
 *   - shift@1.0.0 live and shift@2.0.0 in shadow on c, each within its psi threshold of the baseline but
 *     drifted opposite ways: `model promote` is refused, the candidate differing from live beyond it.
 *   - a member stopped while a window is signed and gossiped gets it, verified, by anti-entropy (sync)
 *     once it is back;
 *   - a restarted node verifies the windows it stored again and shows their flags.
 * Only bins and counts travel: the windows every node holds carry no decision.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { psi } from '../../protocol/monitoring/psi.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { denyRules, type Entry } from '../helpers/decisions.ts';
import { eventsOf } from '../helpers/events.ts';
import { type FedNode, restartFedNode, waitFor } from '../helpers/federation.ts';
import { approve, CARD, key, registryNodes, waitForStatus } from '../helpers/registry.ts';

let nodes: FedNode[];
let a: FedNode;
let b: FedNode;
let c: FedNode;
const DRIFT = 'a/drift@1.0.0';
const FAIR = 'a/fair@1.0.0';
const CAND = 'a/cand@1.0.0';

interface WindowView {
  org: string;
  name?: string;
  metric: string;
  seq: number;
  decisions: number;
  value: number | null;
  threshold: number;
  breach: boolean;
  counts: Record<string, unknown>;
  envelope: unknown;
}
interface Monitoring {
  model: string;
  flags: { org: string; name?: string; value: number | null; threshold: number }[];
  windows: WindowView[];
}

const monitor = (n: FedNode, ref: string) =>
  runCliJson<Monitoring>(['model', 'monitor', ref, '--home', n.home, '--json']);

async function file(n: FedNode, name: string, body: unknown): Promise<string> {
  const p = path.join(n.tmp, name);
  await writeFile(p, JSON.stringify(body));
  return p;
}

async function register(name: string, terms: unknown, baseline?: unknown, version = '1.0.0'): Promise<void> {
  const dir = path.join(a.tmp, `${name}-${version}-model`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'weights.bin'), `${name} ${version} weights`);
  const args = ['model', 'register', '--name', name, '--version', version, '--path', dir, '--card', CARD];
  args.push('--contract', await file(a, `${name}-${version}-contract.json`, terms));
  if (baseline !== undefined) args.push('--baseline', await file(a, `${name}-${version}-baseline.json`, baseline));
  await runCliJson([...args, '--key', key(a, 'alice'), '--home', a.home, '--json']);
}

/** Posts records in one request to n; the reply's entries. */
async function post(n: FedNode, records: Record<string, unknown>[]): Promise<Entry[]> {
  const res = await n.daemon.fetch('/v1/decisions', {
    method: 'POST',
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Entry[] }).entries;
}

/** 100 scores: one in each hundredth of [0, 1) (like the baseline), or all in [0.9, 1) (drifted). */
const scores = (drifted: boolean) =>
  Array.from({ length: 100 }, (_, i) => (drifted ? 0.9 + i / 1000 : i / 100 + 0.005));

beforeAll(async () => {
  nodes = await registryNodes([]);
  [a, b, c] = nodes as [FedNode, FedNode, FedNode];
  // The baseline: 1,000 scores spread evenly over [0, 1), cut into 10 quantile bins by the CLI.
  const values = Array.from({ length: 1000 }, (_, i) => i / 1000);
  await register(
    'drift',
    {
      requiredMonitors: [
        { metric: 'psi', field: 'output.score', window: { decisions: 100 }, onBreach: 'suspend' },
        { metric: 'denial_rate', threshold: 0.5, window: { decisions: 100 }, onBreach: 'flag' },
      ],
    },
    { fields: { 'output.score': { values } } },
  );
  await register('fair', {
    requiredMonitors: [
      {
        metric: 'disparate_impact_ratio',
        groupField: 'context.group',
        positive: 'decision.output.approved == true',
        window: { decisions: 130 },
        onBreach: 'flag',
      },
    ],
  });
  await register('cand', {
    allowedPurposes: ['credit'],
    requiredMonitors: [{ metric: 'denial_rate', threshold: 0.5, window: { decisions: 20 }, onBreach: 'suspend' }],
  });
  for (const ref of [DRIFT, CAND]) {
    expect((await approve(a, 'ana', ref)).code).toBe(0);
    expect((await approve(b, 'bea', ref)).code).toBe(0);
    await waitForStatus(nodes, ref, 'approved', 2);
  }
  await waitForStatus(nodes, FAIR, 'pending');
}, 300_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all((nodes ?? []).map((n) => removeDir(n.tmp)));
});

describe('psi', () => {
  it('signs a window like the baseline without a breach, and every member holds it', async () => {
    await post(
      b,
      scores(false).map((score) => ({ model: DRIFT, output: { score } })),
    );
    for (const n of nodes) {
      await waitFor(`${n.org} to hold b's first psi window`, async () => {
        const m = await monitor(n, DRIFT);
        return m.windows.some((w) => w.org === 'b' && w.metric === 'psi' && w.seq === 1);
      });
    }
    const m = await monitor(c, DRIFT);
    const w = m.windows.find((x) => x.org === 'b' && x.metric === 'psi') as WindowView;
    expect(w).toMatchObject({ decisions: 100, breach: false, threshold: 0.25, name: 'psi:output.score' });
    // Ten in each decile of the baseline: PSI 0 — and the window holds bins and counts, no score.
    expect(w.counts).toEqual({ bins: new Array(10).fill(10), missing: 0 });
    expect(w.value).toBeCloseTo(0, 12);
    expect(m.flags).toEqual([]);
  }, 60_000);

  it('raises a breach on the node that sees a drifted stream and, with suspend, stops the model everywhere', async () => {
    const before = await post(a, [{ model: DRIFT, output: { score: 0.5 } }]);
    expect(denyRules(before[0] as Entry, 'registry')).toEqual([]);
    await post(
      b,
      scores(true).map((score) => ({ model: DRIFT, output: { score } })),
    );
    // Everything in the top decile: far above 0.25, exactly what the signed counts give.
    const expected = psi(new Array(10).fill(0.1), [0, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
    for (const n of nodes) {
      await waitFor(`${n.org} to show b's psi flag`, async () => {
        const m = await monitor(n, DRIFT);
        return m.flags.some((f) => f.org === 'b' && f.name === 'psi:output.score');
      });
      const detail = await runCliJson<{ monitoring: { flags: { org: string; value: number }[] } }>([
        'model',
        'show',
        DRIFT,
        '--home',
        n.home,
        '--json',
      ]);
      expect(detail.monitoring.flags.find((f) => f.org === 'b')?.value).toBeCloseTo(expected, 9);
    }
    expect(eventsOf(b.daemon, 'monitoring:breach').some((e) => e.model === DRIFT && e.windowOrg === 'b')).toBe(true);
    expect(eventsOf(a.daemon, 'monitoring:breach').some((e) => e.model === DRIFT && e.windowOrg === 'b')).toBe(true);
    await waitFor("b's monitor to suspend the version", async () =>
      eventsOf(b.daemon, 'monitoring:suspended').some((e) => e.model === DRIFT),
    );
    for (const n of nodes) {
      await waitFor(`${n.org} to deny decisions of ${DRIFT} (suspended)`, async () => {
        const [e] = await post(n, [{ model: DRIFT, output: { score: 0.5 } }]);
        return denyRules(e as Entry, 'registry').includes('suspended');
      });
    }
    const kill = (
      await runCliJson<{ kill: { state: string; by: string[]; reason?: string } }>([
        'model',
        'show',
        DRIFT,
        '--home',
        c.home,
        '--json',
      ])
    ).kill;
    expect(kill).toMatchObject({ state: 'suspended', by: ['b/monitor'] });
    const metrics = await (await b.daemon.fetch('/metrics', { token: b.adminToken })).text();
    expect(metrics).toMatch(/govfed_monitor_flags\{[^}]*model="a\/drift@1\.0\.0"[^}]*\} 1/);
    expect(metrics).toMatch(/govfed_monitor_windows_total\{metric="psi",breach="true"\} 1/);
  }, 90_000);
});

describe('disparate_impact_ratio', () => {
  it('trips the four-fifths alarm on a biased stream; a group below 30 decisions is reported, not judged', async () => {
    const records: Record<string, unknown>[] = [];
    // x: 48 of 60 approved (80 %); y: 18 of 60 (30 %); z: 10 of 10 (too few to judge).
    for (let i = 0; i < 60; i++) records.push({ model: FAIR, output: { approved: i < 48 }, context: { group: 'x' } });
    for (let i = 0; i < 60; i++) records.push({ model: FAIR, output: { approved: i < 18 }, context: { group: 'y' } });
    for (let i = 0; i < 10; i++) records.push({ model: FAIR, output: { approved: true }, context: { group: 'z' } });
    await post(c, records);
    for (const n of [a, b]) {
      await waitFor(`${n.org} to show c's disparate impact flag`, async () => {
        const m = await monitor(n, FAIR);
        return m.flags.some((f) => f.org === 'c');
      });
    }
    const m = await monitor(a, FAIR);
    const w = m.windows.find((x) => x.org === 'c') as WindowView;
    expect(w.value).toBeCloseTo(0.3 / 0.8, 12);
    expect(w).toMatchObject({ breach: true, threshold: 0.8, decisions: 130 });
    expect(w.counts).toEqual({
      groups: [
        { group: 'x', n: 60, positive: 48 },
        { group: 'y', n: 60, positive: 18 },
        { group: 'z', n: 10, positive: 10 },
      ],
      missing: 0,
      overflow: 0,
    });
    // onBreach "flag": the version is flagged, not stopped.
    const [e] = await post(c, [{ model: FAIR, output: { approved: true }, context: { group: 'x' } }]);
    expect(denyRules(e as Entry, 'registry')).toEqual([]);
    const table = await runCli(['model', 'monitor', FAIR, '--home', b.home]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('BREACH (flag)');
  }, 60_000);
});

describe('model promote', () => {
  const promote = () => runCli(['model', 'promote', CAND, '--home', c.home, '--json']);
  const decisions = (purpose: string | undefined) =>
    Array.from({ length: 20 }, () => ({
      model: CAND,
      output: { score: 0.1 },
      ...(purpose === undefined ? {} : { context: { purpose } }),
    }));

  it('is refused for a version not in shadow mode, and while its shadow windows breach; then takes it live', async () => {
    const notShadow = await promote();
    expect(notShadow.code).toBe(1);
    expect(JSON.parse(notShadow.stdout)).toMatchObject({ code: 'ERR_PROMOTE_REFUSED' });
    expect((await runCli(['model', 'deploy', CAND, '--shadow', '--home', c.home, '--json'])).code).toBe(0);
    // 20 decisions without a purpose: all denied by the contract — the shadow window breaches.
    const entries = await post(c, decisions(undefined));
    expect(entries.every((e) => e.flags?.includes('shadow'))).toBe(true);
    await waitFor("c's shadow window of cand", async () => (await monitor(c, CAND)).flags.length > 0);
    const refused = await promote();
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ code: 'ERR_PROMOTE_REFUSED' });
    expect(JSON.parse(refused.stdout).message).toContain('denial_rate');
    // A shadow window flags, it never suspends: the version is not serving.
    expect(eventsOf(c.daemon, 'monitoring:suspended').some((e) => e.model === CAND)).toBe(false);
    // The next window is clean: the flag clears and the candidate goes live.
    await post(c, decisions('credit'));
    await waitFor("c's clean window of cand", async () => (await monitor(c, CAND)).flags.length === 0);
    const ok = await promote();
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ org: 'c', shadow: false, action: 'deploy' });
  }, 60_000);
});

describe('model promote against the live version', () => {
  it('is refused while the candidate differs from the live version beyond the psi threshold; taken live once alike', async () => {
    const terms = {
      requiredMonitors: [{ metric: 'psi', field: 'output.score', window: { decisions: 100 }, onBreach: 'flag' }],
    };
    const baseline = { fields: { 'output.score': { values: Array.from({ length: 1000 }, (_, i) => i / 1000) } } };
    const [v1, v2] = ['a/shift@1.0.0', 'a/shift@2.0.0'];
    for (const version of ['1.0.0', '2.0.0']) await register('shift', terms, baseline, version);
    for (const ref of [v1, v2]) {
      expect((await approve(a, 'ana', ref)).code).toBe(0);
      expect((await approve(b, 'bea', ref)).code).toBe(0);
      await waitForStatus(nodes, ref, 'approved', 2);
    }
    // 100 scores per decile counts: low-heavy for live, high-heavy for the candidate (PSI ≈ 0.22 each
    // against the uniform baseline: no breach; ≈ 0.88 against each other).
    const stream = (ref: string, perDecile: number[]) =>
      perDecile.flatMap((k, d) => Array.from({ length: k }, () => ({ model: ref, output: { score: d / 10 + 0.05 } })));
    const low = [15, 15, 15, 15, 10, 10, 5, 5, 5, 5];
    expect((await runCli(['model', 'deploy', v1, '--home', c.home, '--json'])).code).toBe(0);
    await post(c, stream(v1, low));
    expect((await runCli(['model', 'deploy', v2, '--shadow', '--home', c.home, '--json'])).code).toBe(0);
    await post(c, stream(v2, [...low].reverse()));
    for (const ref of [v1, v2]) {
      await waitFor(`c's window of ${ref}`, async () => (await monitor(c, ref)).windows.some((w) => w.org === 'c'));
      expect((await monitor(c, ref)).flags).toEqual([]);
    }
    const refused = await runCli(['model', 'promote', v2, '--home', c.home, '--json']);
    expect(refused.code).toBe(1);
    const err = JSON.parse(refused.stdout) as { code: string; message: string };
    expect(err.code).toBe('ERR_PROMOTE_REFUSED');
    expect(err.message).toContain(`monitor psi:output.score on c: the candidate differs from live ${v1}`);
    expect(err.message).not.toContain('breaches');
    // The next candidate window is like live's: the promotion goes through.
    await post(c, stream(v2, low));
    await waitFor(`c's second window of ${v2}`, async () =>
      (await monitor(c, v2)).windows.some((w) => w.org === 'c' && w.seq === 2),
    );
    const ok = await runCli(['model', 'promote', v2, '--home', c.home, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ org: 'c', shadow: false, action: 'deploy' });
  }, 120_000);
});

describe('anti-entropy', () => {
  it('gives a member that was stopped while a window was gossiped that window by sync', async () => {
    await c.daemon.stop();
    // a logs a fair stream while c is down: x and y 65 decisions each, half approved (ratio 1).
    const records: Record<string, unknown>[] = [];
    for (const group of ['x', 'y']) {
      for (let i = 0; i < 65; i++) records.push({ model: FAIR, output: { approved: i % 2 === 0 }, context: { group } });
    }
    await post(a, records);
    await waitFor("b to hold a's fair window", async () => (await monitor(b, FAIR)).windows.some((w) => w.org === 'a'));
    await restartFedNode(c);
    await waitFor("c to get a's fair window by sync", async () =>
      eventsOf(c.daemon, 'monitoring:window').some((e) => e.windowOrg === 'a' && e.model === FAIR && e.via === 'sync'),
    );
    const w = (await monitor(c, FAIR)).windows.find((x) => x.org === 'a') as WindowView;
    expect(w).toMatchObject({ seq: 1, decisions: 130, breach: false });
    expect(w.value).toBeCloseTo(1, 12);
  }, 90_000);
});

describe('a restart', () => {
  it('keeps the windows a node holds (verified again from DIR/monitoring), and their flags', async () => {
    const before = (await monitor(c, FAIR)).windows.find((w) => w.org === 'c') as WindowView;
    await c.daemon.stop();
    await restartFedNode(c);
    await waitFor('c to hold its fair window again after the restart', async () => {
      const m = await monitor(c, FAIR).catch(() => undefined);
      return m?.windows.some((w) => w.org === 'c' && w.seq === before.seq && w.breach) === true;
    });
    expect((await monitor(c, FAIR)).flags.map((f) => f.org)).toEqual(['c']);
  }, 90_000);
});
