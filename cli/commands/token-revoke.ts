/**
 * `govfed token revoke --home DIR ID` — removes a token from DIR/tokens.json. A running node refuses it
 * from its next request on (it checks tokens.json on every request), without a restart.
 */
import { readConfig } from '../../node/home/config.ts';
import { revokeHomeToken } from '../../node/home/home-tokens.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatJson } from '../output.ts';

export const tokenRevokeCommand: CommandSpec = {
  name: 'token revoke',
  summary: 'Revoke an API token by its id (the running node refuses it at once).',
  usage: 'token revoke --home DIR ID [--json]',
  description: `
ID is the token's public id, as printed by 'govfed token create' and 'govfed token list'. The token is
removed from DIR/tokens.json; a running node refuses it from its next request on (401). An unknown id is
ERR_NOT_FOUND. On a node whose log is in PostgreSQL the token is removed from the org's list in the
database (with every process of the org stopped: ERR_NOT_LEADER while one runs). --json prints
{revoked: {id, role, created, expires}}.`,
  options: { ...HOME_OPTION, ...JSON_OPTION },
  positionals: [{ name: 'ID', description: "the token's id (govfed token list)" }],
  examples: ['govfed token revoke --home ./node 3f9a1c2b7d4e'],
  async run(args, io) {
    const home = resolveHome(args, io, 'token revoke');
    const id = args.positionals[0] as string;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      throw new UsageError(`token revoke: ID must be a token id as shown by 'govfed token list', got '${id}'`);
    }
    await readConfig(home); // a clear ERR_HOME_NOT_FOUND
    const revoked = await revokeHomeToken(home, id);
    if (booleanOption(args, 'json')) io.stdout(formatJson({ revoked }));
    else io.stdout(`revoked ${revoked.role} token ${revoked.id}\n`);
    return ExitCode.OK;
  },
};
