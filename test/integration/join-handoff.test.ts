/**
 * A join whose hand-off reaches no bootstrap member. Two real daemons on 127.0.0.1: a founds the
 * federation and invites b; a is paused (SIGSTOP: connected, silent — a saturated machine looks the same)
 * while b joins, so b's hand-off of its admission to a times out. The join still succeeds — b holds the
 * charter that admits it — but its answer says that no member took the admission (`handoff.delivered`
 * 0) instead of looking like any other join. Once a answers again, b's sync rounds reach it, a pulls the
 * admission, and both hold version 2 with b a member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { adminPost, type FedNode, fedStatus, startFedNode, waitForVersion } from '../helpers/federation.ts';

let a: FedNode;
let b: FedNode;

beforeAll(async () => {
  [a, b] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR')]);
  await adminPost(a, '/v1/federation', { name: 'hand-off' });
}, 120_000);

afterAll(async () => {
  a?.daemon.signal('SIGCONT');
  await killAllDaemons();
  await Promise.all([a, b].filter((n) => n !== undefined).map((n) => removeDir(n.tmp)));
});

describe('joining while the only bootstrap member does not answer', () => {
  it('says that no member took the admission, and the admission arrives once the member answers', async () => {
    const inv = await adminPost(a, '/v1/federation/invites', {
      org: 'b',
      peerId: b.init.peerId,
      jurisdiction: 'FR',
      logKey: b.init.verifierKey,
      witnessKey: b.init.witnessKey,
    });
    a.daemon.signal('SIGSTOP');
    let joined: Record<string, unknown>;
    try {
      joined = await adminPost(b, '/v1/federation/join', { invite: inv.invite });
    } finally {
      a.daemon.signal('SIGCONT');
    }
    expect(joined.handoff).toEqual({ delivered: 0, bootstrap: 1 });
    expect((joined.status as { charterVersion: number }).charterVersion).toBe(2);
    expect(b.daemon.stderr).toContain('"event":"federation:bootstrap-failed"');

    const [atA] = await waitForVersion([a, b], 2, 60_000);
    expect(atA?.members.map((m) => m.org).sort()).toEqual(['a', 'b']);
    expect((await fedStatus(a)).members.find((m) => m.org === 'b')?.peerId).toBe(b.init.peerId);
  }, 120_000);
});
