/**
 * `govfed token create --home DIR --role ingest|auditor|admin [--ttl 30m|12h|7d]` — adds an API token to
 * DIR/tokens.json, optionally expiring after --ttl.
 *
 * Works whether or not the daemon runs (it reloads tokens.json when the file changes). On a home whose
 * log is in PostgreSQL the token goes into the org's list in the database (node/home/home-tokens.ts),
 * with every process of the org stopped (ERR_NOT_LEADER while one runs: use POST /v1/tokens on it).
 * Only the token's hash is stored; the token itself is printed once, here.
 */
import { readConfig } from '../../node/home/config.ts';
import { createHomeToken } from '../../node/home/home-tokens.ts';
import { isRole, ROLES } from '../../node/home/tokens.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatJson } from '../output.ts';
import { parseTtl } from '../ttl.ts';

export const tokenCreateCommand: CommandSpec = {
  name: 'token create',
  summary: 'Create an API token with a role (ingest, auditor or admin).',
  usage: `token create --home DIR --role ${ROLES.join('|')} [--ttl DURATION] [--json]`,
  description: `
Roles: ingest may POST /v1/decisions; auditor may read full decision records (GET /v1/decisions/N);
admin may do everything. Any valid token may read the node's identity, checkpoints, entries, proofs and
metrics. The token is printed once (store it: only its SHA-256 is kept in DIR/tokens.json); --json prints
{token, id, role} (and expires with --ttl). With --ttl (e.g. 30m, 12h, 7d) the running node refuses the
token once that time has passed. List tokens with 'govfed token list', revoke one with 'govfed token revoke'.
On a node whose log is in PostgreSQL the token goes into the org's token list in the database, accepted
by every process of the org; this works with all of them stopped (ERR_NOT_LEADER while one runs: then
use POST /v1/tokens on the process that holds the lease).`,
  options: {
    ...HOME_OPTION,
    role: { type: 'string', value: 'ROLE', description: `the token's role: ${ROLES.join(', ')} (required)` },
    ttl: {
      type: 'string',
      value: 'DURATION',
      description: 'the token expires after this long: a number and s, m, h or d (e.g. 30m, 12h, 7d)',
    },
    ...JSON_OPTION,
  },
  examples: [
    'govfed token create --home ./node --role ingest',
    'govfed token create --home ./node --role auditor --ttl 7d',
  ],
  async run(args, io) {
    const home = resolveHome(args, io, 'token create');
    const role = requireOption(args, 'token create', 'role');
    if (!isRole(role)) throw new UsageError(`token create: --role must be one of ${ROLES.join(', ')}, got '${role}'`);
    const ttl = stringOption(args, 'ttl');
    const ttlMs = ttl === undefined ? undefined : parseTtl('token create', ttl);
    await readConfig(home); // a clear ERR_HOME_NOT_FOUND rather than a stray tokens.json
    const created = await createHomeToken(home, role, ttlMs === undefined ? {} : { ttlMs });
    const expires = created.expires;
    if (booleanOption(args, 'json')) {
      const out = { token: created.token, id: created.id, role: created.role };
      io.stdout(formatJson(expires === undefined ? out : { ...out, expires }));
    } else {
      io.stdout(`${created.token}\n`);
      const until = expires === undefined ? '' : `, valid until ${expires}`;
      io.stderr(`created ${created.role} token ${created.id}${until}; it is shown only once\n`);
    }
    return ExitCode.OK;
  },
};
