/**
 * `govfed model deploy NAME@VERSION [--shadow] [--org ORG] [--home DIR] [--json]` and
 * `govfed model undeploy NAME@VERSION [--org ORG] [--home DIR] [--json]` — the deployment gate on this
 * node (POST /v1/deployments; docs/contracts.md "Deployments"). The node checks the version is approved,
 * not suspended or revoked, allowed here by its contract (jurisdiction, risk tier, not expired) and by the
 * baseline's `deploy` rules; the deployment, or its refusal with every reason, is a record the node signs,
 * logs and gossips. A refusal exits 1 (ERR_DEPLOY_REFUSED) with the reasons.
 * `govfed model promote NAME@VERSION` takes a shadow deployment live: refused (exit 1,
 * ERR_PROMOTE_REFUSED) while any of its latest monitoring windows breaches, or differs from the live
 * version's beyond the monitor's threshold (docs/monitoring.md).
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { parseModelRef } from './model-approve.ts';

const SUMMARY = {
  deploy:
    'Deploy a model version on this node through the deployment gate (approved, not stopped, allowed by its contract).',
  undeploy: 'Undeploy a model version from this node (a signed, logged, gossiped record).',
  promote:
    'Take a shadow deployment live, unless its monitoring windows breach its contract or differ from the live version beyond the thresholds.',
};

const PROMOTE = `
Takes a version this node runs in shadow mode (model deploy --shadow) live, through the same deployment
gate. Refused (exit 1, ERR_PROMOTE_REFUSED; nothing deployed) while it is not in shadow mode here, or
while any latest monitoring window of it — any org's, live or shadow — breaches its contract
(govfed model monitor NAME@VERSION shows them; docs/monitoring.md).`;

function deployCommand(action: 'deploy' | 'undeploy' | 'promote'): CommandSpec {
  const name = `model ${action}`;
  return {
    name,
    summary: SUMMARY[action],
    usage: `${name} NAME@VERSION${action === 'deploy' ? ' [--shadow]' : ''} [--org ORG] [--home DIR] [--json]`,
    positionals: [
      { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
    ],
    description:
      action === 'deploy'
        ? `
Asks this node to run the model version. The node refuses unless the version is approved, is not
suspended or revoked, its contract allows this node's jurisdiction and the version's risk tier and has
not expired, and the policy baseline's deploy rules pass. The deployment — or the refusal with every
reason — is a record signed by this node, logged and gossiped: every member's federation view shows which
node runs which version (govfed federation status, GET /v1/deployments). Decisions of a version this node
does not run carry the shadow_ai flag. --shadow runs it on mirrored traffic: decisions are logged and
flagged "shadow", not served.`
        : action === 'promote'
          ? PROMOTE
          : `
Stops running the model version on this node: a record signed by this node, logged and gossiped. From
then on its decisions here carry the shadow_ai flag.`,
    options: {
      ...CLIENT_OPTIONS,
      ...(action === 'deploy'
        ? { shadow: { type: 'boolean' as const, description: 'shadow mode: mirrored traffic, logged, not served' } }
        : {}),
      org: { type: 'string', value: 'ORG', description: 'the org that registered the model (when several did)' },
      ...JSON_OPTION,
    },
    examples: [`govfed ${name} eu/fraud@1.0.0 --home ./us${action === 'deploy' ? ' --shadow' : ''}`],
    async run(args, io) {
      const ref = parseModelRef(name, args.positionals[0]);
      if (args.positionals.length > 1) throw new UsageError(`${name}: one model version at a time`);
      const org = stringOption(args, 'org') ?? ref.org;
      const client = new ApiClient(await resolveTarget(args, io, name));
      const out = await client.deployments('POST', '', {
        name: ref.name,
        version: ref.version,
        ...(org === undefined ? {} : { org }),
        action,
        ...(action === 'deploy' ? { shadow: booleanOption(args, 'shadow') } : {}),
      });
      if (booleanOption(args, 'json')) {
        io.stdout(formatJson(out));
        return ExitCode.OK;
      }
      const m = out.model as { org: string; name: string; version: string };
      io.stdout(
        formatKeyValues([
          ['model', `${m.org}/${m.name}@${m.version}`],
          ['digest', out.digest],
          [
            action === 'undeploy' ? 'undeployed' : 'deployed',
            `on ${String(out.org)}${out.shadow === true ? ' (shadow mode)' : ''}`,
          ],
          ...(typeof out.contract === 'string' ? ([['contract', out.contract]] as const) : []),
          ['record', `seq ${out.seq} at ${out.time}, log index ${out.logIndex}`],
        ]),
      );
      return ExitCode.OK;
    },
  };
}

export const modelDeployCommand = deployCommand('deploy');
export const modelUndeployCommand = deployCommand('undeploy');
export const modelPromoteCommand = deployCommand('promote');
