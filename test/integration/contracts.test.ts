/**
 * Trust contracts with real daemons, real libp2p and the real CLI (issue 14; docs/contracts.md): four
 * orgs — a (DE), b (FR), c (IT), d (US). alice registers a model version with a contract (`model register
 * --contract`); every member holds it and enforces it on every decision: each condition (jurisdiction,
 * purpose, data classes, human oversight) is denied as `contract.<condition>` on every node, sealed into the
 * leaf; approvals name the contract; a new contract version (`contract attach`) puts the version back to
 * pending everywhere until it is approved again; forged, misdirected, conflicting and stale records are
 * refused; a restarted node still enforces the contract.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentityKey } from '../../node/registry/identity-key.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { signApproval, signContract } from '../../protocol/registry/index.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { denyRules, type Entry, postDecision } from '../helpers/decisions.ts';
import { eventsOf } from '../helpers/events.ts';
import { type FedNode, fedStatus, restartFedNode, waitFor } from '../helpers/federation.ts';
import { approve, CARD, key, person, registryNodes, show, waitForStatus } from '../helpers/registry.ts';

let nodes: FedNode[];
let a: FedNode;
let b: FedNode;
let c: FedNode;
let d: FedNode;

const TERMS = {
  allowedJurisdictions: ['DE', 'FR', 'IT'],
  allowedPurposes: ['credit-scoring'],
  forbiddenDataClasses: ['biometric'],
  maxRiskTier: 'high',
  oversight: { humanInLoop: true, forDecisionTypes: ['reject'] },
  requiredMonitors: [
    { metric: 'psi', field: 'output.score', threshold: 0.25, window: { decisions: 1000 }, onBreach: 'flag' },
  ],
  logRetentionDays: 3650,
  maxRevocationStaleness: 60,
  notAfter: '2099-01-01T00:00:00Z',
};

interface ContractShow {
  model: { org: string; status: string };
  contract: { version: number; id: string; terms: Record<string, unknown>; history: unknown[] } | null;
}

const contractOf = (n: FedNode, ref: string) =>
  runCliJson<ContractShow>(['contract', 'show', ref, '--home', n.home, '--json']);

async function file(n: FedNode, name: string, body: unknown): Promise<string> {
  const p = path.join(n.tmp, name);
  await writeFile(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
}

/** Records one decision of scoring@1.0.0 on n; its reply entry and its leaf. */
const decide = (n: FedNode, extra: Record<string, unknown>) =>
  postDecision(n, { model: 'a/scoring@1.0.0', output: { score: 0.4 }, ...extra });
const contractRules = (e: Entry) => denyRules(e, 'contract');

beforeAll(async () => {
  nodes = await registryNodes([['d', 'US']]);
  [a, b, c, d] = nodes as [FedNode, FedNode, FedNode, FedNode];
  await person(d, 'dan', 'risk_officer');
  const model = path.join(a.tmp, 'scoring-model');
  await mkdir(model, { recursive: true });
  await writeFile(path.join(model, 'weights.bin'), 'scoring model weights');
}, 300_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all((nodes ?? []).map((n) => removeDir(n.tmp)));
});

