/**
 * The model registry with real daemons, real libp2p and the real CLI (node/registry/models.ts,
 * cli model register|approve|list|show): three orgs; a registration with an OpenSSF model signature from
 * the vectors reaches every member; a tampered model file is refused; the approval quorum of the tier
 * (risk_officer + legal from 2 orgs) is reached only by the right roles; the submitter's own approval,
 * a key not on a roster, a forged and a replayed approval are refused on every node; a restarted node
 * keeps it all, and one that was down catches up by sync.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentityKey } from '../../node/registry/identity-key.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { signApproval } from '../../protocol/registry/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { eventsOf } from '../helpers/events.ts';
import { type FedNode, fedStatus, restartFedNode, waitFor } from '../helpers/federation.ts';
import { repoPath, vectorPath } from '../helpers/paths.ts';
import { approve, CARD, decide, key, registryFederation, show, waitForStatus } from '../helpers/registry.ts';

let a: FedNode;
let b: FedNode;
let c: FedNode;
const MODEL = vectorPath('oms', 'v1.1.0-elliptic-key');
const SIG = path.join(MODEL, 'model.sig');
const PUB = vectorPath('oms', 'keys', 'signing-key-pub.pem');

beforeAll(async () => {
  [a, b, c] = await registryFederation();
}, 240_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all([a, b, c].map((n) => removeDir(n.tmp)));
});

describe('model register', () => {
  describe('when alice registers a model with its OpenSSF signature', () => {
    it('prints the OMS digest, risk and status, and every member holds the version', async () => {
      const digest = await runCliJson<{ digest: string }>([
        'model',
        'digest',
        '--path',
        MODEL,
        '--ignore-paths',
        SIG,
        '--ignore-paths',
        path.join(MODEL, 'ignore-me'),
        '--json',
      ]);
      const r = await runCliJson<{
        name: string;
        version: string;
        digest: string;
        risk: { tier: string };
        status: string;
        logIndex: number;
      }>([
        'model',
        'register',
        '--name',
        'fraud',
        '--version',
        '1.0.0',
        '--path',
        MODEL,
        '--oms-signature',
        SIG,
        '--oms-public-key',
        PUB,
        '--card',
        repoPath('docs', 'examples', 'model-card.json'),
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(r).toMatchObject({ name: 'fraud', version: '1.0.0', digest: digest.digest, status: 'pending' });
      // Scored by the baseline's register rules (high: 50, sensitive data: 20, human in the loop: −10).
      expect(r.risk).toMatchObject({ score: 60, tier: 'high', policyVersion: 1 });
      expect(r.logIndex).toBeGreaterThan(0);
      await waitForStatus([a, b, c], 'a/fraud@1.0.0', 'pending');
      for (const n of [b, c]) {
        expect((await show(n, 'fraud@1.0.0')).digest).toBe(digest.digest);
        await waitFor(`${n.org} to log the registration`, async () =>
          eventsOf(n.daemon, 'registry:model').some((e) => e.model === 'a/fraud@1.0.0'),
        );
      }
    }, 90_000);
  });

  describe('when a model file was changed after it was signed', () => {
    it('is refused (exit 1, ERR_MODEL_FILE_CHANGED) and nothing is registered', async () => {
      const copy = path.join(a.tmp, 'tampered');
      await cp(MODEL, copy, { recursive: true });
      await writeFile(path.join(copy, 'signme-1'), 'not what was signed');
      const res = await runCli([
        'model',
        'register',
        '--name',
        'fraud',
        '--version',
        '1.0.1',
        '--path',
        copy,
        '--oms-signature',
        path.join(copy, 'model.sig'),
        '--oms-public-key',
        PUB,
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ code: 'ERR_MODEL_FILE_CHANGED' });
      const list = await runCliJson<{ models: { version: string }[] }>(['model', 'list', '--home', a.home, '--json']);
      expect(list.models.map((m) => m.version)).toEqual(['1.0.0']);
    }, 60_000);
  });

  describe('when anyone recomputes the score offline from the card and the baseline a node shows', () => {
    it('gets exactly the risk every node holds for the registration', async () => {
      const held = await show(c, 'a/fraud@1.0.0');
      const file = path.join(c.tmp, 'baseline.json');
      await writeFile(file, (await runCli(['policy', 'show', '--home', c.home, '--json'])).stdout);
      const offline = await runCliJson<Record<string, unknown>>([
        'model',
        'risk',
        '--card',
        repoPath('docs', 'examples', 'model-card.json'),
        '--policy',
        file,
        '--org',
        'a',
        '--name',
        'fraud',
        '--version',
        '1.0.0',
        '--digest',
        held.digest,
        '--jurisdiction',
        'DE',
        '--json',
      ]);
      expect(offline).toEqual((held as unknown as { risk: unknown }).risk);
    }, 30_000);
  });

  describe('when a high-tier card names no datasets', () => {
    it("is refused by the baseline's register deny rule (ERR_POLICY_DENIED, exit 1)", async () => {
      const card = JSON.parse(await readFile(repoPath('docs', 'examples', 'model-card.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      delete card.datasets;
      const file = path.join(a.tmp, 'no-datasets.json');
      await writeFile(file, JSON.stringify(card));
      const res = await runCli([
        'model',
        'register',
        '--name',
        'fraud',
        '--version',
        '9.9.9',
        '--external',
        'acme/fraud@9',
        '--card',
        file,
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ code: 'ERR_POLICY_DENIED' });
      expect(JSON.parse(res.stdout).message).toContain('high-needs-datasets');
    }, 30_000);
  });

  describe('when the same name and version is registered again with another digest', () => {
    it('is refused with ERR_MODEL_EXISTS (exit 4)', async () => {
      const res = await runCli([
        'model',
        'register',
        '--name',
        'fraud',
        '--version',
        '1.0.0',
        '--external',
        'openai/gpt-4o@2024-08-06',
        '--card',
        CARD,
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      expect(res.code).toBe(4);
      expect(JSON.parse(res.stdout)).toMatchObject({ code: 'ERR_MODEL_EXISTS' });
    }, 30_000);
  });
});

describe('decisions naming a model', () => {
  describe('when the model is unknown, or registered but not yet approved', () => {
    it('carries the shadow_ai flag in the reply and the leaf (with the digest once the model is known)', async () => {
      const unknown = await decide(b, 'nobody@0.1');
      expect(unknown.entry.flags).toEqual(['shadow_ai']);
      expect(unknown.leaf.flags).toEqual(['shadow_ai']);
      expect(unknown.leaf.modelDigest).toBeUndefined();
      const plain = await decide(b, 'legacy-model-string');
      expect(plain.leaf.flags).toEqual(['shadow_ai']);
      const pending = await decide(b, 'fraud@1.0.0');
      // The baseline's decision rules see the registry's answer as `model`.
      expect((pending.entry as { warn?: { rule: string }[] }).warn?.map((w) => w.rule)).toEqual(['shadow-ai']);
      const d = await show(b, 'a/fraud@1.0.0');
      expect(pending.entry.flags).toEqual(['shadow_ai']);
      expect(pending.leaf).toMatchObject({ flags: ['shadow_ai'], modelDigest: d.digest });
    }, 30_000);
  });
});

describe('model approve', () => {
  describe('when the submitter approves her own model', () => {
    it('is refused with ERR_SELF_APPROVAL (exit 1)', async () => {
      const res = await approve(a, 'alice', 'fraud@1.0.0');
      expect(res.code).toBe(1);
      expect(JSON.parse(res.stdout)).toMatchObject({ code: 'ERR_SELF_APPROVAL' });
    }, 30_000);
  });

  describe('when a key on no roster signs, or an approval is forged in a roster member’s name', () => {
    it('is refused: ERR_NOT_IN_ROSTER at the CLI, and ERR_BAD_SIGNATURE at every node for the forged envelope', async () => {
      const stranger = path.join(b.tmp, 'stranger.key');
      await runCliJson([
        'identity',
        'create',
        '--name',
        'tmp-stranger',
        '--role',
        'legal',
        '--key-out',
        stranger,
        '--home',
        c.home,
        '--json',
      ]);
      const notHere = await runCli(['model', 'approve', 'fraud@1.0.0', '--key', stranger, '--home', b.home, '--json']);
      expect(notHere.code).toBe(1);
      expect(JSON.parse(notHere.stdout)).toMatchObject({ code: 'ERR_NOT_IN_ROSTER' });
      const d = await show(b, 'fraud@1.0.0');
      const fake = generateKeyPair();
      const now = new Date();
      const forged = signApproval(
        d.digest,
        {
          federation: (await fedStatus(b)).id as string,
          model: { org: 'a', name: 'fraud', version: '1.0.0' },
          approver: { org: 'b', name: 'bea', role: 'legal' },
          decision: 'approve',
          issuedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
        },
        { keyid: keyIdOf((await readIdentityKey(key(b, 'bea'))).publicKey), seed: fake.seed },
      );
      for (const n of [a, b, c]) {
        const res = await n.daemon.fetch('/v1/models/fraud/1.0.0/approvals', {
          method: 'POST',
          token: n.adminToken,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ envelope: forged }),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_BAD_SIGNATURE');
      }
    }, 60_000);
  });

  describe('when the right roles from two orgs approve — and a wrong role in between', () => {
    it('stays pending until risk_officer (a) and legal (c) approved, then is approved on every node', async () => {
      const ana = await approve(a, 'ana', 'fraud@1.0.0');
      expect(ana.code).toBe(0);
      expect(JSON.parse(ana.stdout)).toMatchObject({ status: 'pending', approvals: { missingRoles: ['legal'] } });
      const ben = await approve(b, 'ben', 'a/fraud@1.0.0'); // an auditor: not a role the rule lists
      expect(ben.code).toBe(0);
      await waitForStatus([a, b, c], 'a/fraud@1.0.0', 'pending', 2);
      const carl = await approve(c, 'carl', 'a/fraud@1.0.0');
      expect(carl.code).toBe(0);
      expect(JSON.parse(carl.stdout)).toMatchObject({ status: 'approved' });
      await waitForStatus([a, b, c], 'a/fraud@1.0.0', 'approved', 3);
      // Approved but not deployed: still shadow AI; deployed on a node: no flag there any more.
      const undeployed = await decide(b, 'a/fraud@1.0.0');
      expect(undeployed.entry.flags).toEqual(['shadow_ai']);
      for (const n of [a, b, c]) {
        await runCliJson(['model', 'deploy', 'a/fraud@1.0.0', '--home', n.home, '--json']);
        const approved = await decide(n, 'a/fraud@1.0.0');
        expect(approved.entry.flags).toBeUndefined();
        expect(approved.leaf.flags).toBeUndefined();
        expect(approved.leaf.modelDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
      }
    }, 90_000);
  });

  describe('when an approval is replayed onto another model version', () => {
    it('is refused with ERR_APPROVAL_MISMATCH; posting it again where it belongs changes nothing', async () => {
      await runCliJson([
        'model',
        'register',
        '--name',
        'chat',
        '--version',
        '1',
        '--external',
        'openai/gpt-4o@2024-08-06',
        '--card',
        CARD,
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      await waitForStatus([b], 'a/chat@1', 'pending');
      const d = await show(b, 'a/fraud@1.0.0');
      const carls = d.votes.find((v) => v.approver.name === 'carl')?.envelope;
      const post = (n: FedNode, p: string) =>
        n.daemon.fetch(p, {
          method: 'POST',
          token: n.adminToken,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ envelope: carls }),
        });
      const replay = await post(b, '/v1/models/chat/1/approvals');
      expect(replay.status).toBe(400);
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('ERR_APPROVAL_MISMATCH');
      const taken = eventsOf(b.daemon, 'registry:approval').length;
      const again = await post(b, '/v1/models/fraud/1.0.0/approvals?org=a');
      expect(again.status).toBe(200);
      const first = d.votes.find((v) => v.approver.name === 'carl') as unknown as { logIndex: number };
      expect(((await again.json()) as { logIndex: number }).logIndex).toBe(first.logIndex);
      expect(eventsOf(b.daemon, 'registry:approval').length).toBe(taken);
      expect((await show(b, 'a/fraud@1.0.0')).approvals.counted).toBe(3);
    }, 60_000);
  });
});

describe('restarts', () => {
  describe('when b restarts, and c was down while a registered a version', () => {
    it('b keeps every version and status; c catches up by sync', async () => {
      await c.daemon.stop();
      await runCliJson([
        'model',
        'register',
        '--name',
        'fraud',
        '--version',
        '1.1.0',
        '--external',
        'acme/fraud@2026-12',
        '--card',
        CARD,
        '--key',
        key(a, 'alice'),
        '--home',
        a.home,
        '--json',
      ]);
      await b.daemon.stop();
      await restartFedNode(b);
      await restartFedNode(c);
      await waitForStatus([b], 'a/fraud@1.0.0', 'approved', 3);
      await waitForStatus([b, c], 'a/fraud@1.1.0', 'pending');
      await waitForStatus([c], 'a/fraud@1.0.0', 'approved', 3);
    }, 180_000);
  });
});
