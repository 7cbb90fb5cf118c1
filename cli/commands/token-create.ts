/**
 * `govfed token create --home DIR --role ingest|auditor|admin` — adds an API token to DIR/tokens.json.
 *
 * Works whether or not the daemon runs (it reloads tokens.json when the file changes). Only the token's
 * hash is stored; the token itself is printed once, here.
 */
import { readConfig } from '../../node/home/config.ts';
import { createToken, isRole, ROLES } from '../../node/home/tokens.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION, requireOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatJson } from '../output.ts';

export const tokenCreateCommand: CommandSpec = {
  name: 'token create',
  summary: 'Create an API token with a role (ingest, auditor or admin).',
  usage: `token create --home DIR --role ${ROLES.join('|')} [--json]`,
  description: `
Roles: ingest may POST /v1/decisions; auditor may read full decision records (GET /v1/decisions/N);
admin may do everything. Any valid token may read the node's identity, checkpoints, entries, proofs and
metrics. The token is printed once (store it: only its SHA-256 is kept in DIR/tokens.json); --json prints
{token, id, role}.`,
  options: {
    ...HOME_OPTION,
    role: { type: 'string', value: 'ROLE', description: `the token's role: ${ROLES.join(', ')} (required)` },
    ...JSON_OPTION,
  },
  examples: ['govfed token create --home ./node --role ingest'],
  async run(args, io) {
    const home = resolveHome(args, io, 'token create');
    const role = requireOption(args, 'token create', 'role');
    if (!isRole(role)) throw new UsageError(`token create: --role must be one of ${ROLES.join(', ')}, got '${role}'`);
    await readConfig(home); // a clear ERR_HOME_NOT_FOUND rather than a stray tokens.json
    const created = await createToken(home, role);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ token: created.token, id: created.id, role: created.role }));
    } else {
      io.stdout(`${created.token}\n`);
      io.stderr(`created ${created.role} token ${created.id}; it is shown only once\n`);
    }
    return ExitCode.OK;
  },
};
