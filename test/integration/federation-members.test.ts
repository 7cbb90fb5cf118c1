/**
 * Members leave and are removed; a signature is taken back — with real daemons, the real CLI and real
 * libp2p on 127.0.0.1 (node/federation/changes.ts, protocol/federation/{proposal,withdrawal}.ts):
 *   - `federation remove --org` (rule `removal`, admission threshold): every member takes the version,
 *     the removed node hears it and departs; one that was offline learns it when it comes back, and departs;
 *   - `federation leave`: complete with the leaver's own signature; it departs, the others go on;
 *   - `federation withdraw`: a pending invite that blocked every other change goes, at the other member too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import {
  type FedNode,
  type FedStatus,
  fedCli,
  fedCliRaw,
  fedStatus,
  formFederation,
  restartFedNode,
  startFedNode,
  waitFor,
  waitForVersion,
} from '../helpers/federation.ts';

type Departed = { federationId: string; version: number; reason: string };
type Status = FedStatus & { departed?: Departed; proposals: { id: string; signedBy: string[] }[] };

let a: FedNode;
let b: FedNode;
let c: FedNode;
let d: FedNode;
let e: FedNode;
let federationId: string;

beforeAll(async () => {
  [a, b, c, d, e] = await Promise.all([
    startFedNode('a', 'DE'),
    startFedNode('b', 'FR'),
    startFedNode('c', 'IT'),
    startFedNode('d', 'ES'),
    startFedNode('e', 'NL'),
  ]);
  ({ federationId } = await formFederation([a, b, c, d, e]));
}, 240_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all([a, b, c, d, e].map((n) => removeDir(n.tmp)));
});

const status = (n: FedNode) => fedStatus(n) as Promise<Status>;
const orgs = (s: FedStatus) => s.members.map((m) => m.org).sort();

describe('federation remove', () => {
  describe('when a member removes another at admission threshold 1', () => {
    it('every member takes the new version, and the removed node departs with reason "removed"', async () => {
      const r = await fedCli<{ status: FedStatus }>(a, ['remove', '--org', 'e']);
      expect(r.status.charterVersion).toBe(6);
      const after = await waitForVersion([a, b, c, d], 6, 60_000);
      for (const s of after) expect(orgs(s)).toEqual(['a', 'b', 'c', 'd']);
      const gone = await waitFor('e departs', async () => {
        const s = await status(e);
        return s.federated === false ? s : undefined;
      });
      expect(gone.departed).toMatchObject({ federationId, version: 6, reason: 'removed' });
      const text = await runCli(['federation', 'status', '--home', e.home]);
      expect(text.stdout).toContain('removed by the other members at charter version 6');
    }, 90_000);
  });

  describe('when the removed member was offline and comes back believing it is a member', () => {
    it('learns from the members the version that removed it, and departs with reason "removed"', async () => {
      await d.daemon.stop();
      await fedCli(b, ['remove', '--org', 'd']);
      await waitForVersion([a, b, c], 7, 60_000);
      d.daemon = await restartFedNode(d);
      // d still holds version 6: it dials its old peers; their gate lets it in only to learn version 7
      // (node/federation/sync.ts serveDeparted), which it verifies, sees itself gone, and departs.
      const gone = await waitFor(
        'd departs',
        async () => {
          const s = await status(d);
          return s.federated === false ? s : undefined;
        },
        60_000,
      );
      expect(gone.departed).toMatchObject({ federationId, version: 7, reason: 'removed' });
      expect(d.daemon.stderr).toMatch(/"event":"federation:departed".*"reason":"removed"/);
      for (const n of [a, b, c]) expect((await status(n)).members.map((m) => m.org)).not.toContain('d');
    }, 90_000);
  });

  describe('when the org is not a member, or missing', () => {
    it('refuses: ERR_NOT_FOUND naming the members (exit 4), a usage error without --org (exit 2)', async () => {
      const r = await fedCliRaw(a, ['remove', '--org', 'nobody']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_NOT_FOUND' });
      expect(JSON.parse(r.stdout).message).toContain('members: a, b, c');
      expect((await fedCliRaw(a, ['remove'])).code).toBe(2);
    });
  });
});

describe('federation leave', () => {
  describe('when a member leaves', () => {
    it('the change is complete with its own signature; it departs with reason "left", the others go on', async () => {
      const raw = await fedCliRaw(c, ['leave']);
      expect(raw.code, raw.stdout + raw.stderr).toBe(0);
      const r = JSON.parse(raw.stdout) as { status: Status };
      expect(r.status.federated).toBe(false);
      const after = await waitForVersion([a, b], 8, 60_000);
      for (const s of after) expect(orgs(s)).toEqual(['a', 'b']);
      const s = await waitFor('c departs', async () => {
        const v = await status(c);
        return v.federated === false ? v : undefined;
      });
      expect(s.departed).toMatchObject({ federationId, version: 8, reason: 'left' });
    }, 90_000);
  });

  describe('when the node restarts after leaving', () => {
    it('is still in no federation and still says which one it left', async () => {
      await c.daemon.stop();
      c.daemon = await restartFedNode(c);
      const s = await status(c);
      expect(s.federated).toBe(false);
      expect(s.departed).toMatchObject({ federationId, reason: 'left' });
    }, 60_000);
  });
});

describe('federation withdraw', () => {
  describe('when a pending invite blocks every other change, and its maker withdraws it', () => {
    it('is dropped here and at the other member, and the maker may make another change', async () => {
      await fedCli(a, ['set-threshold', '--admission', '2']);
      await waitForVersion([a, b], 9, 60_000);
      // e (removed above, now in no federation) is invited again: pending, it needs b's signature too.
      const invited = await fedCliRaw(a, [
        'invite',
        '--org',
        'e',
        '--peer-id',
        e.init.peerId,
        '--out',
        `${a.tmp}/e2.invite.json`,
      ]);
      expect(invited.code, invited.stderr).toBe(0);
      const pending = await waitFor('the invite pending at b', async () => {
        const p = (await status(b)).proposals;
        return p.length === 1 ? p[0] : undefined;
      });
      const blocked = await fedCliRaw(a, ['set-threshold', '--policy', '2']);
      expect(JSON.parse(blocked.stdout).code).toBe('ERR_PROPOSAL_PENDING');

      const r = await fedCli<{ status: Status }>(a, ['withdraw', pending.id]);
      expect(r.status.proposals).toEqual([]);
      await waitFor('b drops it', async () => (await status(b)).proposals.length === 0);
      // Now a may sign another change for that version (pending: thresholds need the charter threshold, 2).
      const next = await fedCli<{ proposal?: { id: string } }>(a, ['set-threshold', '--policy', '2']);
      expect(next.proposal?.id).toMatch(/^sha256:/);
    }, 120_000);
  });

  describe('when the id names nothing, or a change this node did not sign', () => {
    it('refuses with ERR_NOT_FOUND, ERR_NOT_SIGNER (exit 4), and a usage error for a bad id (exit 2)', async () => {
      const none = await fedCliRaw(a, ['withdraw', 'abcdef0123']);
      expect(JSON.parse(none.stdout)).toMatchObject({ code: 'ERR_NOT_FOUND' });
      const pending = await waitFor('a change pending at b', async () => (await status(b)).proposals[0]);
      const notMine = await fedCliRaw(b, ['withdraw', pending.id]);
      expect(notMine.code).toBe(4);
      expect(JSON.parse(notMine.stdout)).toMatchObject({ code: 'ERR_NOT_SIGNER' });
      expect((await fedCliRaw(b, ['withdraw', 'xyz'])).code).toBe(2);
    }, 60_000);
  });

  describe('when the only member tries to leave', () => {
    it('refuses with ERR_LAST_MEMBER', async () => {
      const r = await fedCliRaw(c, ['create', '--name', 'solo']);
      expect(r.code, r.stderr).toBe(0);
      const left = await fedCliRaw(c, ['leave']);
      expect(left.code).toBe(4);
      expect(JSON.parse(left.stdout)).toMatchObject({ code: 'ERR_LAST_MEMBER' });
    }, 60_000);
  });
});
