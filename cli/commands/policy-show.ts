/** `govfed policy show` — the rules this node enforces: the global baseline and the local overlay. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { formatPolicy } from './policy-view.ts';

const NAME = 'policy show';

export const policyShowCommand: CommandSpec = {
  name: NAME,
  summary: 'Show the global baseline and local rules this node enforces.',
  usage: `${NAME} [--home DIR] [--json]`,
  description: `
Asks the running node (GET /v1/policy): the active bundle's version, digest, expiry and rules, and the
local overlay. --json prints the answer as is (with the signed bundle envelope).`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('GET', '');
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatPolicy(r));
    return ExitCode.OK;
  },
};
