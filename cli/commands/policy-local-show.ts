/** `govfed policy local show` — this node's local overlay. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { formatLocal } from './policy-view.ts';

const NAME = 'policy local show';

export const policyLocalShowCommand: CommandSpec = {
  name: NAME,
  summary: 'Show the node-local policy rules.',
  usage: `${NAME} [--home DIR] [--json]`,
  description: `
Asks the running node (GET /v1/policy/local).`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('GET', '/local');
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatLocal(r));
    return ExitCode.OK;
  },
};
