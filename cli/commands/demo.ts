/**
 * `govfed demo` — a three-org federation (eu, us, apac) on 127.0.0.1 in one command.
 *
 * What it does, using only what an operator uses: `init` for each org (temp homes, API and libp2p on
 * free ports), one `govfed start` child process per org, then over each node's API: eu creates the
 * federation (policy threshold 2), invites us and apac, they join; a few decisions are appended on every
 * node; eu proposes the global baseline examples/policy/baseline.json, us co-signs, every node applies it
 * and apac's next forbidden decision is denied; eu's node proves one of apac's entries (a cross-org proof,
 * witnessed by the others) and the demo verifies it offline; the model registry's act (cli/demo/
 * registry.ts: register with a contract, score, shadow-AI flag, two-org approval, deployment); the contract
 * and kill switch's act (cli/demo/kill-switch.ts: a contract denial and a suspension on all three nodes);
 * a status table prints the API addresses
 * and admin tokens, and each node's web console URL (GET /, node/api/routes/console.ts). Ctrl-C stops the three nodes cleanly and removes the temp
 * homes (unless --dir was given). `--once` stops right after printing (for tests and CI).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { opensslVerify } from '../../node/crypto/ed25519.ts';
import { booleanOption, type CommandSpec, JSON_OPTION, parseIndex, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { killSwitchAct } from '../demo/kill-switch.ts';
import { poll } from '../demo/poll.ts';
import { registryAct } from '../demo/registry.ts';
import { reportAct } from '../demo/report.ts';
import { CliError, ExitCode } from '../exit.ts';
import { formatJson, formatTable } from '../output.ts';

const NAME = 'demo';
const ORGS = [
  ['eu', 'EU'],
  ['us', 'US'],
  ['apac', 'SG'],
] as const;
const CLI = fileURLToPath(new URL('../govfed.ts', import.meta.url));
const LISTENING_RE = /listening on http:\/\/([^\s]+)/;

interface DemoNode {
  org: string;
  jurisdiction: string;
  home: string;
  child: ChildProcess;
  api: string;
  token: string;
  client: ApiClient;
  peerId: string;
  /** The log's origin and verifier key, and the witness key (all public; listed in the charter). */
  origin: string;
  logKey: string;
  witnessKey: string;
}

/** Starts `govfed start --home DIR` and resolves with HOST:PORT once it listens. */
function startNode(home: string, logFile: string): Promise<{ child: ChildProcess; api: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'start', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new CliError(ExitCode.ERROR, `node ${home} did not start in time: ${err.slice(-500)}`));
    }, 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = LISTENING_RE.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, api: m[1] as string });
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      err = (err + d).slice(-4096);
      void import('node:fs/promises').then((fs) => fs.appendFile(logFile, d)).catch(() => {});
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new CliError(ExitCode.ERROR, `node ${home} exited (${code}): ${err.slice(-500)}`));
    });
  });
}

async function stopNode(n: { child: ChildProcess }): Promise<void> {
  const c = n.child;
  if (c.exitCode !== null || c.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill('SIGTERM');
  });
}