describe('model register --contract', () => {
  it('refuses a contract file with an unknown field (exit 1, ERR_INVALID_CONTRACT) and registers nothing', async () => {
    const bad = await file(a, 'bad-contract.json', { ...TERMS, allowedRegions: ['EU'] });
    const res = await runCli([
      'model',
      'register',
      '--name',
      'scoring',
      '--version',
      '1.0.0',
      '--path',
      path.join(a.tmp, 'scoring-model'),
      '--card',
      CARD,
      '--contract',
      bad,
      '--key',
      key(a, 'alice'),
      '--home',
      a.home,
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ code: 'ERR_INVALID_CONTRACT' });
    expect(JSON.parse(res.stdout).message).toContain('allowedRegions');
    const list = await runCliJson<{ models: unknown[] }>(['model', 'list', '--home', a.home, '--json']);
    expect(list.models).toEqual([]);
  });

  it('binds version 1 of the contract to the model digest, and every member holds it', async () => {
    const r = await runCliJson<{ digest: string; status: string; contract: { version: number; id: string } }>([
      'model',
      'register',
      '--name',
      'scoring',
      '--version',
      '1.0.0',
      '--path',
      path.join(a.tmp, 'scoring-model'),
      '--card',
      CARD,
      '--contract',
      await file(a, 'contract.json', TERMS),
      '--key',
      key(a, 'alice'),
      '--home',
      a.home,
      '--json',
    ]);
    expect(r.status).toBe('pending');
    expect(r.contract.version).toBe(1);
    expect(r.contract.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    await Promise.all(
      nodes.map((n) =>
        waitFor(`${n.org} to hold the contract`, async () => {
          const s = await contractOf(n, 'a/scoring@1.0.0').catch(() => undefined);
          return s?.contract?.id === r.contract.id;
        }),
      ),
    );
    const s = await contractOf(d, 'a/scoring@1.0.0');
    expect(s.contract?.terms).toEqual(TERMS);
  }, 90_000);

  it('refuses to deploy it before it is approved, and the refusal is a record every member holds', async () => {
    const res = await runCli(['model', 'deploy', 'a/scoring@1.0.0', '--home', b.home, '--json']);
    expect(res.code).toBe(1);
    const err = JSON.parse(res.stdout) as { code: string; message: string };
    expect(err.code).toBe('ERR_DEPLOY_REFUSED');
    expect(err.message).toContain('not approved');
    await waitFor('d to hold b’s refusal', async () =>
      eventsOf(d.daemon, 'registry:deployment').some((e) => e.deployer === 'b' && e.action === 'refused'),
    );
  }, 60_000);
});

describe('enforcement on every decision', () => {
  it('denies each violated condition on every node as contract.<condition>, sealed into the leaf', async () => {
    for (const n of [a, b, c]) {
      const none = await decide(n, {});
      expect(none.entry.allowed).toBe(false);
      expect(contractRules(none.entry)).toEqual(['contract.purpose']);
      expect(none.leaf.verdict).toBe('denied');
      expect(none.leaf.deny).toContain('contract.purpose');

      const biometric = await decide(n, { context: { purpose: 'credit-scoring' }, dataClasses: ['biometric'] });
      expect(contractRules(biometric.entry)).toEqual(['contract.data_classes']);
      expect(biometric.leaf.deny).toContain('contract.data_classes');

      const unreviewed = await decide(n, { context: { purpose: 'credit-scoring', decisionType: 'reject' } });
      expect(contractRules(unreviewed.entry)).toEqual(['contract.oversight']);

      const elsewhere = await decide(n, { context: { purpose: 'credit-scoring' }, jurisdiction: 'US-CA' });
      expect(contractRules(elsewhere.entry)).toEqual(['contract.jurisdiction']);

      const ok = await decide(n, {
        context: { purpose: 'credit-scoring', decisionType: 'reject', reviewer: 'j.doe' },
        dataClasses: ['transaction'],
      });
      expect(contractRules(ok.entry)).toEqual([]);
      expect(ok.leaf.deny ?? []).not.toContain('contract.purpose');
    }
    // d runs in the US: no decision of this model is allowed there.
    const there = await decide(d, { context: { purpose: 'credit-scoring' } });
    expect(there.entry.allowed).toBe(false);
    expect(contractRules(there.entry)).toEqual(['contract.jurisdiction']);
    expect(there.leaf.deny).toContain('contract.jurisdiction');
  }, 60_000);
});

describe('approvals name the contract', () => {
  it('approves under contract version 1, and a new version needs approval again on every node', async () => {
    const v1 = (await contractOf(a, 'a/scoring@1.0.0')).contract?.id;
    expect((await approve(a, 'ana', 'a/scoring@1.0.0')).code).toBe(0);
    expect((await approve(b, 'bea', 'a/scoring@1.0.0')).code).toBe(0);
    await waitForStatus(nodes, 'a/scoring@1.0.0', 'approved', 2);
    const votes = (await show(c, 'a/scoring@1.0.0')) as unknown as { votes: { contract?: string }[] };
    expect(votes.votes.map((v) => v.contract)).toEqual([v1, v1]);

    const v2Terms = { ...TERMS, allowedPurposes: ['credit-scoring', 'fraud-screening'] };
    const attached = await runCliJson<{ version: number; id: string; status: string }>([
      'contract',
      'attach',
      'scoring@1.0.0',
      '--file',
      await file(a, 'contract-v2.json', v2Terms),
      '--key',
      key(a, 'alice'),
      '--home',
      a.home,
      '--json',
    ]);
    expect(attached.version).toBe(2);
    expect(attached.status).toBe('pending');
    await waitForStatus(nodes, 'a/scoring@1.0.0', 'pending', 0);
    // A changed contract without re-approval is not deployed.
    const unapproved = await runCli(['model', 'deploy', 'a/scoring@1.0.0', '--home', c.home, '--json']);
    expect(unapproved.code).toBe(1);
    expect(JSON.parse(unapproved.stdout).message).toContain('not approved');
    const held = (await show(d, 'a/scoring@1.0.0')) as unknown as { votes: { counts: boolean; why?: string }[] };
    expect(held.votes.every((v) => !v.counts && v.why?.includes('contract version 1'))).toBe(true);
    // The new purpose is allowed everywhere now.
    const fraud = await decide(b, { context: { purpose: 'fraud-screening' } });
    expect(contractRules(fraud.entry)).toEqual([]);

    expect((await approve(a, 'ana', 'a/scoring@1.0.0')).code).toBe(0);
    expect((await approve(c, 'carl', 'a/scoring@1.0.0')).code).toBe(0);
    await waitForStatus(nodes, 'a/scoring@1.0.0', 'approved', 2);
    const history = (await contractOf(c, 'a/scoring@1.0.0')).contract?.history;
    expect(history).toHaveLength(2);
  }, 180_000);
});

describe('the deployment gate', () => {
  it('deploys an approved version where its contract allows, refuses it elsewhere, and flags shadow AI', async () => {
    const out = await runCliJson<{ org: string; action: string; contract: string; seq: number }>([
      'model',
      'deploy',
      'a/scoring@1.0.0',
      '--home',
      b.home,
      '--json',
    ]);
    const current = (await contractOf(b, 'a/scoring@1.0.0')).contract?.id;
    expect(out).toMatchObject({ org: 'b', action: 'deploy', contract: current });
    // d runs in the US: its contract does not allow it there.
    const there = await runCli(['model', 'deploy', 'a/scoring@1.0.0', '--home', d.home, '--json']);
    expect(there.code).toBe(1);
    expect(JSON.parse(there.stdout).message).toContain('contract.jurisdiction');
    // Every member sees who runs what.
    for (const n of nodes) {
      await waitFor(`${n.org} to see b run scoring`, async () => {
        const res = await n.daemon.fetch('/v1/deployments?model=a/scoring@1.0.0', { token: n.adminToken });
        const list = ((await res.json()) as { deployments: { org: string; shadow: boolean }[] }).deployments;
        return list.length === 1 && list[0]?.org === 'b' && list[0].shadow === false;
      });
    }
    const status = await runCli(['federation', 'status', '--home', c.home]);
    expect(status.stdout).toMatch(/a\/scoring@1\.0\.0/);
    // Decisions where it is deployed carry no flag; where it is not, shadow_ai.
    const at = async (n: FedNode) => {
      const res = await n.daemon.fetch('/v1/decisions', {
        method: 'POST',
        token: n.adminToken,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'a/scoring@1.0.0', output: 1, context: { purpose: 'credit-scoring' } }),
      });
      return ((await res.json()) as { entries: { flags?: string[] }[] }).entries[0]?.flags;
    };
    expect(await at(b)).toBeUndefined();
    expect(await at(c)).toEqual(['shadow_ai']);
    // Shadow mode, then undeploy: flags follow.
    await runCliJson(['model', 'deploy', 'a/scoring@1.0.0', '--shadow', '--home', c.home, '--json']);
    expect(await at(c)).toEqual(['shadow']);
    await runCliJson(['model', 'undeploy', 'a/scoring@1.0.0', '--home', c.home, '--json']);
    expect(await at(c)).toEqual(['shadow_ai']);
    const again = await runCli(['model', 'undeploy', 'a/scoring@1.0.0', '--home', c.home, '--json']);
    expect(JSON.parse(again.stdout).code).toBe('ERR_NOT_DEPLOYED');
  }, 90_000);
});

