/**
 * `govfed keys rotate --witness` with real daemons, real libp2p and the real CLI (node/federation/
 * rotation.ts): the charter change is taken by every member; the node writes the new key to
 * keys/witness.key, config.json and its member card; members accept its cosignatures under the new key
 * (and the charter lists only that one); it restarts with it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists } from '../../node/home/fs.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { eventsOf } from '../helpers/events.ts';
import {
  type FedNode,
  fedStatus,
  restartFedNode,
  startFedNode,
  waitFor,
  waitForVersion,
} from '../helpers/federation.ts';
import { formedThree } from '../helpers/formed-three.ts';
import { ingest } from '../helpers/netfed.ts';

const [a, b, c] = formedThree();

const witnessKeyOf = async (viewer: FedNode, org: string) =>
  (await fedStatus(viewer)).members.find((m) => m.org === org)?.witnessKey;

describe('keys rotate --witness', () => {
  describe('when a rotates its witness key at charter threshold 1', () => {
    it('every member takes the new key, and a keeps it in keys/, config.json and its member card', async () => {
      const old = a.init.witnessKey as string;
      const r = await runCliJson<{ status: { charterVersion: number } }>([
        'keys',
        'rotate',
        '--witness',
        '--home',
        a.home,
        '--json',
      ]);
      expect(r.status.charterVersion).toBe(4);
      await waitForVersion([a, b, c], 4, 60_000);
      const fresh = await witnessKeyOf(a, 'a');
      expect(fresh).toMatch(/^govfed\/a\/witness\+/);
      expect(fresh).not.toBe(old);
      for (const n of [b, c]) expect(await witnessKeyOf(n, 'a')).toBe(fresh);
      await waitFor('config.json to name the new key', async () => {
        const config = JSON.parse(await readFile(path.join(a.home, 'config.json'), 'utf8')) as { witnessKey: string };
        return config.witnessKey === fresh;
      });
      expect(await exists(path.join(a.home, 'keys', 'witness.key.next'))).toBe(false);
      const card = await runCliJson<{ card: { witnessKey: string } }>(['member', 'card', '--home', a.home, '--json']);
      expect(JSON.stringify(card)).toContain(fresh as string);
    }, 90_000);
  });

  describe("when b's log grows after the rotation", () => {
    it("b's checkpoint is cosigned by a under the new key", async () => {
      const fresh = parseVerifierKey((await witnessKeyOf(b, 'a')) as string);
      await ingest(b, 5, 'after-rotation');
      const note = await waitFor(
        "b's checkpoint cosigned by a's new key",
        async () => {
          const res = await b.daemon.fetch('/v1/log/checkpoint', { token: b.adminToken });
          const text = await res.text();
          const opened = openCheckpoint(text, parseVerifierKey(b.init.verifierKey), [fresh]);
          return opened.verified.some((v) => v.name === fresh.name && v.keyHash === fresh.keyHash) ? text : undefined;
        },
        60_000,
      );
      expect(note).toContain('— govfed/a/witness');
    }, 90_000);
  });

  describe('when a restarts', () => {
    it('starts with the new key (keys/witness.key and config.json agree)', async () => {
      const fresh = await witnessKeyOf(a, 'a');
      await a.daemon.stop();
      a.daemon = await restartFedNode(a);
      // The daemon loads keys/witness.key and refuses to start unless config.json names the same key.
      const config = JSON.parse(await readFile(path.join(a.home, 'config.json'), 'utf8')) as { witnessKey: string };
      expect(config.witnessKey).toBe(fresh);
      expect(await witnessKeyOf(a, 'a')).toBe(fresh);
    }, 60_000);
  });
});

/** `govfed keys rotate --peer --json` on `n`'s node. */
const rotatePeer = <T>(n: FedNode) => runCliJson<T>(['keys', 'rotate', '--peer', '--home', n.home, '--json']);

