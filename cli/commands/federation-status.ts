/** `govfed federation status` — charter, members (connected, last seen), pending proposals, sync state. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { formatFederationStatus } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation status';

export const federationStatusCommand: CommandSpec = {
  name: NAME,
  summary: 'Show the federation: charter version, members, connections, proposals.',
  usage: `${NAME} [--home DIR] [--json]`,
  description: `
Asks the running node (GET /v1/federation). --json prints that answer as is.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const s = await client.federation();
    io.stdout(booleanOption(args, 'json') ? formatJson(s) : formatFederationStatus(s));
    return ExitCode.OK;
  },
};