describe('hostile and mistaken contracts', () => {
  const modelAt = async () => {
    const m = await show(a, 'a/scoring@1.0.0');
    const cur = (await contractOf(a, 'a/scoring@1.0.0')).contract;
    return { digest: m.digest, current: cur as NonNullable<ContractShow['contract']> };
  };
  const post = (n: FedNode, envelope: unknown) =>
    n.daemon.fetch('/v1/models/scoring/1.0.0/contracts', {
      method: 'POST',
      token: n.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelope }),
    });
  const fedId = async () => (await fedStatus(a)).id as string;
  const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  it('refuses a contract signed by a key on no roster (403 ERR_NOT_IN_ROSTER)', async () => {
    const { digest, current } = await modelAt();
    const stranger = generateKeyPair();
    const env = signContract(
      digest,
      {
        federation: await fedId(),
        model: { org: 'a', name: 'scoring', version: '1.0.0' },
        version: current.version + 1,
        previous: current.id,
        terms: { allowedPurposes: ['anything'] },
        signer: { name: 'alice', role: 'model_owner' },
        issuedAt: new Date().toISOString(),
      },
      { keyid: keyIdOf(stranger.publicKey), seed: stranger.seed },
    );
    const res = await post(a, env);
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('ERR_NOT_IN_ROSTER');
  });

  it("refuses a contract for a's model at b's node, a version that is taken, and an approval of an old contract", async () => {
    // contract attach at b: b's node is not the model org's.
    const atB = await runCli([
      'contract',
      'attach',
      'a/scoring@1.0.0',
      '--file',
      await file(b, 'c.json', TERMS),
      '--key',
      key(b, 'bea'),
      '--home',
      b.home,
      '--json',
    ]);
    expect(atB.code).not.toBe(0);
    // A second version 2 (the current is 2): refused as a conflict, 409.
    const { digest, current } = await modelAt();
    const alice = await readIdentityKey(key(a, 'alice'));
    const stale = signContract(
      digest,
      {
        federation: await fedId(),
        model: { org: 'a', name: 'scoring', version: '1.0.0' },
        version: 2,
        previous: (current.history[0] as { id: string }).id,
        terms: { allowedPurposes: ['anything'] },
        signer: { name: 'alice', role: 'model_owner' },
        issuedAt: new Date().toISOString(),
      },
      { keyid: alice.keyid, seed: alice.seed },
    );
    const misdirected = await post(b, stale);
    expect(misdirected.status).toBe(400);
    expect(await codeOf(misdirected)).toBe('ERR_CONTRACT_MISMATCH');
    const res = await post(a, stale);
    expect(res.status).toBe(409);
    expect(await codeOf(res)).toBe('ERR_CONTRACT_CONFLICT');
    expect((await contractOf(a, 'a/scoring@1.0.0')).contract?.id).toBe(current.id);
    // An approval naming contract version 1 (ana's, freshly signed): refused, the version stays approved.
    const ana = await readIdentityKey(key(a, 'ana'));
    const now = new Date();
    const old = signApproval(
      digest,
      {
        federation: await fedId(),
        model: { org: 'a', name: 'scoring', version: '1.0.0' },
        approver: { org: 'a', name: 'ana', role: 'risk_officer' },
        decision: 'approve',
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
        contract: (current.history[0] as { id: string }).id,
      },
      { keyid: ana.keyid, seed: ana.seed },
    );
    const voted = await a.daemon.fetch('/v1/models/scoring/1.0.0/approvals?org=a', {
      method: 'POST',
      token: a.adminToken,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ envelope: old }),
    });
    expect(voted.status).toBe(400);
    expect(await codeOf(voted)).toBe('ERR_APPROVAL_MISMATCH');
    expect((await show(a, 'a/scoring@1.0.0')).status).toBe('approved');
  });

  it('keeps enforcing the contract after a restart', async () => {
    await c.daemon.stop();
    await restartFedNode(c);
    const r = await decide(c, {});
    expect(contractRules(r.entry)).toEqual(['contract.purpose']);
    expect((await contractOf(c, 'a/scoring@1.0.0')).contract?.version).toBe(2);
  }, 90_000);
});
