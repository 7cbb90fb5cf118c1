/**
 * Charter freshness with real daemons (issue 12): three nodes with short freshness timing in config.json
 * are fresh; the two others stop, and the one left — cut off from every other member — reports itself
 * stale in GET /v1/federation, GET /healthz, GET /metrics, `govfed federation status` and its event log
 * once the window passed; when the two come back it is fresh again.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons } from '../helpers/daemon.ts';
import { type FedNode, fedStatus, formFederation, restartFedNode, waitFor } from '../helpers/federation.ts';
import { metricValue } from '../helpers/records.ts';

/** A statement every 300 ms, living 1.5 s; stale 1 s after the last majority lapsed. */
const FRESHNESS = { intervalMs: 300, lifetimeMs: 1500, staleAfterMs: 1000 };

interface Freshness {
  fresh: boolean;
  stale: boolean;
  freshFrom: number;
  needed: number;
  reason: string;
  lastFreshAt: string | null;
  members: Record<string, { version: number; confirms: boolean }>;
}

let nodes: FedNode[] = [];

/** `govfed init` (libp2p on 127.0.0.1:0), the freshness timing written into config.json, `govfed start`. */
async function startNode(org: string, jurisdiction: string): Promise<FedNode> {
  const n = await initNode(org, ['--jurisdiction', jurisdiction, '--listen', '/ip4/127.0.0.1/tcp/0']);
  const file = path.join(n.home, 'config.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, `${JSON.stringify({ ...config, freshness: FRESHNESS }, null, 2)}\n`);
  return { ...n, org, daemon: await DaemonProcess.start(n.home) };
}

async function freshness(n: FedNode): Promise<Freshness> {
  const s = await fedStatus(n);
  return s.modules?.freshness as unknown as Freshness;
}

async function healthz(n: FedNode): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await n.daemon.fetch('/healthz');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function gauge(n: FedNode, name: string): Promise<number | undefined> {
  const res = await n.daemon.fetch('/metrics', { token: n.adminToken });
  return metricValue(await res.text(), name);
}

beforeAll(async () => {
  for (const [org, j] of [
    ['eu', 'EU'],
    ['us', 'US'],
    ['apac', 'SG'],
  ] as const) {
    nodes.push(await startNode(org, j));
  }
  await formFederation(nodes);
}, 240_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all(nodes.map((n) => removeDir(n.tmp)));
  nodes = [];
});

describe('charter freshness across real daemons', () => {
  it('is fresh on all three, stale on the one cut off after the window, and fresh again when the others are back', async () => {
    const [eu, us, apac] = nodes as [FedNode, FedNode, FedNode];

    // 1. All three members confirm version 3 (genesis + two joins) to each other.
    for (const n of nodes) {
      await waitFor(`${n.org} fresh from all three`, async () => (await freshness(n)).freshFrom === 3, 60_000);
    }
    const f = await freshness(eu);
    expect(f).toMatchObject({ fresh: true, stale: false, needed: 2 });
    expect(f.members).toMatchObject({ us: { version: 3, confirms: true }, apac: { version: 3, confirms: true } });
    expect((await fedStatus(eu)).members.map((m) => (m as { statedVersion?: number }).statedVersion)).toEqual([
      3, 3, 3,
    ]);
    expect(await healthz(eu)).toEqual({ status: 200, body: { status: 'ok', writable: true } });
    expect(await gauge(eu, 'govfed_charter_fresh')).toBe(1);
    expect(await gauge(eu, 'govfed_charter_fresh_members')).toBe(3);

    // 2. eu is cut off: both other members stop. After their statements expire and the window passes,
    //    eu reports itself stale everywhere — while its log still works (/healthz stays 200).
    await us.daemon.stop();
    await apac.daemon.stop();
    const stale = await waitFor('eu stale', async () => {
      const x = await freshness(eu);
      return x.stale ? x : undefined;
    });
    expect(stale).toMatchObject({ fresh: false, freshFrom: 1, needed: 2 });
    expect(stale.lastFreshAt).not.toBeNull();
    const h = await healthz(eu);
    expect(h).toEqual({
      status: 200,
      body: { status: 'degraded', code: 'ERR_FEDERATION_STALE', reason: expect.any(String), writable: true },
    });
    expect(await gauge(eu, 'govfed_charter_stale')).toBe(1);
    expect(await gauge(eu, 'govfed_charter_fresh')).toBe(0);
    const cli = await runCli(['federation', 'status', '--home', eu.home]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/charter freshness\s+STALE: only 1 of 3 members confirm charter version 3 \(2 needed\)/);
    await waitFor('a federation:stale event', async () => eu.daemon.stderr.includes('"event":"federation:stale"'));

    // 3. They come back (new ports; they dial eu from their address books): eu is fresh again.
    await restartFedNode(us);
    await restartFedNode(apac);
    await waitFor(
      'eu fresh again',
      async () => {
        const x = await freshness(eu);
        return x.fresh && !x.stale;
      },
      60_000,
    );
    expect(await healthz(eu)).toEqual({ status: 200, body: { status: 'ok', writable: true } });
    expect(await gauge(eu, 'govfed_charter_stale')).toBe(0);
    await waitFor('a federation:fresh event', async () => eu.daemon.stderr.includes('"event":"federation:fresh"'));
  }, 180_000);
});
