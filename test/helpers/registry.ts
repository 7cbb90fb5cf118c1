/**
 * The model registry's test federation (test/integration/registry-*.test.ts): three orgs a (DE), b (FR),
 * c (IT); the approval rule of tier high (risk_officer + legal from 2 orgs); the example baseline of
 * docs/policy.md (register score rules, tiers, a register deny rule, decision rules); people with their
 * own keys — a: alice (model_owner), ana (risk_officer); b: bea (legal), ben (auditor); c: carl (legal).
 */
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, runCliJson } from './cli.ts';
import { type FedNode, fedCli, fedStatus, formFederation, startFedNode, waitFor } from './federation.ts';
import { repoPath } from './paths.ts';

export const CARD = repoPath('docs', 'examples', 'model-card.json');

export interface Detail {
  org: string;
  digest: string;
  status: string;
  risk: { score: number; tier: string; policyVersion: number };
  approvals: { counted: number; missingRoles: string[]; orgs: { have: number; need: number } };
  votes: { approver: { name: string }; counts: boolean; envelope: unknown }[];
  envelope: unknown;
}

/** The key file of person `who` of node n. */
export const key = (n: FedNode, who: string) => path.join(n.tmp, `${who}.key`);

export async function person(n: FedNode, name: string, role: string): Promise<void> {
  await runCliJson([
    'identity',
    'create',
    '--name',
    name,
    '--role',
    role,
    '--key-out',
    key(n, name),
    '--home',
    n.home,
    '--json',
  ]);
}

export const show = (n: FedNode, ref: string) => runCliJson<Detail>(['model', 'show', ref, '--home', n.home, '--json']);

export const approve = (n: FedNode, who: string, ref: string, extra: string[] = []) =>
  runCli(['model', 'approve', ref, '--key', key(n, who), '--home', n.home, '--json', ...extra]);

export async function waitForStatus(nodes: FedNode[], ref: string, status: string, counted?: number): Promise<void> {
  await Promise.all(
    nodes.map((n) =>
      waitFor(
        `${n.org} to hold ${ref} ${status}${counted === undefined ? '' : ` with ${counted} votes`}`,
        async () => {
          const d = await show(n, ref);
          return d.status === status && (counted === undefined || d.approvals.counted === counted);
        },
        60_000,
      ),
    ),
  );
}

/** Starts and forms the federation; resolves once every member holds every roster, the rule and the baseline. */
export async function registryFederation(): Promise<[FedNode, FedNode, FedNode]> {
  const [a, b, c] = await registryNodes([]);
  return [a as FedNode, b as FedNode, c as FedNode];
}

/** The federation above with more members (org, jurisdiction) after a, b and c, without people of their own. */
export async function registryNodes(more: readonly [string, string][]): Promise<FedNode[]> {
  const nodes = await Promise.all(
    [['a', 'DE'] as const, ['b', 'FR'] as const, ['c', 'IT'] as const, ...more].map(([org, j]) => startFedNode(org, j)),
  );
  const [a, b, c] = nodes as [FedNode, FedNode, FedNode];
  await formFederation(nodes);
  await fedCli(a, ['set-approval-rule', '--tier', 'high', '--roles', 'risk_officer,legal', '--orgs', '2', '--json']);
  await runCliJson([
    'policy',
    'propose',
    '--file',
    repoPath('docs', 'examples', 'risk-baseline.json'),
    '--home',
    a.home,
    '--json',
  ]);
  await person(a, 'alice', 'model_owner');
  await person(a, 'ana', 'risk_officer');
  await person(b, 'bea', 'legal');
  await person(b, 'ben', 'auditor');
  await person(c, 'carl', 'legal');
  await Promise.all(
    nodes.map((n) =>
      waitFor(
        `${n.org} to hold the rosters, the rule and the baseline`,
        async () => {
          const s = (await fedStatus(n)) as unknown as {
            approvals?: Record<string, unknown>;
            modules?: { registry?: { rosters?: Record<string, number> } };
          };
          const rosters = s.modules?.registry?.rosters ?? {};
          const policy = (await runCliJson<{ version: number }>(['policy', 'show', '--home', n.home, '--json']))
            .version;
          return (
            policy === 1 &&
            s.approvals?.high !== undefined &&
            (rosters.a ?? 0) >= 2 &&
            (rosters.b ?? 0) >= 2 &&
            (rosters.c ?? 0) >= 1
          );
        },
        60_000,
      ),
    ),
  );
  return nodes;
}

/** Records one decision naming `model` on n; its reply entry and its leaf. */
export async function decide(n: FedNode, model: string) {
  const res = await n.daemon.fetch('/v1/decisions', {
    method: 'POST',
    token: n.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, output: { score: 0.2 }, jurisdiction: n.org === 'b' ? 'FR' : 'DE' }),
  });
  expect(res.status).toBe(200);
  const entry = (
    (await res.json()) as { entries: { index: number; flags?: string[]; model?: Record<string, unknown> }[] }
  ).entries[0] as { index: number; flags?: string[]; model?: Record<string, unknown> };
  const leafRes = await n.daemon.fetch(`/v1/log/entries/${entry.index}`, { token: n.adminToken });
  const leaf = JSON.parse(Buffer.from(await leafRes.arrayBuffer()).toString('utf8')) as Record<string, unknown>;
  return { entry, leaf };
}
