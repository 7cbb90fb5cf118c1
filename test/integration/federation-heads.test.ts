/**
 * Sync heads with real daemons and real libp2p (node/federation/heads.ts): in a quiet federation the
 * modules' periodic rounds (policy, models, rosters, monitoring) ask nothing, because each peer's hello
 * shows the same heads — the charter's hello still goes out every round; a change made while a member is
 * down reaches it by those rounds once it is back (its heads differ). What the rounds exchange when heads
 * differ is the modules' own tests (policy.test.ts, registry-models.test.ts, registry-roster.test.ts,
 * monitoring.test.ts: catch-up by sync).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliJson } from '../helpers/cli.ts';
import { eventsOf } from '../helpers/events.ts';
import { createIdentity, type FedNode, restartFedNode, waitFor } from '../helpers/federation.ts';
import { formedThree } from '../helpers/formed-three.ts';

const [a, b, c] = formedThree();

/** Outbound request/response exchanges of `n` by protocol, from /metrics. */
async function asked(n: FedNode): Promise<Record<string, number>> {
  const res = await n.daemon.fetch('/metrics', { token: n.adminToken });
  const out: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^govfed_p2p_exchanges_total\{(.*)\} (\d+)$/gm)) {
    const labels = m[1] as string;
    if (!labels.includes('direction="outbound"')) continue;
    const protocol = /protocol="([^"]+)"/.exec(labels)?.[1] as string;
    out[protocol] = (out[protocol] ?? 0) + Number(m[2]);
  }
  return out;
}

const delta = (after: Record<string, number>, before: Record<string, number>, p: string) =>
  (after[p] ?? 0) - (before[p] ?? 0);

/** The modules' round protocols whose heads are in the hello. */
const MODULES = ['/govfed/policy/1.0.0', '/govfed/models/1.0.0', '/govfed/roster/1.0.0', '/govfed/monitoring/1.0.0'];

/** Waits until no module round of `nodes` asked anything for one sync interval (the formation settled). */
async function settled(nodes: readonly FedNode[]): Promise<void> {
  await waitFor(
    'the modules rounds to go quiet',
    async () => {
      const before = await Promise.all(nodes.map(asked));
      await new Promise((r) => setTimeout(r, 6000));
      const after = await Promise.all(nodes.map(asked));
      return nodes.every((_, i) =>
        MODULES.every((p) => delta(after[i] as Record<string, number>, before[i] as Record<string, number>, p) === 0),
      );
    },
    90_000,
  );
}

describe('sync heads in the hello', () => {
  describe('when the federation is quiet', () => {
    it("runs the charter's hello every round and asks nothing of the modules", async () => {
      await settled([a, b, c]);
      const before = await asked(a);
      await new Promise((r) => setTimeout(r, 16_000)); // three sync rounds (5 s)
      const after = await asked(a);
      // Each round a says hello to both others: the rounds ran.
      expect(delta(after, before, '/govfed/sync/1.0.0')).toBeGreaterThanOrEqual(4);
      for (const p of MODULES) expect(delta(after, before, p), p).toBe(0);
    }, 150_000);
  });

  describe('when a member was down while a roster changed', () => {
    it('gets it by the rounds once back (the heads differ), and the rounds go quiet again', async () => {
      await c.daemon.stop();
      const keyFile = path.join(a.tmp, 'heads-alice.key');
      const r = await createIdentity(a, 'alice', 'risk_officer', keyFile);
      c.daemon = await restartFedNode(c);
      await waitFor(
        "c to hold a's new roster",
        async () => {
          const held = await runCliJson<{ version: number }>([
            'identity',
            'list',
            '--org',
            'a',
            '--home',
            c.home,
            '--json',
          ]);
          return held.version >= r.rosterVersion;
        },
        60_000,
      );
      // c had no gossip of it: the roster came by a sync round.
      expect(eventsOf(c.daemon, 'registry:roster').some((e) => e.rosterOrg === 'a' && e.via === 'sync')).toBe(true);
      await settled([a, b, c]);
    }, 180_000);
  });
});
