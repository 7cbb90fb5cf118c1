/**
 * `govfed demo` as a user runs it: three real nodes form a federation, publish a baseline with threshold
 * 2 and deny a decision by it, prove one org's entry through another's node, the table is printed, and
 * it ends with a compliance report that verifies offline; Ctrl-C (SIGINT) stops everything cleanly and
 * removes the temp homes.
 */
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ReportAct } from '../../../cli/demo/report.ts';
import { CLI, childEnv, ROOT, runCli } from '../../helpers/cli.ts';

interface DemoOutput {
  federationId: string;
  dir: string;
  nodes: { org: string; api: string; console: string; token: string; charterVersion: number; logSize: number }[];
  policy: { id: string; version: number; rules: number };
  deniedDecision: { index: number; rule: string; policyVersion: number };
  crossOrgProof: { origin: string; index: number; treeSize: number; cosigners: string[]; k: number };
  registry: {
    model: string;
    digest: string;
    risk: { score: number; tier: string; hits: string[] };
    shadowDecision: { org: string; index: number; flags: string[] };
    approvals: { approver: string; role: string; org: string }[];
    status: string;
    approvedDecision: { org: string; index: number; flags: string[] };
    contract: { version: number; id: string };
  };
  killSwitch: {
    contractDenials: { org: string; deny: string[] }[];
    suspension: { denials: { org: string; deny: string[] }[] };
  };
  report: ReportAct;
}

describe('govfed demo', () => {
  describe('when run until Ctrl-C', () => {
    it('forms a federation, enforces a baseline, proves across orgs, then stops cleanly and removes its homes', async () => {
      const child = spawn(process.execPath, [CLI, 'demo', '--json'], { cwd: ROOT, env: childEnv(), stdio: 'pipe' });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const end = Date.now() + 120_000;
      while (!out.trim().endsWith('}') && Date.now() < end && child.exitCode === null) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const demo = JSON.parse(out) as DemoOutput;
      expect(demo.federationId).toMatch(/^[0-9a-f]{64}$/);
      expect(demo.nodes.map((n) => n.org)).toEqual(['eu', 'us', 'apac']);
      for (const n of demo.nodes) {
        expect(n.charterVersion).toBe(4); // 3 members, then the approval rule of tier high
        // node.init, the decisions, and at least the charter versions its join awaited (1..2).
        expect(n.logSize).toBeGreaterThanOrEqual(1 + 3 + 2);
        const res = await fetch(`${n.api}/v1/federation`, { headers: { authorization: `Bearer ${n.token}` } });
        expect(((await res.json()) as { members: unknown[] }).members).toHaveLength(3);
        expect(n.console).toBe(`${n.api}/`);
        const page = await fetch(n.console);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      }
      expect(demo.policy.version).toBe(1);
      expect(demo.deniedDecision).toMatchObject({ rule: 'no-biometric-in-eu', policyVersion: 1 });
      const apac = demo.nodes[2] as DemoOutput['nodes'][number];
      const leaf = await fetch(`${apac.api}/v1/log/entries/${demo.deniedDecision.index}`, {
        headers: { authorization: `Bearer ${apac.token}` },
      });
      expect(((await leaf.json()) as { verdict?: string }).verdict).toBe('denied');
      expect(demo.crossOrgProof.cosigners.length).toBeGreaterThanOrEqual(demo.crossOrgProof.k);
      expect(demo.crossOrgProof.k).toBe(2);
      expect(demo.crossOrgProof.origin).toMatch(/^govfed\/apac\//);
      // The registry act: scored high by the baseline, flagged before the two-org approval, not after.
      const r = demo.registry;
      expect(r).toMatchObject({ model: 'eu/fraud-model@1.0.0', status: 'approved' });
      expect(r.risk).toEqual({ score: 60, tier: 'high', hits: ['eu-ai-act-high', 'sensitive-data', 'human-review'] });
      expect(r.shadowDecision.flags).toEqual(['shadow_ai']);
      expect(r.approvals.map((a) => `${a.org}/${a.role}`)).toEqual(['eu/risk_officer', 'us/legal']);
      expect(r.approvedDecision.flags).toEqual([]);
      expect(r.contract.version).toBe(1);
      // The contract and the kill switch on all three nodes.
      const k = demo.killSwitch;
      expect(k.contractDenials.map((d) => d.org)).toEqual(['eu', 'us', 'apac']);
      for (const d of k.contractDenials) expect(d.deny).toContain('contract.purpose');
      expect(k.suspension.denials.map((d) => d.org)).toEqual(['eu', 'us', 'apac']);
      for (const d of k.suspension.denials) expect(d.deny).toContain('suspended');
      // It ends with a compliance report on the model, written where it says, verifying offline.
      const rep = demo.report;
      expect(rep.orgs).toEqual(['apac', 'eu', 'us']);
      expect(rep.killSwitch).toBe('suspended');
      // us: one shadow-AI and one approved decision; every org: a contract denial and at least one suspended.
      expect(rep.decisions).toBeGreaterThanOrEqual(2 + 3 + 3);
      expect(rep.denied).toBeGreaterThanOrEqual(3 + 3);
      expect(rep.controls).toHaveLength(7);
      // Every org's records proven, none missing (many proofs in one member's log at once must not
      // exceed libp2p's stream limit: node/p2p/stream-slots.ts).
      expect(rep.gaps).toEqual([]);
      expect(rep.verify).toBe(`govfed verify ${rep.file} --federation ${demo.federationId}`);
      const verified = await runCli(['verify', rep.file, '--federation', demo.federationId, '--json']);
      expect(verified.code, verified.stdout).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({
        ok: true,
        signedBy: 'eu',
        total: { decisions: rep.decisions },
      });
      expect(await readFile(rep.html, 'utf8')).toContain('Status across orgs');
      expect(JSON.stringify(demo)).not.toContain('seed');
      const us = demo.nodes[1] as DemoOutput['nodes'][number];
      const shadowLeaf = await fetch(`${us.api}/v1/log/entries/${r.shadowDecision.index}`, {
        headers: { authorization: `Bearer ${us.token}` },
      });
      expect(await shadowLeaf.json()).toMatchObject({ flags: ['shadow_ai'], modelDigest: r.digest });
      child.kill('SIGINT');
      expect(await exited, err).toBe(0);
      await expect(stat(demo.dir)).rejects.toThrow(expect.objectContaining({ code: 'ENOENT' }));
    }, 150_000);
  });
});