async function waitForVersion(nodes: readonly DemoNode[], version: number): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const all = await Promise.all(nodes.map((n) => n.client.federation()));
    if (all.every((s) => s.charterVersion === version)) return;
    if (Date.now() > end) throw new CliError(ExitCode.ERROR, `the federation did not reach charter version ${version}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function demoRecords(org: string, jurisdiction: string, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => ({
    model: `${org}-credit-scorer`,
    decisionId: `${org}-demo-${i + 1}`,
    timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    inputDigest: `sha256:${'0123456789abcdef'.repeat(4)}`,
    output: i % 3 === 0 ? 'deny' : 'approve',
    jurisdiction,
    dataClasses: ['financial'],
    context: { demo: true, n: i + 1 },
  }));
}

const BASELINE = fileURLToPath(new URL('../../examples/policy/baseline.json', import.meta.url));

/**
 * The global baseline, as members publish one: `proposer` proposes examples/policy/baseline.json (its
 * signature alone is below the policy threshold 2, so no node applies it), `cosigner` co-signs once the
 * proposal has reached it by gossip, and every node applies it.
 */
async function publishBaseline(
  proposer: DemoNode,
  cosigner: DemoNode,
  nodes: readonly DemoNode[],
): Promise<{ id: string; version: number; rules: number }> {
  const file = JSON.parse(await readFile(BASELINE, 'utf8')) as { rules: unknown[] };
  const p = await proposer.client.policy('POST', '/proposals', { rules: file.rules });
  const id = p.id as string;
  await poll('the proposal reaching us', async () => {
    const st = await cosigner.client.policy('GET', '/status');
    return (st.pending as { id: string }[]).some((x) => x.id === id) ? true : undefined;
  });
  for (const n of nodes) {
    const active = (await n.client.policy('GET', '')).version as number;
    if (active !== 0) throw new CliError(ExitCode.ERROR, `${n.org} applied a baseline signed by one member only`);
  }
  const signed = await cosigner.client.policy('POST', `/proposals/${encodeURIComponent(id)}/signatures`, {});
  const version = signed.version as number;
  for (const n of nodes) {
    await poll(`baseline ${version} applied on ${n.org}`, async () =>
      ((await n.client.policy('GET', '')).version as number) === version ? true : undefined,
    );
  }
  return { id, version, rules: file.rules.length };
}

/** A decision that the baseline forbids, sent to `n`: logged, and reported denied. */
async function deniedDecision(
  n: DemoNode,
): Promise<{ index: number; rule: string; message: string; policyVersion: number }> {
  const r = await n.client.appendDecisions({
    model: 'face-id-v3',
    output: 'match',
    jurisdiction: 'EU',
    dataClasses: ['biometric'],
    inputDigest: `sha256:${'ab'.repeat(32)}`,
  });
  const e = r.entries[0];
  const d = e?.deny?.[0];
  if (e === undefined || e.allowed !== false || d === undefined) {
    throw new CliError(ExitCode.ERROR, `expected the baseline to deny the decision: ${JSON.stringify(e)}`);
  }
  return { index: e.index, rule: d.rule, message: d.message, policyVersion: e.policyVersion ?? 0 };
}

/**
 * Asks `asker`'s node for a cross-org proof of entry `index` of `owner`'s log (retrying while the
 * checkpoint that covers it is not witnessed yet), then verifies the bundle offline, as an auditor would,
 * pinning the federation id.
 */
async function crossOrgProof(
  asker: DemoNode,
  owner: DemoNode,
  index: number,
): Promise<{ origin: string; index: number; treeSize: number; cosigners: string[]; k: number }> {
  const { verifyCrossOrgBundle } = await import('../../protocol/witness/index.ts');
  const federationId = (await asker.client.federation()).id as string;
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const bundle = await asker.client.crossOrgInclusion(owner.origin, index);
      const v = verifyCrossOrgBundle(bundle, { federationId, verify: opensslVerify });
      return { origin: v.origin, index: v.index, treeSize: v.treeSize, cosigners: v.cosigners, k: v.k };
    } catch (err) {
      if (Date.now() > end) {
        throw new CliError(ExitCode.ERROR, `no verified cross-org proof within 30 s: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

export const demoCommand: CommandSpec = {
  name: NAME,
  summary: 'Run a three-org federation (eu, us, apac) on 127.0.0.1 until Ctrl-C.',
  usage: `${NAME} [--dir DIR] [--decisions N] [--once] [--json]`,
  description: `
Creates three node homes (in a temp directory unless --dir is given), starts a node per org with its
API and libp2p on free 127.0.0.1 ports, forms the federation (eu creates it, invites us and apac, they
join), appends --decisions decisions (default 3) on every node, publishes a global policy baseline
(examples/policy/baseline.json; eu proposes, us co-signs: threshold 2) and shows a decision it denies,
asks eu's node for a cross-org proof of one of apac's entries and verifies it offline (apac's log
signature, the witnesses' cosignatures, the inclusion proof); then the model registry: people with their
own keys (DIR/keys), a model registered by its digest and scored by the baseline (tier high), a decision
of it flagged shadow_ai, its trust contract, a two-org approval (risk_officer at eu, legal at us), its
deployment on us and the next decision not flagged; then a decision outside the contract denied on every
node, and eve's suspension (the kill switch) taking effect on all three; it ends with a compliance report
on the model (eu's node gathers it from every org, it is verified offline and written to
DIR/fraud-model-report.json and .html). Finally it prints each node's API address and admin token, and its web console's URL. Try, in another terminal: GOVFED_API=<api> GOVFED_TOKEN=<token> govfed federation status.
Ctrl-C stops the nodes cleanly and removes the temp directory. Node logs: DIR/<org>.log.`,
  options: {
    dir: { type: 'string', value: 'DIR', description: 'keep the homes here (default: a temp directory, removed)' },
    decisions: { type: 'string', value: 'N', description: 'decisions to append on each node (default 3)' },
    once: { type: 'boolean', description: 'stop right after the status table' },
    ...JSON_OPTION,
  },
  async run(args, io) {
    const given = stringOption(args, 'dir');
    const dir = given === undefined ? await mkdtemp(path.join(tmpdir(), 'govfed-demo-')) : path.resolve(given);
    const decisions = parseIndex(NAME, 'decisions', stringOption(args, 'decisions') ?? '3');
    const json = booleanOption(args, 'json');
    const say = (s: string) => {
      if (!json) io.stderr(`${s}\n`);
    };
    const nodes: DemoNode[] = [];
    const stopped = waitForSignal();
    try {
      const { initHome } = await import('../../node/home/init.ts');
      say(`govfed demo: homes in ${dir}`);
      for (const [org, jurisdiction] of ORGS) {
        const home = path.join(dir, org);
        const init = await initHome({
          dir: home,
          org,
          jurisdiction,
          api: '127.0.0.1:0',
          listen: '/ip4/127.0.0.1/tcp/0',
        });
        const { child, api } = await startNode(home, path.join(dir, `${org}.log`));
        const token = (await readFile(init.tokenFile, 'utf8')).trim();
        const client = new ApiClient({ baseUrl: `http://${api}`, token });
        nodes.push({
          org,
          jurisdiction,
          home,
          child,
          api,
          token,
          client,
          peerId: init.peerId,
          origin: init.origin,
          logKey: init.verifierKey,
          witnessKey: init.witnessKey,
        });
        say(`  started ${org} (${jurisdiction}) on http://${api}`);
      }
      const [eu, ...others] = nodes as [DemoNode, ...DemoNode[]];
      await eu.client.federationPost('', { name: 'govfed demo federation', thresholds: { policy: 2 } });
      say('  eu created the federation');
      let version = 1;
      const joined: DemoNode[] = [eu];
      for (const n of others) {
        const r = await eu.client.federationPost('/invites', {
          org: n.org,
          peerId: n.peerId,
          jurisdiction: n.jurisdiction,
          logKey: n.logKey,
          witnessKey: n.witnessKey,
        });
        await n.client.federationPost('/join', { invite: r.invite });
        version += 1;
        joined.push(n);
        await waitForVersion(joined, version);
        say(`  ${n.org} joined with an invite from eu (charter version ${version})`);
      }
      const appended = new Map<string, number>();
      for (const n of nodes) {
        const r = await n.client.appendDecisions(demoRecords(n.org, n.jurisdiction, decisions));
        appended.set(n.org, r.entries.at(-1)?.index ?? 0);
      }
      say(`  appended ${decisions} decisions on each node`);
      const policy = await publishBaseline(eu, nodes[1] as DemoNode, nodes);
      say(
        `  policy: eu proposed baseline version ${policy.version} (${policy.rules} rules, threshold 2): signed by eu, ` +
          'applied nowhere; us co-signed: applied on every node',
      );
      const denied = await deniedDecision(nodes.at(-1) as DemoNode);
      say(
        `  enforcement: apac logged decision ${denied.index} (biometric data, EU) as DENIED by ` +
          `${denied.rule} ("${denied.message}"), policy version ${denied.policyVersion}`,
      );
      const proof = await crossOrgProof(eu, nodes.at(-1) as DemoNode, appended.get('apac') ?? 1);
      say(
        `  cross-org proof: eu's node proved entry ${proof.index} of apac's log (${proof.origin}, tree size ` +
          `${proof.treeSize}); verified offline: apac's log signature, ${proof.cosigners.length} witness ` +
          `cosignatures (${proof.cosigners.join(', ')}; k = ${proof.k}) from keys the charter names, inclusion proof`,
      );

      const { act: registry, eve } = await registryAct(dir, nodes as unknown as [DemoNode, DemoNode, DemoNode], say);
      const killSwitch = await killSwitchAct(nodes, registry, eve, say);
      const report = await reportAct(dir, eu, say);

      const rows = [];
      let fed: Record<string, unknown> = {};
      for (const n of nodes) {
        fed = await n.client.federation();
        const info = await n.client.node();
        const log = info.log as { size?: number } | undefined;
        const members = fed.members as { connected: boolean; self: boolean }[];
        rows.push({
          org: n.org,
          jurisdiction: n.jurisdiction,
          api: `http://${n.api}`,
          console: `http://${n.api}/`,
          token: n.token,
          peerId: n.peerId,
          charterVersion: fed.charterVersion,
          connectedPeers: members.filter((m) => m.connected && !m.self).length,
          logSize: log?.size ?? 0,
          home: n.home,
        });
      }
      if (json) {
        io.stdout(
          formatJson({
            federationId: fed.id,
            name: fed.name,
            dir,
            nodes: rows,
            policy,
            deniedDecision: denied,
            crossOrgProof: proof,
            registry,
            killSwitch,
            report,
          }),
        );
      } else {
        io.stdout(`\nfederation ${String(fed.id)} "${String(fed.name)}"\n\n`);
        io.stdout(
          formatTable(
            ['ORG', 'JURISDICTION', 'API', 'ADMIN TOKEN', 'CHARTER', 'PEERS', 'LOG SIZE'],
            rows.map((r) => [r.org, r.jurisdiction, r.api, r.token, r.charterVersion, r.connectedPeers, r.logSize]),
          ),
        );
        io.stdout(
          `\nWeb consoles (log in with the node's admin token, or one from govfed token create --role auditor):\n${rows
            .map((r) => `  ${r.org.padEnd(5)} ${r.console}`)
            .join('\n')}\n`,
        );
        io.stdout(
          `\nCompliance report: ${report.file} (for people: ${report.html})\nVerify it offline: ${report.verify}\n`,
        );
        io.stdout(
          `\nTry: GOVFED_API=${eu.api} GOVFED_TOKEN=${eu.token} npx govfed federation status\n` +
            (booleanOption(args, 'once') ? '' : 'Press Ctrl-C to stop the federation.\n'),
        );
      }
      if (!booleanOption(args, 'once')) await stopped;
      return ExitCode.OK;
    } finally {
      say('govfed demo: stopping');
      await Promise.all(nodes.map(stopNode));
      if (given === undefined) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      say('govfed demo: stopped');
    }
  },
};
