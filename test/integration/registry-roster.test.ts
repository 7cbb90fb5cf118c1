/**
 * People, keys and roles with real daemons, real libp2p and the real CLI (node/registry/rosters.ts,
 * protocol/registry/roster.ts, cli identity create|list|revoke): a person added on a's node is on a's
 * roster at b and c (gossip); a revocation too; a node stopped during a change catches up by sync after
 * its restart; every roster version is a `registry.roster` leaf in each node's log; the key file is 0600
 * and never overwritten; bad input is refused before anything is written.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIdentityKey } from '../../node/registry/identity-key.ts';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { eventsOf } from '../helpers/events.ts';
import { createIdentity, type FedNode, restartFedNode, waitFor } from '../helpers/federation.ts';
import { formedThree } from '../helpers/formed-three.ts';

interface RosterView {
  org: string;
  version: number;
  people: { name: string; role: string; publicKey: string }[];
  revoked: { name: string }[];
}

const [a, b, c] = formedThree();

const list = (viewer: FedNode, org: string) =>
  runCliJson<RosterView>(['identity', 'list', '--org', org, '--home', viewer.home, '--json']);
const waitForRoster = (nodes: FedNode[], org: string, version: number) =>
  Promise.all(
    nodes.map((n) =>
      waitFor(
        `${n.org} to hold ${org}'s roster v${version}`,
        async () => (await list(n, org)).version >= version,
        60_000,
      ),
    ),
  );

describe('identity create', () => {
  describe('when a adds alice (risk_officer)', () => {
    it("writes her key (0600) and every member holds a's roster with her public key", async () => {
      const keyFile = path.join(a.tmp, 'alice.key');
      const r = await createIdentity(a, 'alice', 'risk_officer', keyFile);
      expect(r.rosterVersion).toBe(1);
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const key = await readIdentityKey(keyFile);
      expect(Buffer.from(key.publicKey).toString('base64')).toBe(r.publicKey);
      await waitForRoster([b, c], 'a', 1);
      for (const n of [a, b, c]) {
        expect((await list(n, 'a')).people).toEqual([
          expect.objectContaining({ name: 'alice', role: 'risk_officer', publicKey: r.publicKey }),
        ]);
      }
      // The node never saw the private key: nothing under a's home holds the PEM.
      expect(JSON.stringify(await readFile(path.join(a.home, 'registry', 'state.json'), 'utf8'))).not.toContain(
        'PRIVATE KEY',
      );
      // Each node logged the roster version it took.
      for (const n of [a, b, c]) {
        await waitFor(`${n.org} to log a's roster`, async () =>
          eventsOf(n.daemon, 'registry:roster').some((e) => e.rosterOrg === 'a'),
        );
      }
    }, 90_000);
  });

  describe('when the name is taken, the role unknown, the key file exists, or an argument is missing', () => {
    it('fails (exit 2 for usage, 4 for a name taken) and leaves no key file behind', async () => {
      const file = (n: string) => path.join(a.tmp, n);
      const taken = await runCli([
        'identity',
        'create',
        '--name',
        'alice',
        '--role',
        'legal',
        '--key-out',
        file('x.key'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(taken.code).toBe(4);
      expect(JSON.parse(taken.stdout)).toMatchObject({ code: 'ERR_IDENTITY_EXISTS' });
      await expect(stat(file('x.key'))).rejects.toMatchObject({ code: 'ENOENT' });
      const badRole = await runCli([
        'identity',
        'create',
        '--name',
        'bob',
        '--role',
        'ceo',
        '--key-out',
        file('y.key'),
        '--home',
        a.home,
      ]);
      expect(badRole.code).toBe(2);
      await writeFile(file('exists.key'), 'mine', { mode: 0o600 });
      const exists = await runCli([
        'identity',
        'create',
        '--name',
        'bob',
        '--role',
        'legal',
        '--key-out',
        file('exists.key'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(JSON.parse(exists.stdout)).toMatchObject({ code: 'ERR_FILE_EXISTS' });
      expect(await readFile(file('exists.key'), 'utf8')).toBe('mine');
      expect((await runCli(['identity', 'create', '--name', 'bob', '--home', a.home])).code).toBe(2);
      expect(
        (
          await runCli([
            'identity',
            'create',
            '--name',
            '../x',
            '--role',
            'legal',
            '--key-out',
            file('z.key'),
            '--home',
            a.home,
          ])
        ).code,
      ).toBe(2);
      expect((await list(a, 'a')).version).toBe(1);
    }, 60_000);
  });
});

describe('identity revoke', () => {
  describe('when c is down while a adds bob and revokes alice', () => {
    it('every member holds the new roster; c catches up by sync after its restart', async () => {
      await c.daemon.stop();
      await runCliJson([
        'identity',
        'create',
        '--name',
        'bob',
        '--role',
        'legal',
        '--key-out',
        path.join(a.tmp, 'bob.key'),
        '--home',
        a.home,
        '--json',
      ]);
      const r = await runCliJson<RosterView>(['identity', 'revoke', 'alice', '--home', a.home, '--json']);
      expect(r.version).toBe(3);
      expect(r.people.map((p) => p.name)).toEqual(['bob']);
      expect(r.revoked.map((p) => p.name)).toEqual(['alice']);
      await waitForRoster([b], 'a', 3);
      c.daemon = await restartFedNode(c);
      await waitForRoster([c], 'a', 3);
      const atC = await list(c, 'a');
      expect(atC.people.map((p) => p.name)).toEqual(['bob']);
      expect(eventsOf(c.daemon, 'registry:roster').some((e) => e.rosterOrg === 'a' && e.via === 'sync')).toBe(true);
    }, 120_000);
  });
  describe('when the name is not on the roster', () => {
    it('is ERR_NOT_FOUND (exit 4) and changes nothing', async () => {
      const r = await runCli(['identity', 'revoke', 'nobody', '--home', a.home, '--json']);
      expect(JSON.parse(r.stdout)).toMatchObject({ code: 'ERR_NOT_FOUND' });
      expect((await list(a, 'a')).version).toBe(3);
    }, 30_000);
  });
});
