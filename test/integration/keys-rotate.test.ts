/**
 * `govfed keys rotate --witness` with real daemons, real libp2p and the real CLI (node/federation/
 * rotation.ts): the charter change is taken by every member; the node writes the new key to
 * keys/witness.key, config.json and its member card; members accept its cosignatures under the new key
 * (and the charter lists only that one); it restarts with it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exists } from '../../node/home/fs.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import {
  type FedNode,
  fedStatus,
  formFederation,
  restartFedNode,
  startFedNode,
  waitFor,
  waitForVersion,
} from '../helpers/federation.ts';
import { ingest } from '../helpers/netfed.ts';

let a: FedNode;
let b: FedNode;
let c: FedNode;

beforeAll(async () => {
  [a, b, c] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR'), startFedNode('c', 'IT')]);
  await formFederation([a, b, c]);
}, 180_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all([a, b, c].map((n) => removeDir(n.tmp)));
});

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

  describe('when asked without --witness, or the node is in no federation', () => {
    it('is a usage error (exit 2), and ERR_NO_FEDERATION (exit 4)', async () => {
      expect((await runCli(['keys', 'rotate', '--home', a.home])).code).toBe(2);
      const solo = await startFedNode('solo', 'EU');
      const r = await runCli(['keys', 'rotate', '--witness', '--home', solo.home, '--json']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 'ERR_NO_FEDERATION' });
    }, 60_000);
  });
});
