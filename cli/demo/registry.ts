/**
 * The demo's model-registry act (cli/commands/demo.ts): people with their own keys, a model registered
 * and scored, a decision flagged as shadow AI, a two-org approval, and the same decision no longer
 * flagged — all through the nodes' APIs, with the keys on this side as a person's would be.
 *
 *   1. eu adds alice (model_owner) and eve (risk_officer), us adds uma (legal): each key is made here and
 *      written to DIR/keys/<name>.key (0600); only the public key goes to the node.
 *   2. eu sets the approval rule of tier high: one risk_officer and one legal, from 2 orgs (a charter change).
 *   3. alice registers eu/fraud-model@1.0.0: its files (DIR/models/fraud-model) digested the OpenSSF model
 *      signing way, the example card (docs/examples/model-card.json), scored by the baseline's register
 *      rules, signed with her key, posted to eu — with its trust contract (CONTRACT: purpose
 *      fraud-screening only, no biometric data, three rate monitors over windows of 2 decisions;
 *      docs/contracts.md, docs/monitoring.md), signed with her key too.
 *   4. us records a decision of that model: flagged shadow_ai (pending).
 *   5. eve approves at eu, uma at us (naming the contract): approved on every node; us deploys it; the next
 *      decision there carries no flag.
 * The kill switch's act follows (cli/demo/kill-switch.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIdentityKey } from '../../node/registry/identity-key.ts';
import { hashModelDir } from '../../node/registry/model-files.ts';
import { generateKeyPair } from '../../protocol/crypto/ed25519.ts';
import { keyIdOf } from '../../protocol/dsse/index.ts';
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import type { RequiredMonitor } from '../../protocol/registry/contract-terms.ts';
import { checkModelCard, signApproval } from '../../protocol/registry/index.ts';
import type { ApiClient } from '../client.ts';
import { CliError, ExitCode } from '../exit.ts';
import { heldBaselineOf, signedContract, signedRegistration } from '../registry-signer.ts';
import { poll } from './poll.ts';

const CARD = fileURLToPath(new URL('../../docs/examples/model-card.json', import.meta.url));
export const MODEL = { name: 'fraud-model', version: '1.0.0' };
/** The demo model's trust contract: what every node enforces on its decisions. */
export const CONTRACT = {
  allowedPurposes: ['fraud-screening'],
  forbiddenDataClasses: ['biometric'],
  maxRiskTier: 'high' as const,
  maxRevocationStaleness: 120,
  /** Small windows (2 decisions), so the demo's few decisions of the model make windows on every node. */
  requiredMonitors: [
    { metric: 'denial_rate', threshold: 0.5, window: { decisions: 2 }, onBreach: 'flag' },
    { metric: 'contract_violation_rate', threshold: 0.4, window: { decisions: 2 }, onBreach: 'flag' },
    { metric: 'shadow_ai_rate', threshold: 0.25, window: { decisions: 2 }, onBreach: 'flag' },
  ] satisfies RequiredMonitor[] as RequiredMonitor[],
};
/** What a decision that keeps the contract says in its context. */
export const PURPOSE = { purpose: 'fraud-screening' };

export interface RegistryNode {
  org: string;
  jurisdiction: string;
  client: ApiClient;
}

export interface RegistryAct {
  model: string;
  digest: string;
  risk: { score: number; tier: string; hits: string[] };
  shadowDecision: { org: string; index: number; flags: string[] };
  approvals: { approver: string; role: string; org: string }[];
  status: string;
  approvedDecision: { org: string; index: number; flags: string[] };
  contract: { version: number; id: string };
}

/** A person of the demo with the key they sign with (never printed). */
export interface DemoPerson {
  signer: { keyid: string; seed: Uint8Array };
  person: { org: string; name: string; role: string };
}

async function person(dir: string, n: RegistryNode, name: string, role: string) {
  const pair = generateKeyPair();
  await writeIdentityKey(path.join(dir, 'keys', `${name}.key`), pair.seed);
  await n.client.identities('POST', '', { name, role, publicKey: toBase64(pair.publicKey) });
  return { signer: { keyid: keyIdOf(pair.publicKey), seed: pair.seed }, person: { org: n.org, name, role } };
}

export async function decide(
  n: RegistryNode,
  model: string,
  context: Record<string, unknown> = PURPOSE,
): Promise<{ org: string; index: number; flags: string[]; deny: string[] }> {
  const r = await n.client.appendDecisions({
    model,
    output: 'approve',
    jurisdiction: n.jurisdiction,
    dataClasses: ['financial'],
    context,
  });
  const e = r.entries[0] as { index: number; flags?: string[]; deny?: { rule: string }[] } | undefined;
  if (e === undefined) throw new CliError(ExitCode.ERROR, 'demo: the decision was not recorded');
  return { org: n.org, index: e.index, flags: e.flags ?? [], deny: (e.deny ?? []).map((f) => f.rule) };
}

