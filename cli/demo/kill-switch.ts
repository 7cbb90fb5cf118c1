/**
 * The demo's trust-contract and kill-switch act (cli/commands/demo.ts; docs/contracts.md), after the
 * registry act deployed eu/fraud-model@1.0.0 on us:
 *
 *   1. a decision for another purpose than the contract allows is denied on every node
 *      (`contract.purpose`), sealed into each node's leaf;
 *   2. eve (risk_officer, eu) suspends the version with her own key; the signed record is gossiped, and
 *      within moments every node denies its decisions (`suspended`) and refuses to deploy it.
 */
import { signRevocation } from '../../protocol/registry/index.ts';
import { CliError, ExitCode } from '../exit.ts';
import { poll } from './poll.ts';
import { type DemoPerson, decide, MODEL, type RegistryAct, type RegistryNode } from './registry.ts';

export interface KillSwitchAct {
  contractDenials: { org: string; index: number; deny: string[] }[];
  suspension: { by: string; reason: string; millis: number; denials: { org: string; index: number; deny: string[] }[] };
}

export async function killSwitchAct(
  nodes: readonly RegistryNode[],
  registry: RegistryAct,
  eve: DemoPerson,
  say: (s: string) => void,
): Promise<KillSwitchAct> {
  const ref = registry.model;
  const contractDenials = [];
  for (const n of nodes) {
    const d = await decide(n, ref, { purpose: 'marketing' });
    if (!d.deny.includes('contract.purpose')) {
      throw new CliError(ExitCode.ERROR, `demo: ${n.org} did not deny a decision outside the contract`);
    }
    contractDenials.push({ org: d.org, index: d.index, deny: d.deny });
  }
  say(
    `  contract: a decision of ${ref} for "marketing" is denied on every node (contract.purpose): ` +
      contractDenials.map((d) => `${d.org} #${d.index}`).join(', '),
  );
  const eu = nodes[0] as RegistryNode;
  const federation = (await eu.client.federation()).id as string;
  const reason = 'demo: drift beyond the contract';
  const envelope = signRevocation(
    registry.digest,
    {
      federation,
      model: { org: 'eu', ...MODEL },
      action: 'suspend',
      reason,
      signer: eve.person,
      issuedAt: new Date().toISOString(),
    },
    eve.signer,
  );
  const start = Date.now();
  await eu.client.models('POST', `/${MODEL.name}/${MODEL.version}/revocations?org=eu`, { envelope });
  const denials = await poll('the suspension on every node', async () => {
    const out = [];
    for (const n of nodes) {
      const d = await decide(n, ref);
      if (!d.deny.includes('suspended')) return false;
      out.push({ org: d.org, index: d.index, deny: d.deny });
    }
    return out;
  });
  const millis = Date.now() - start;
  say(
    `  kill switch: eve (risk_officer, eu) suspended ${ref} with her own key; every node denies it ` +
      `(suspended) within ${millis} ms: ${denials.map((d) => `${d.org} #${d.index}`).join(', ')}`,
  );
  return { contractDenials, suspension: { by: 'eu/eve', reason, millis, denials } };
}