describe('keys rotate --peer', () => {
  describe('when a rotates its peer key at charter threshold 1', () => {
    it('every member seats a under the new peer id; a restarts in place with it (keys/, config.json, card)', async () => {
      const old = (await fedStatus(a)).peerId;
      const before = (await fedStatus(b)).charterVersion as number;
      const r = await rotatePeer<{ status: { charterVersion: number } }>(a);
      expect(r.status.charterVersion).toBe(before + 1);
      await waitForVersion([b, c], before + 1, 60_000);
      const fresh = (await fedStatus(b)).members.find((m) => m.org === 'a')?.peerId as string;
      expect(fresh).toMatch(/^12D3KooW/);
      expect(fresh).not.toBe(old);
      expect((await fedStatus(c)).members.find((m) => m.org === 'a')?.peerId).toBe(fresh);
      // The same process, the same API address, a new identity.
      const self = await waitFor(
        'a to run under its new peer id',
        async () => {
          const s = await fedStatus(a).catch(() => undefined);
          return s?.peerId === fresh && s.federated ? s : undefined;
        },
        60_000,
      );
      expect(self.charterVersion).toBe(before + 1);
      const config = JSON.parse(await readFile(path.join(a.home, 'config.json'), 'utf8')) as { peerId: string };
      expect(config.peerId).toBe(fresh);
      expect(await exists(path.join(a.home, 'keys', 'peer.key.next'))).toBe(false);
      const card = await runCliJson<{ card: { peerId: string } }>(['member', 'card', '--home', a.home, '--json']);
      expect(card.card.peerId).toBe(fresh);
      // Not a departure: a's log says nothing of leaving.
      expect(eventsOf(a.daemon, 'federation:departed')).toEqual([]);
      expect(eventsOf(a.daemon, 'keys:rotated').map((e) => [e.key, e.id, e.restart])).toEqual([['peer', fresh, true]]);
      // Members talk to it under the new id again.
      for (const n of [b, c]) {
        await waitFor(
          `${n.org} to be connected to a's new peer id`,
          async () => (await fedStatus(n)).members.find((m) => m.org === 'a' && m.peerId === fresh)?.connected === true,
          60_000,
        );
      }
    }, 150_000);
  });

  describe("when a's log grows after the rotation", () => {
    it('its checkpoint is cosigned by b and c: they take its gossip under the new peer id', async () => {
      const indexes = await ingest(a, 5, 'after-peer-rotation');
      const size = Math.max(...indexes) + 1;
      const keys = [b, c].map((n) => parseVerifierKey(n.init.witnessKey as string));
      await waitFor(
        "a's new checkpoint cosigned by b and c",
        async () => {
          const res = await a.daemon.fetch('/v1/log/checkpoint', { token: a.adminToken });
          const text = await res.text();
          const opened = openCheckpoint(text, parseVerifierKey(a.init.verifierKey), keys);
          const cosigned = keys.every((k) => opened.verified.some((v) => v.name === k.name && v.keyHash === k.keyHash));
          return opened.checkpoint.size >= size && cosigned ? text : undefined;
        },
        60_000,
      );
    }, 90_000);
  });

  describe('when the charter threshold is 2', () => {
    it('the rotation waits for a co-signature; once b signs, a comes back under the newer peer id', async () => {
      await runCliJson(['federation', 'set-threshold', '--charter', '2', '--home', a.home, '--json']);
      const v = (await fedStatus(a)).charterVersion as number;
      await waitForVersion([a, b, c], v, 60_000);
      const old = (await fedStatus(a)).peerId;
      const r = await rotatePeer<{ proposal: { id: string; memberSignatures: number; required: number } }>(a);
      expect(r.proposal).toMatchObject({ memberSignatures: 1, required: 2 });
      expect(await exists(path.join(a.home, 'keys', 'peer.key.next'))).toBe(true);
      // Still the old identity while the change is pending.
      expect((await fedStatus(a)).peerId).toBe(old);
      await waitFor('b to hold the proposal', async () =>
        (await fedStatus(b)).proposals.some((p) => p.id === r.proposal.id),
      );
      await runCliJson(['federation', 'sign', r.proposal.id, '--home', b.home, '--json']);
      await waitForVersion([b, c], v + 1, 60_000);
      const fresh = (await fedStatus(b)).members.find((m) => m.org === 'a')?.peerId as string;
      expect(fresh).not.toBe(old);
      await waitFor(
        'a to run under its new peer id',
        async () => {
          const s = await fedStatus(a).catch(() => undefined);
          return s?.peerId === fresh && s.charterVersion === v + 1;
        },
        60_000,
      );
      expect(eventsOf(a.daemon, 'federation:departed')).toEqual([]);
    }, 150_000);
  });

  describe('when asked without --witness or --peer, with both, or the node is in no federation', () => {
    it('is a usage error (exit 2), and ERR_NO_FEDERATION (exit 4)', async () => {
      expect((await runCli(['keys', 'rotate', '--home', a.home])).code).toBe(2);
      expect((await runCli(['keys', 'rotate', '--witness', '--peer', '--home', a.home])).code).toBe(2);
      const solo = await startFedNode('solo', 'EU');
      const r = await runCli(['keys', 'rotate', '--witness', '--home', solo.home, '--json']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 'ERR_NO_FEDERATION' });
    }, 60_000);
  });
});
