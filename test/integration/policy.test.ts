/**
 * Policy orchestration as orgs run it: five real daemon processes on 127.0.0.1, real libp2p, a federation
 * with policy threshold 2, driven through the `govfed policy` CLI and the HTTP API.
 *
 *   1. a bundle signed by one member is applied nowhere; after the second signature every node applies
 *      it, enforces it on its next decision (reply and log leaf) and gossips a receipt that names the
 *      apply event in its own audit log.
 *   2. every malformed rule class is rejected at propose time with a pointed error.
 *   3. a local overlay denies what the baseline allows, and cannot allow what the baseline denies.
 *   4. a node stopped during two versions catches up by sync alone.
 *   5. rollback, replay, under-threshold, non-member-signed, wrong-previous, expired and forked bundles,
 *      pushed with a member's real key by sync and gossip, are rejected by every node with a typed reason.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberGate } from '../../node/p2p/gate.ts';
import { Host } from '../../node/p2p/host.ts';
import { requestOnce } from '../../node/p2p/request.ts';
import { PolicyStore } from '../../node/policy/store.ts';
import { fromBase64, toBase64 } from '../../protocol/encoding/bytes.ts';
import { type Envelope, encodeGossip } from '../../protocol/federation/index.ts';
import {
  addBundleSignature,
  baselineDigest,
  decodeBaselineEnvelope,
  encodePolicySyncMessage,
  MAX_POLICY_SYNC_BYTES,
  POLICY_SYNC_PROTOCOL,
  type PolicyBaseline,
  signBaseline,
} from '../../protocol/policy/index.ts';
import { runCliJson } from '../helpers/cli.ts';
import { DaemonProcess } from '../helpers/daemon.ts';
import { fedCli, fedStatus, waitFor, waitForVersion } from '../helpers/federation.ts';
import { inviteByCli, OrgNodes } from '../helpers/org-nodes.ts';
import {
  api,
  decide,
  EU_BIOMETRIC,
  type Finding,
  leafAt,
  propose,
  pstatus,
  seedOf,
  show,
  sign,
  WARN_NO_DIGEST,
  waitForPolicy,
  writeJson,
} from './policy-helpers.ts';

const ORGS = [
  ['eu', 'EU'],
  ['us', 'US'],
  ['apac', 'SG'],
  ['af', 'ZA'],
  ['latam', 'BR'],
] as const;

const orgs = new OrgNodes(ORGS);
const { node, all } = orgs;
let federationId = '';

beforeAll(async () => {
  await orgs.start();
  const created = await fedCli<{ status: { id: string } }>(node('eu'), [
    'create',
    '--name',
    'Policy federation',
    '--policy-threshold',
    '2',
  ]);
  federationId = created.status.id;
  // Admission threshold 1: each invite completes with the inviter's signature and the joiner's.
  let version = 1;
  for (const [org, j] of ORGS.slice(1)) {
    await inviteByCli(node('eu'), node(org), { jurisdiction: j });
    version += 1;
  }
  await waitForVersion(all(), version);
}, 90_000);

afterAll(() => orgs.stop());

describe('govfed policy', () => {
  let v1 = '';

  describe('when a bundle is signed by one member, then by a second', () => {
    it('is applied nowhere at first, then everywhere, and enforced on the next decision', async () => {
      const id = await propose(node('eu'), [EU_BIOMETRIC, WARN_NO_DIGEST]);
      expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
      // Every node learns the proposal (gossip) — and none applies it with one signature.
      for (const n of all()) {
        await waitFor(`${n.org} to hold the proposal`, async () => (await pstatus(n)).pending.some((p) => p.id === id));
      }
      for (const n of all()) expect((await show(n)).version).toBe(0);
      const before = await decide(node('af'), {
        model: 'face-id@1',
        output: 'match',
        dataClasses: ['biometric'],
        jurisdiction: 'EU',
      });
      expect(before.allowed).toBe(true);
      expect(before.policyVersion).toBeNull();

      const t0 = Date.now();
      await sign(node('us'), id);
      v1 = await waitForPolicy(all(), 1);
      const propagationMs = Date.now() - t0;
      expect(v1).toBe(id);

      for (const n of all()) {
        const denied = await decide(n, {
          model: 'face-id@1',
          output: 'match',
          dataClasses: ['biometric'],
          jurisdiction: 'EU',
        });
        expect(denied.allowed, n.org).toBe(false);
        expect(denied.deny).toEqual([{ rule: 'no-biometric-in-eu', message: EU_BIOMETRIC.message, scope: 'global' }]);
        expect(denied.warn.map((w) => w.rule)).toEqual(['warn-missing-input-digest']);
        expect(denied.policyVersion).toBe(1);
        // The leaf in the node's log records the version and the verdict.
        const leaf = await leafAt(n, denied.index);
        expect(leaf).toMatchObject({
          type: 'decision',
          policyVersion: 1,
          verdict: 'denied',
          deny: ['no-biometric-in-eu'],
        });

        const allowed = await decide(n, { model: 'credit@2', output: 'approve', jurisdiction: 'EU' });
        expect(allowed.allowed).toBe(true);
        expect(await leafAt(n, allowed.index)).toMatchObject({ policyVersion: 1, verdict: 'allowed' });
      }

      // Receipts: eu sees every member's, each naming the apply event in that member's own log.
      const st = await waitFor('eu to hold five receipts for version 1', async () => {
        const s = await pstatus(node('eu'));
        return s.members.every((m) => m.version === 1 && m.bundleHash === v1) ? s : undefined;
      });
      for (const m of st.members) {
        const receipt = JSON.parse(Buffer.from((m.receipt as Envelope).payload, 'base64').toString('utf8'));
        expect(receipt).toMatchObject({ org: m.org, version: 1, bundleHash: v1 });
        const gov = await leafAt(node(m.org), receipt.logIndex);
        expect(gov).toMatchObject({ type: 'governance', kind: 'policy.bundle', digest: v1 });
      }
      console.log(`policy propagation (second signature to applied on 5 nodes, polled): ${propagationMs} ms`);
    }, 60_000);
  });

  describe('when a proposed rule is malformed', () => {
    it.each([
      ['a syntax error', "decision.model == 'a' &&", /1:\d+/],
      ['a type error', 'decision.model == 1', /1:\d+/],
      ['a non-boolean result', 'decision.model', /bool/],
      ['an unknown variable', "decison.model == 'a'", /decison/],
      // Under the 2048-character cap, but 90 comparisons are far more AST nodes than a rule may have.
      ['an over-complex expression', Array(90).fill("decision.model=='a'").join('||'), /complex|nodes|depth/i],
      ['an unsafe regular expression', "decision.model.matches('^(a+)+$')", /regex|pattern/i],
    ])('rejects %s at propose time with a pointed ERR_INVALID_RULE', async (_what, expression, pointer) => {
      const rule = { id: 'bad-rule', hook: 'decision', effect: 'deny', expression, message: 'm' };
      const r = await api<{ error: { code: string; message: string } }>(node('eu'), 'POST', '/v1/policy/proposals', {
        rules: [rule],
      });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('ERR_INVALID_RULE');
      expect(r.body.error.message).toContain('bad-rule');
      expect(r.body.error.message).toMatch(pointer);
    });

    it('changes nothing', async () => {
      const s = await pstatus(node('eu'));
      expect(s.self.version).toBe(1);
      expect(s.pending).toEqual([]);
    });
  });

  describe('when a node installs local rules', () => {
    it('denies what the baseline allows, and cannot allow what the baseline denies', async () => {
      const rules = [
        {
          id: 'no-unreviewed-high-risk',
          hook: 'decision',
          effect: 'deny',
          expression: "decision.model.startsWith('risky-') && !('humanReview' in decision.context)",
          message: 'high-risk models need human review',
        },
        // Same id as the global rule and never firing: it cannot switch the global rule off.
        { ...EU_BIOMETRIC, expression: 'false', message: 'local copy' },
      ];
      const file = await writeJson(node('us'), 'local.json', { rules });
      const set = await runCliJson<{ version: number; rules: unknown[] }>([
        'policy',
        'local',
        'set',
        '--file',
        file,
        '--home',
        node('us').home,
      ]);
      expect(set.version).toBe(1);

      const risky = { model: 'risky-scorer@1', output: 'deny', jurisdiction: 'US' };
      const onUs = await decide(node('us'), risky);
      expect(onUs.allowed).toBe(false);
      expect(onUs.deny).toEqual([
        { rule: 'no-unreviewed-high-risk', message: 'high-risk models need human review', scope: 'local' },
      ]);
      expect(await leafAt(node('us'), onUs.index)).toMatchObject({
        verdict: 'denied',
        deny: ['local:no-unreviewed-high-risk'],
      });
      expect((await decide(node('eu'), risky)).allowed).toBe(true); // the baseline allows it
      expect((await decide(node('us'), { ...risky, context: { humanReview: 'ticket-1' } })).allowed).toBe(true);

      const bio = await decide(node('us'), {
        model: 'face-id@1',
        output: 'x',
        dataClasses: ['biometric'],
        jurisdiction: 'EU',
      });
      expect(bio.allowed).toBe(false);
      expect(bio.deny.map((d) => `${d.scope}:${d.rule}`)).toEqual(['global:no-biometric-in-eu']);

      // The same verdicts through POST /v1/evaluate, for model servers that ask first.
      const ev = await api<{ allowed: boolean; deny: Finding[]; policyVersion: number }>(
        node('us'),
        'POST',
        '/v1/evaluate',
        {
          hook: 'decision',
          input: risky,
        },
      );
      expect(ev.body).toMatchObject({ allowed: false, policyVersion: 1 });
      const shown = await runCliJson<{ rules: { id: string }[] }>([
        'policy',
        'local',
        'show',
        '--home',
        node('us').home,
      ]);
      expect(shown.rules.map((r) => r.id)).toEqual(['no-unreviewed-high-risk', 'no-biometric-in-eu']);
    }, 30_000);
  });

  describe('when a node is stopped during two bundle versions', () => {
    it('catches up by sync after restart', async () => {
      await node('af').daemon.stop();
      const online = all().filter((n) => n.org !== 'af');
      const id2 = await propose(node('apac'), [EU_BIOMETRIC]);
      await sign(node('latam'), id2);
      await waitForPolicy(online, 2);
      const id3 = await propose(node('us'), [
        EU_BIOMETRIC,
        {
          id: 'revoked-model',
          hook: 'decision',
          effect: 'deny',
          expression: "decision.model == 'credit@1'",
          message: 'credit@1 is revoked',
        },
      ]);
      await sign(node('eu'), id3);
      const v3 = await waitForPolicy(online, 3);
      // gossipsub keeps each message for 5 heartbeats (mcacheLength 5 × 1 s) and offers recent ones by
      // IHAVE to a peer that connects: af restarted within that time may get version 3 by gossip, not by
      // sync (seen in CI). Past it, only sync can bring what af missed.
      await new Promise((r) => setTimeout(r, 6000));

      node('af').daemon = await DaemonProcess.start(node('af').home);
      await waitForPolicy([node('af')], 3, 30_000);
      expect((await show(node('af'))).digest).toBe(v3);
      await waitFor('af to log versions 2 and 3 applied via sync', async () =>
        /"event":"policy:applied".*"version":3,.*"via":"sync"/.test(node('af').daemon.stderr),
      );
      expect((await decide(node('af'), { model: 'credit@1', output: 'x' })).deny.map((d) => d.rule)).toEqual([
        'revoked-model',
      ]);
    }, 60_000);
  });

  describe('when a member pushes bad bundles with its real key', () => {
    const hosts: Host[] = [];
    afterAll(async () => {
      await Promise.all(hosts.map((h) => h.stop()));
    });

    it('rejects them on every node with a typed reason and keeps the current baseline', async () => {
      const honest = [node('eu'), node('us'), node('apac'), node('af')];
      const state = await new PolicyStore(node('eu').home).load();
      const chain = state?.bundles ?? [];
      expect(chain.length).toBe(3);
      const bundle = (i: number) => decodeBaselineEnvelope(chain[i - 1] as Envelope).bundle;
      const current = await show(node('eu'));

      await node('latam').daemon.stop(); // its key is "compromised": the forger signs with it
      const x = await seedOf(node('latam'));
      const y = await seedOf(node('af'));
      const outsider = (await generateKeyPair('Ed25519')).raw.slice(0, 32);
      const now = Date.now();
      const next = (over: Partial<PolicyBaseline> = {}): PolicyBaseline => ({
        ...bundle(3),
        version: 4,
        previous: baselineDigest(bundle(3)),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
        rules: [],
        ...over,
      });
      const two = (b: PolicyBaseline) => addBundleSignature(signBaseline(b, x), y);
      const forged: [string, Envelope][] = [
        // A validly signed but different version 2: older than the current version 3.
        ['ERR_POLICY_ROLLBACK', two({ ...bundle(2), rules: [] })],
        ['ERR_POLICY_THRESHOLD', signBaseline(next(), x)],
        ['ERR_UNKNOWN_SIGNER', addBundleSignature(signBaseline(next(), x), outsider)],
        ['ERR_POLICY_PREVIOUS', two(next({ previous: baselineDigest(bundle(1)) }))],
        [
          'ERR_POLICY_EXPIRED',
          two(
            next({
              createdAt: new Date(now - 7200_000).toISOString(),
              expiresAt: new Date(now - 3600_000).toISOString(),
            }),
          ),
        ],
        // Two members' keys sign a second version 3 without the revoked-model rule: a fork.
        ['ERR_POLICY_FORK', two({ ...bundle(3), rules: [EU_BIOMETRIC] as PolicyBaseline['rules'] })],
      ];
      const flip = (env: Envelope): Envelope => {
        const sig = fromBase64((env.signatures[0] as { sig: string }).sig);
        sig[0] = (sig[0] as number) ^ 1;
        return { ...env, signatures: [{ ...(env.signatures[0] as { keyid: string }), sig: toBase64(sig) }] };
      };

      const forger = await Host.start({
        peerKey: await readFile(path.join(node('latam').home, 'keys', 'peer.key')),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        federationId,
        gate: new MemberGate({ isMember: () => true }),
      });
      hosts.push(forger);
      const peers = await Promise.all(honest.map(fedStatus));
      for (const s of peers) await forger.dial(s.addresses[0] as string);
      // By sync, as active bundles: every forgery, and exact replays of old and current versions (harmless
      // duplicates), to every node.
      for (const s of peers) {
        for (const env of [...forged.map(([, e]) => e), chain[0] as Envelope, current.envelope as Envelope]) {
          await requestOnce(
            forger,
            s.peerId,
            POLICY_SYNC_PROTOCOL,
            encodePolicySyncMessage({ type: 'policies', envelopes: [env] }),
            MAX_POLICY_SYNC_BYTES,
          ).catch(() => undefined);
        }
      }
      // By gossip: a bundle whose signature does not verify.
      forger.pubsub.subscribe('policy', () => {});
      await waitFor(
        'the forger to see policy subscribers',
        async () => forger.pubsub.subscribers('policy').length >= 4,
      );
      const gossip = encodeGossip(
        {
          type: 'policy',
          federationId,
          charterVersion: (await fedStatus(node('eu'))).charterVersion as number,
          sender: node('latam').init.peerId,
          seq: 1,
          sentAt: new Date().toISOString(),
          body: { envelope: flip(two(next())) },
        },
        x,
      );
      await forger.pubsub.publish('policy', gossip);

      const codes = [...forged.map(([c]) => c), 'ERR_BAD_SIGNATURE'];
      for (const n of honest) {
        const s = await waitFor(`${n.org} to reject every bad bundle`, async () => {
          const st = await pstatus(n);
          if (codes.every((c) => (st.rejected[c] ?? 0) >= 1)) return st;
          throw new Error(`rejected so far: ${JSON.stringify(st.rejected)}`);
        });
        expect(s.self.version, n.org).toBe(3);
        expect(s.self.digest, n.org).toBe(current.digest);
        expect(s.forks.map((f) => f.version)).toEqual([3]);
        expect(n.daemon.stderr).toMatch(/"event":"policy:fork"/);
        expect(n.daemon.stderr).toMatch(/"event":"policy:rejected".*"code":"ERR_POLICY_THRESHOLD".*"via":"sync"/);
        // Still enforcing version 3 (the fork dropped revoked-model; it is not adopted).
        expect((await decide(n, { model: 'credit@1', output: 'x' })).allowed).toBe(false);
      }
    }, 60_000);
  });
});
