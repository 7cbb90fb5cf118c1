/**
 * `govfed identity revoke NAME [--home DIR] [--json]` — moves a person of this org's roster to `revoked`
 * (POST /v1/identities/revoke): a new roster version; every member stops counting their approvals.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'identity revoke';

export const identityRevokeCommand: CommandSpec = {
  name: NAME,
  summary: "Revoke a person of this org's roster: their approvals stop counting.",
  usage: `${NAME} NAME [--home DIR] [--json]`,
  description: `
Moves NAME from this org's roster to its revoked list: a new roster version, signed by the node, logged
and gossiped. Every member checks approvals against the current roster, so NAME's approvals (made before
or after) stop counting. The key stays listed as revoked: it cannot come back under another name.
Unknown NAME: ERR_NOT_FOUND.`,
  positionals: [{ name: 'NAME', description: 'the person to revoke' }],
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  examples: ['govfed identity revoke --home ./eu alice'],
  async run(args, io) {
    const [name, ...rest] = args.positionals;
    if (name === undefined || rest.length > 0) throw new UsageError(`${NAME}: give exactly one NAME`);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.identities('POST', '/revoke', { name });
    io.stdout(
      booleanOption(args, 'json')
        ? formatJson(r)
        : `${name} revoked: ${String(r.org)}'s roster is at version ${String(r.version)}\n`,
    );
    return ExitCode.OK;
  },
};
