/** `govfed policy status` — this node's baseline and every member's applied version with its receipt. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { formatPolicyStatus } from './policy-view.ts';

const NAME = 'policy status';

export const policyStatusCommand: CommandSpec = {
  name: NAME,
  summary: 'Show which baseline this node and every member applied (with receipts).',
  usage: `${NAME} [--home DIR] [--json]`,
  description: `
Asks the running node (GET /v1/policy/status). Each member's row comes from its signed receipt
{org, version, bundleHash, logIndex}: the apply event's index in that member's audit log. --json prints
the answer as is, receipts included.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('GET', '/status');
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatPolicyStatus(r));
    return ExitCode.OK;
  },
};
