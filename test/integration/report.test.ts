/**
 * The compliance report with real daemons, real libp2p and the real CLI (issue 15; docs/reports.md): four
 * orgs — a (DE), b (FR), c (IT), d (ES). alice registers rep@1.0.0 with a contract (purpose credit, a
 * denial-rate monitor); ana and bea approve it. d records decisions before it deploys the model (shadow AI
 * flags), then every org deploys it and records decisions, some for a purpose the contract does not allow
 * (denied). c asks for a report: it gathers every org's records and signed counts over the federation,
 * each proven in its maker's witnessed log; the file verifies offline (`govfed verify`), its counts are
 * exactly what was posted, and any changed byte or number — a count, a signature, a proof hash, an org
 * name; re-signed with c's own key too, so the recomputation itself is what catches it — fails. Then ana
 * (a's risk officer) suspends it: the next report carries her signed record and the version's state.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerSeedOfKey } from '../../node/home/keys.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { signAsPeer } from '../../protocol/federation/envelope.ts';
import {
  REPORT_PAYLOAD_TYPE,
  type Report,
  reportFileBytes,
  reportSignaturePayload,
  type SignedReport,
} from '../../protocol/report/report.ts';
import { removeDir, runCli, runCliJson } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import { type FedNode, fedStatus, restartFedNode, waitFor } from '../helpers/federation.ts';
import { approve, CARD, key, registryNodes, waitForStatus } from '../helpers/registry.ts';

let nodes: FedNode[];
let a: FedNode;
let c: FedNode;
let federationId: string;
const REF = 'a/rep@1.0.0';

interface Tally {
  decisions: number;
  denied: number;
  flags: Record<string, number>;
  deny: Record<string, number>;
}
const expected = new Map<string, Tally>();

/** Posts records on n; adds what each leaf says (verdict, deny rule ids, flags) to n's expected tally. */
async function post(n: FedNode, records: Record<string, unknown>[]): Promise<void> {
  const res = await n.daemon.fetch('/v1/decisions', {
    method: 'POST',
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(records),
  });
  expect(res.status).toBe(200);
  const t = expected.get(n.org) ?? { decisions: 0, denied: 0, flags: {}, deny: {} };
  for (const e of ((await res.json()) as { entries: { index: number }[] }).entries) {
    const leafRes = await n.daemon.fetch(`/v1/log/entries/${e.index}`, { token: n.adminToken });
    const leaf = JSON.parse(Buffer.from(await leafRes.arrayBuffer()).toString('utf8')) as {
      verdict?: string;
      deny?: string[];
      flags?: string[];
      modelDigest?: string;
    };
    expect(leaf.modelDigest).toMatch(/^sha256:/);
    t.decisions += 1;
    if (leaf.verdict === 'denied') {
      t.denied += 1;
      for (const r of leaf.deny ?? []) t.deny[r] = (t.deny[r] ?? 0) + 1;
    }
    for (const f of leaf.flags ?? []) t.flags[f] = (t.flags[f] ?? 0) + 1;
  }
  expected.set(n.org, t);
}

const decisions = (n: number, purpose: string) =>
  Array.from({ length: n }, (_, i) => ({ model: REF, output: { score: i / n }, context: { purpose } }));

let file: string;
let signed: SignedReport;

beforeAll(async () => {
  nodes = await registryNodes([['d', 'ES']]);
  [a, , c] = nodes as [FedNode, FedNode, FedNode, FedNode];
  federationId = (await fedStatus(a)).id as string;
  const dir = path.join(a.tmp, 'rep-model');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'weights.bin'), 'rep weights');
  const terms = path.join(a.tmp, 'rep-contract.json');
  await writeFile(
    terms,
    JSON.stringify({
      allowedPurposes: ['credit'],
      requiredMonitors: [{ metric: 'denial_rate', threshold: 0.5, window: { decisions: 10 }, onBreach: 'flag' }],
    }),
  );
  await runCliJson([
    'model',
    'register',
    '--name',
    'rep',
    '--version',
    '1.0.0',
    '--path',
    dir,
    '--card',
    CARD,
    '--contract',
    terms,
    '--key',
    key(a, 'alice'),
    '--home',
    a.home,
    '--json',
  ]);
  await waitForStatus(nodes, REF, 'pending');
  expect((await approve(a, 'ana', REF)).code).toBe(0);
  expect((await approve(nodes[1] as FedNode, 'bea', REF)).code).toBe(0);
  await waitForStatus(nodes, REF, 'approved', 2);
  const d = nodes[3] as FedNode;
  await post(d, decisions(3, 'credit')); // not deployed on d yet: shadow AI
  for (const n of nodes) expect((await runCli(['model', 'deploy', REF, '--home', n.home, '--json'])).code).toBe(0);
  await post(a, decisions(12, 'credit'));
  await post(nodes[1] as FedNode, [...decisions(10, 'credit'), ...decisions(5, 'marketing')]);
  await post(c, decisions(11, 'credit'));
  await post(d, decisions(4, 'credit'));
  file = path.join(c.tmp, 'rep-report.json');
}, 400_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all((nodes ?? []).map((n) => removeDir(n.tmp)));
});