export async function registryAct(
  dir: string,
  [eu, us, apac]: readonly [RegistryNode, RegistryNode, RegistryNode],
  say: (s: string) => void,
): Promise<{ act: RegistryAct; eve: DemoPerson }> {
  await mkdir(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
  const alice = await person(dir, eu, 'alice', 'model_owner');
  const eve = await person(dir, eu, 'eve', 'risk_officer');
  const uma = await person(dir, us, 'uma', 'legal');
  await eu.client.federationPost('/approval-rules', { tier: 'high', roles: ['risk_officer', 'legal'], orgs: 2 });
  say('  registry: eu added alice (model_owner) and eve (risk_officer), us added uma (legal) — keys in DIR/keys;');
  say('            eu set the approval rule of tier high: risk_officer + legal from 2 orgs (a charter change)');
  await poll('rosters and the approval rule on every node', async () => {
    for (const n of [eu, us, apac]) {
      const fed = await n.client.federation();
      const euRoster = await n.client.identities('GET', '?org=eu');
      const usRoster = await n.client.identities('GET', '?org=us');
      if ((fed.approvals as Record<string, unknown> | undefined)?.high === undefined) return false;
      if ((euRoster.people as unknown[]).length < 2 || (usRoster.people as unknown[]).length < 1) return false;
    }
    return true;
  });
  // A small model on disk, identified by its OpenSSF model signing digest.
  const modelDir = path.join(dir, 'models', MODEL.name);
  await mkdir(modelDir, { recursive: true });
  await writeFile(path.join(modelDir, 'config.json'), '{"trees": 400, "depth": 6}\n');
  await writeFile(path.join(modelDir, 'weights.bin'), 'demo weights\n');
  const digest = (await hashModelDir(modelDir)).digest;
  const card = checkModelCard(JSON.parse(await readFile(CARD, 'utf8')));
  const federationId = (await eu.client.federation()).id as string;
  const { envelope } = signedRegistration({
    who: { ...alice, federationId },
    ref: { org: 'eu', ...MODEL },
    jurisdiction: eu.jurisdiction,
    model: { digest, assurance: 'files' },
    card,
    held: heldBaselineOf(await eu.client.policy('GET', '')),
  });
  const contract = signedContract({
    who: { ...alice, federationId },
    model: { org: 'eu', ...MODEL, digest },
    version: 1,
    terms: CONTRACT,
  });
  const reg = await eu.client.models('POST', '', { envelope, contract });
  const bound = reg.contract as { version: number; id: string };
  const risk = reg.risk as { score: number; tier: string; hits: { rule: string; points: number }[] };
  const ref = `eu/${MODEL.name}@${MODEL.version}`;
  say(
    `  registry: alice registered ${ref} (${digest.slice(0, 19)}…): risk ${risk.score}, tier ${risk.tier} ` +
      `(${risk.hits.map((h) => `${h.rule} ${h.points > 0 ? '+' : ''}${h.points}`).join(', ')}), status ${String(reg.status)}`,
  );
  say(
    `  contract: version ${bound.version} (${bound.id.slice(0, 19)}…) bound to the digest: ${JSON.stringify(CONTRACT)}`,
  );
  await poll(
    `${ref} on us`,
    async () => (await us.client.models('GET', `/${MODEL.name}/${MODEL.version}?org=eu`)).digest === digest,
  );
  const shadow = await decide(us, ref);
  say(
    `  shadow AI: us logged decision ${shadow.index} of ${ref} before approval, flagged ${JSON.stringify(shadow.flags)}`,
  );
  const approvals: RegistryAct['approvals'] = [];
  for (const [n, who] of [
    [eu, eve],
    [us, uma],
  ] as const) {
    const now = new Date();
    const vote = signApproval(
      digest,
      {
        federation: federationId,
        model: { org: 'eu', ...MODEL },
        approver: who.person,
        decision: 'approve',
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + 90 * 86_400_000).toISOString(),
        contract: bound.id,
      },
      who.signer,
    );
    await poll(
      `${ref} on ${n.org}`,
      async () => (await n.client.models('GET', `/${MODEL.name}/${MODEL.version}?org=eu`)).digest === digest,
    );
    await n.client.models('POST', `/${MODEL.name}/${MODEL.version}/approvals?org=eu`, { envelope: vote });
    approvals.push({ approver: who.person.name, role: who.person.role, org: who.person.org });
  }
  const status = await poll('the approval on every node', async () => {
    for (const n of [eu, us, apac]) {
      if ((await n.client.models('GET', `/${MODEL.name}/${MODEL.version}?org=eu`)).status !== 'approved') return false;
    }
    return 'approved';
  });
  say(`  approvals: eve (risk_officer, eu) and uma (legal, us) signed with their own keys: ${status} on every node`);
  await us.client.deployments('POST', '', { org: 'eu', name: MODEL.name, version: MODEL.version });
  say(`  us deploys ${ref} through the deployment gate (approved, not suspended, allowed by its contract)`);
  const approved = await decide(us, ref);
  say(`  the next decision of ${ref} on us (${approved.index}) carries no flag: ${JSON.stringify(approved.flags)}`);
  const act: RegistryAct = {
    model: ref,
    digest,
    risk: { score: risk.score, tier: risk.tier, hits: risk.hits.map((h) => h.rule) },
    shadowDecision: shadow,
    approvals,
    status,
    approvedDecision: { org: approved.org, index: approved.index, flags: approved.flags },
    contract: bound,
  };
  return { act, eve };
}
