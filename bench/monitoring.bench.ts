/**
 * Monitoring on the ingest path (issue 15; docs/monitoring.md), on vs off in the same run and the same
 * daemon (a one-node federation, two approved versions of tier low): POST /v1/decisions, batches of
 * 1,000, 8 keep-alive clients (bench/ingest-http.bench.ts's driver, bench/on-off.ts's rounds).
 *   off  the records name scorer@1, whose contract has one neutral term (logRetentionDays) and no
 *        monitor: registry resolution and the contract's check, as for the other;
 *   on   they name monitored@1, whose contract has the same term and requires seven monitors — psi and ks of context.amount
 *        against a 10-bin baseline, disparate_impact_ratio over context.branch with a CEL positive
 *        outcome, denial_rate, shadow_ai_rate, contract_violation_rate, demographic_parity_difference —
 *        windows of 10,000 decisions: every decision is observed on the sealing worker and counted on
 *        the main thread, every full window is signed, logged and gossiped.
 * Rounds off/on/on/off twice, GOVFED_BENCH_SECONDS (default 10) each. Goal: monitoring costs ≤ 10 % of ingest.
 */
import path from 'node:path';
import { signedContract, signedRegistration } from '../cli/registry-signer.ts';
import { readIdentityKey } from '../node/registry/identity-key.ts';
import { baselineFromSamples } from '../protocol/monitoring/baseline.ts';
import type { ContractTerms } from '../protocol/registry/contract-terms.ts';
import { externalDigest } from '../protocol/registry/oms/index.ts';
import { removeDir, runCliJson } from '../test/helpers/cli.ts';
import { DaemonProcess, initNode } from '../test/helpers/daemon.ts';
import { adminPost } from '../test/helpers/federation.ts';
import { runAlone } from './alone.ts';
import { measureOnOff, onOffResults } from './on-off.ts';
import type { BenchResult } from './types.ts';

const GROUP = 'monitoring';
const ORG = 'bench-monitoring';
const WINDOW = { decisions: 10_000 };
const TERMS: ContractTerms = {
  requiredMonitors: [
    { metric: 'psi', field: 'context.amount', threshold: 0.25, window: WINDOW, onBreach: 'flag' },
    { metric: 'ks', field: 'context.amount', threshold: 0.5, window: WINDOW, onBreach: 'flag' },
    {
      metric: 'disparate_impact_ratio',
      groupField: 'context.branch',
      positive: "decision.output == 'approve'",
      threshold: 0.8,
      window: WINDOW,
      onBreach: 'flag',
    },
    {
      metric: 'demographic_parity_difference',
      groupField: 'context.branch',
      positive: "decision.output == 'approve'",
      threshold: 0.2,
      window: WINDOW,
      onBreach: 'flag',
    },
    { metric: 'denial_rate', threshold: 0.9, window: WINDOW, onBreach: 'flag' },
    { metric: 'shadow_ai_rate', threshold: 0.9, window: WINDOW, onBreach: 'flag' },
    { metric: 'contract_violation_rate', threshold: 0.9, window: WINDOW, onBreach: 'flag' },
  ],
};

async function ingestOnOff(): Promise<BenchResult[]> {
  const node = await initNode(ORG);
  let daemon: DaemonProcess | undefined;
  try {
    const { token } = await runCliJson<{ token: string }>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    daemon = await DaemonProcess.start(node.home);
    const fed = { daemon, adminToken: node.adminToken };
    await adminPost(fed, '/v1/federation', { name: 'bench monitoring' });
    const federationId = (
      (await (await daemon.fetch('/v1/federation', { token: node.adminToken })).json()) as {
        id: string;
      }
    ).id;
    const file = path.join(node.tmp, 'alice.key');
    await runCliJson(
      [
        'identity',
        'create',
        '--home',
        node.home,
        '--name',
        'alice',
        '--role',
        'model_owner',
        '--key-out',
        file,
        '--json',
      ],
      { timeoutMs: 60_000 },
    );
    const k = await readIdentityKey(file);
    const who = {
      signer: { keyid: k.keyid, seed: k.seed },
      person: { org: ORG, name: 'alice', role: 'model_owner' },
      federationId,
    };
    // The amounts of test/helpers/records.ts (1000 + i, i < 1000) as the baseline.
    const baseline = {
      fields: { 'context.amount': baselineFromSamples(Array.from({ length: 1000 }, (_, i) => 1000 + i)) },
    };
    // Both versions under a contract, so that the difference is the monitors alone (the contract's own
    // check of each decision is in both phases).
    for (const [name, terms] of [
      ['scorer', { logRetentionDays: 365 }],
      ['monitored', { logRetentionDays: 365, ...TERMS }],
    ] as const) {
      const external = { provider: 'bench', model: name, snapshot: '1' };
      const digest = externalDigest(external).digest;
      const ref = { org: ORG, name, version: '1' };
      const model = { digest, assurance: 'opaque' as const, external };
      const { envelope } = signedRegistration({
        who,
        ref,
        jurisdiction: 'EU',
        model,
        card: undefined,
        held: undefined,
        baseline,
      });
      const contract = signedContract({ who, model: { ...ref, digest }, version: 1, terms });
      await adminPost(fed, '/v1/models', { envelope, contract });
    }
    const rates = await measureOnOff(daemon.url, token, async (phase) => (phase === 'on' ? 'monitored@1' : 'scorer@1'));
    const exit = await daemon.stop('SIGTERM');
    if (exit.code !== 0) throw new Error(`daemon exited with ${exit.code ?? exit.signal}`);
    return onOffResults(
      GROUP,
      rates,
      {
        off: 'durable ingest over HTTP, a version under a contract without monitors, batches of 1,000',
        on: 'durable ingest over HTTP, a version under the same contract with 7 required monitors (windows of 10,000), batches of 1,000',
      },
      'monitoring',
      ' (goal ≤ 10 %)',
    );
  } finally {
    if (daemon !== undefined) await daemon.kill9();
    await removeDir(node.tmp);
  }
}

export async function run(): Promise<BenchResult[]> {
  return await ingestOnOff();
}

await runAlone(import.meta, run);