describe('govfed report model', () => {
  it('gathers every org over the federation: the counts are what was posted, every record proven', async () => {
    const out = await runCliJson<{ ok: boolean; orgs: string[]; deployedIn: string[]; gaps: unknown[] }>([
      'report',
      'model',
      'rep',
      '--home',
      c.home,
      '--out',
      file,
      '--wait',
      '30',
      '--json',
    ]);
    expect(out.ok).toBe(true);
    expect(out.gaps).toEqual([]);
    expect(out.deployedIn).toEqual(['a', 'b', 'c', 'd']);
    signed = JSON.parse(await readFile(file, 'utf8')) as SignedReport;
    const r = signed.report;
    const v = r.summary.versions[0] as Report['summary']['versions'][number];
    expect(v.model).toEqual({ org: 'a', name: 'rep', version: '1.0.0' });
    for (const org of ['a', 'b', 'c', 'd']) {
      const got = v.counts.byOrg.find((x) => x.org === org);
      expect({ decisions: got?.decisions, denied: got?.denied, flags: got?.flags, deny: got?.deny }).toEqual(
        expected.get(org),
      );
    }
    expect(r.summary.total.decisions).toBe(3 + 12 + 15 + 11 + 4);
    expect(r.summary.total.denied).toBeGreaterThanOrEqual(5);
    expect(r.summary.total.flags.shadow_ai).toBe(3);
    expect(v.approvals.map((x) => x.org).sort()).toEqual(['a', 'b']);
    expect(v.deployments.map((x) => [x.org, x.state])).toEqual([
      ['a', 'live'],
      ['b', 'live'],
      ['c', 'live'],
      ['d', 'live'],
    ]);
    expect(v.risk?.tier).toBeTypeOf('string');
    // Every item is proven in the log of the org that made it.
    const kinds = new Set(r.evidence.map((e) => `${e.kind}:${e.org}`));
    for (const k of [
      'registration:a',
      'approval:a',
      'approval:b',
      'contract:a',
      'counts:a',
      'counts:b',
      'counts:c',
      'counts:d',
    ]) {
      expect(kinds.has(k), k).toBe(true);
    }
    for (const org of ['a', 'b', 'c', 'd']) expect(kinds.has(`deployment:${org}`)).toBe(true);
    // The rosters of a and b ride along: alice's, ana's and bea's signatures are checked offline too.
    expect(r.rosters).toHaveLength(2);
    expect(r.controls.map((x) => x.id)).toEqual([
      'eu-ai-act-art-9',
      'eu-ai-act-art-12',
      'eu-ai-act-art-14',
      'eu-ai-act-art-72',
      'eu-ai-act-art-73',
      'nist-ai-rmf-manage-2.4',
      'iso-42001-a.6',
    ]);
  }, 120_000);

  it('verifies offline with govfed verify, pinned to the federation', async () => {
    const res = await runCli(['verify', file, '--federation', federationId, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({
      ok: true,
      federationPinned: true,
      signedBy: 'c',
      orgs: ['a', 'b', 'c', 'd'],
    });
    const other = await runCli(['verify', file, '--federation', 'f'.repeat(64), '--json']);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout).error.code).toBe('ERR_FEDERATION_MISMATCH');
  }, 60_000);

  it('exports OSCAL assessment-results and an HTML page; the OSCAL file verifies, and fails once changed', async () => {
    const oscal = path.join(c.tmp, 'rep.oscal.json');
    const html = path.join(c.tmp, 'rep.html');
    const out = await runCli([
      'report',
      'model',
      'a/rep@1.0.0',
      '--home',
      c.home,
      '--out',
      oscal,
      '--format',
      'oscal',
      '--html',
      html,
      '--json',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const doc = JSON.parse(await readFile(oscal, 'utf8')) as {
      'assessment-results': { results: { findings: { target: { status: { state: string } } }[] }[] };
    };
    expect(doc['assessment-results'].results[0]?.findings).toHaveLength(7);
    const ok = await runCli(['verify', oscal, '--federation', federationId, '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    const finding = doc['assessment-results'].results[0]?.findings[0] as { target: { status: { state: string } } };
    finding.target.status.state = finding.target.status.state === 'satisfied' ? 'not-satisfied' : 'satisfied';
    await writeFile(oscal, JSON.stringify(doc, null, 2));
    const bad = await runCli(['verify', oscal, '--federation', federationId, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error.code).toBe('ERR_REPORT_MISMATCH');
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Status across orgs');
    expect(page).toContain('<svg'); // the denial-rate monitor's windows, charted
    expect(page).not.toMatch(/<script|src="http|href="http/);
  }, 120_000);

  it('is also served by GET /v1/reports/models/{name} (auditor)', async () => {
    const res = await c.daemon.fetch('/v1/reports/models/rep?org=a&version=1.0.0&waitMs=5000', { token: c.adminToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as SignedReport;
    expect(body.report.subject).toEqual({ org: 'a', name: 'rep', version: '1.0.0' });
    const none = await c.daemon.fetch('/v1/reports/models/nothing', { token: c.adminToken });
    expect(none.status).toBe(404);
    for (const q of ['rep?waitMs=999999', 'rep?waitMs=-1', 'rep?bogus=1', 'bad%20name?org=a', 'rep?org=a%2Fb']) {
      const bad = await c.daemon.fetch(`/v1/reports/models/${q}`, { token: c.adminToken });
      expect(bad.status, q).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('ERR_VALIDATION');
    }
    const anon = await c.daemon.fetch('/v1/reports/models/rep');
    expect(anon.status).toBe(401);
  }, 60_000);
});

describe('govfed verify on a changed report', () => {
  const seed = async () => peerSeedOfKey(new Uint8Array(await readFile(path.join(c.home, 'keys', 'peer.key'))));

  async function verifyChanged(name: string, change: (s: SignedReport) => void, resign: boolean): Promise<string> {
    const copy = structuredClone(signed);
    change(copy);
    if (resign) copy.signature = signAsPeer(REPORT_PAYLOAD_TYPE, reportSignaturePayload(copy.report), await seed());
    const p = path.join(c.tmp, `changed-${name}.json`);
    await writeFile(p, reportFileBytes(copy));
    const res = await runCli(['verify', p, '--federation', federationId, '--json']);
    expect(res.code, `${name}: ${res.stdout}`).toBe(1);
    return JSON.parse(res.stdout).error.code as string;
  }

  const count = (s: SignedReport) => {
    const v = s.report.summary.versions[0] as Report['summary']['versions'][number];
    (v.counts.byOrg[1] as { decisions: number }).decisions += 1;
  };
  const proofHash = (s: SignedReport) => {
    const e = s.report.evidence.find((x) => x.inclusion.length > 0) as Report['evidence'][number];
    const h = Buffer.from(e.inclusion[0] as string, 'base64');
    h[0] = (h[0] as number) ^ 1;
    e.inclusion[0] = h.toString('base64');
  };
  const orgName = (s: SignedReport) => {
    const e = s.report.evidence.find((x) => x.kind === 'counts' && x.org === 'b') as Report['evidence'][number];
    e.org = 'd';
  };

  it('fails on a changed count, proof hash or org name: the signature no longer covers the report', async () => {
    expect(await verifyChanged('count', count, false)).toBe('ERR_REPORT_DIGEST_MISMATCH');
    expect(await verifyChanged('proof', proofHash, false)).toBe('ERR_REPORT_DIGEST_MISMATCH');
    expect(await verifyChanged('org', orgName, false)).toBe('ERR_REPORT_DIGEST_MISMATCH');
  }, 60_000);

  it('fails on the same changes re-signed by the node: recomputed from the signed records', async () => {
    expect(await verifyChanged('count-resigned', count, true)).toBe('ERR_REPORT_MISMATCH');
    expect(await verifyChanged('proof-resigned', proofHash, true)).toBe('ERR_ROOT_MISMATCH');
    expect(await verifyChanged('org-resigned', orgName, true)).toMatch(
      /^ERR_(EVIDENCE_MISMATCH|ROOT_MISMATCH|MALFORMED_REPORT)$/,
    );
  }, 60_000);

  it('fails on a changed signature byte, and on any byte that breaks the canonical form', async () => {
    expect(
      await verifyChanged(
        'sig',
        (s) => {
          const sig = s.signature.signatures[0] as { sig: string };
          const b = Buffer.from(sig.sig, 'base64');
          b[5] = (b[5] as number) ^ 0x40;
          sig.sig = b.toString('base64');
        },
        false,
      ),
    ).toBe('ERR_BAD_SIGNATURE');
    const bytes = await readFile(file);
    const spaced = Buffer.concat([Buffer.from(' '), bytes]);
    const p = path.join(c.tmp, 'changed-space.json');
    await writeFile(p, spaced);
    const res = await runCli(['verify', p, '--json']);
    expect(res.code).toBe(1);
    const text = bytes.toString('utf8');
    const total = `"decisions":${3 + 12 + 15 + 11 + 4}`;
    expect(text).toContain(total);
    await writeFile(p, text.replace(total, `"decisions":${3 + 12 + 15 + 11 + 4 + 1}`));
    const res2 = await runCli(['verify', p, '--json']);
    expect(res2.code).toBe(1);
    expect(JSON.parse(res2.stdout).error.code).toBe('ERR_REPORT_DIGEST_MISMATCH');
    expect(canonicalBytes(signed).length + 1).toBe(bytes.length);
  }, 60_000);
});

describe('after a suspension', () => {
  it('carries the kill-switch record, proven in the signer org’s log, and the version’s state', async () => {
    const res = await runCli([
      'model',
      'suspend',
      REF,
      '--home',
      a.home,
      '--key',
      key(a, 'ana'),
      '--reason',
      'report test',
      '--json',
    ]);
    expect(res.code, res.stdout).toBe(0);
    const after = path.join(c.tmp, 'rep-after.json');
    await waitFor('c to hold the suspension', async () => {
      const out = await runCli(['report', 'model', 'rep', '--home', c.home, '--out', after, '--json']);
      if (out.code !== 0) return false;
      const r = (JSON.parse(await readFile(after, 'utf8')) as SignedReport).report;
      return r.summary.versions[0]?.killSwitch.state === 'suspended';
    });
    const r = (JSON.parse(await readFile(after, 'utf8')) as SignedReport).report;
    const v = r.summary.versions[0] as Report['summary']['versions'][number];
    expect(v.killSwitch.records).toMatchObject([{ action: 'suspend', by: 'a/ana', reason: 'report test' }]);
    expect(r.evidence.some((e) => e.kind === 'revocation' && e.org === 'a')).toBe(true);
    expect(r.controls.find((x) => x.id === 'nist-ai-rmf-manage-2.4')?.evidence).toContain(
      v.killSwitch.records[0]?.evidence,
    );
    expect((await runCli(['verify', after, '--federation', federationId])).code).toBe(0);
  }, 120_000);
});

describe('across a restart', () => {
  it('keeps every org’s counts when d is killed right after new decisions (counted again from its log at start)', async () => {
    const d = nodes[3] as FedNode;
    await post(d, decisions(2, 'credit'));
    await d.daemon.kill9(); // within the counters' 5 s between saves: the restart reads the tail of its log
    await restartFedNode(d);
    await post(d, decisions(1, 'credit'));
    const after = path.join(c.tmp, 'rep-restart.json');
    await waitFor('c to reach d again', async () => {
      const out = await runCli(['report', 'model', 'rep', '--home', c.home, '--out', after, '--json']);
      if (out.code !== 0) return false;
      const r = (JSON.parse(await readFile(after, 'utf8')) as SignedReport).report;
      return (
        r.gaps.length === 0 &&
        r.summary.versions[0]?.counts.byOrg.find((x) => x.org === 'd')?.decisions === expected.get('d')?.decisions
      );
    });
    const r = (JSON.parse(await readFile(after, 'utf8')) as SignedReport).report;
    const got = r.summary.versions[0]?.counts.byOrg.find((x) => x.org === 'd');
    expect({ decisions: got?.decisions, denied: got?.denied, flags: got?.flags, deny: got?.deny }).toEqual(
      expected.get('d'),
    );
    expect((await runCli(['verify', after, '--federation', federationId])).code).toBe(0);
  }, 180_000);
});
