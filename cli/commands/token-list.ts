/**
 * `govfed token list --home DIR [--json]` — the API tokens of DIR/tokens.json: id, role, created and
 * expires. Never the token or its hash (the file holds no token, and the hash is not shown either).
 */
import { readConfig } from '../../node/home/config.ts';
import { listHomeTokens } from '../../node/home/home-tokens.ts';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION } from '../args.ts';
import { ExitCode } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatJson, formatTable } from '../output.ts';

export const tokenListCommand: CommandSpec = {
  name: 'token list',
  summary: 'List the API tokens (id, role, created, expires; never the secret).',
  usage: 'token list --home DIR [--json]',
  description: `
Reads DIR/tokens.json (the daemon need not run). A token past its expiry time is shown as expired: the
node refuses it. --json prints {tokens: [{id, role, created, expires, expired}]} (expires is null for a
token that does not expire).`,
  options: { ...HOME_OPTION, ...JSON_OPTION },
  examples: ['govfed token list --home ./node'],
  async run(args, io) {
    const home = resolveHome(args, io, 'token list');
    await readConfig(home); // a clear ERR_HOME_NOT_FOUND
    const now = Date.now();
    const tokens = (await listHomeTokens(home)).map((t) => ({
      ...t,
      expired: t.expires !== null && Date.parse(t.expires) <= now,
    }));
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ tokens }));
    } else if (tokens.length === 0) {
      io.stdout('no tokens\n');
    } else {
      io.stdout(
        formatTable(
          ['ID', 'ROLE', 'CREATED', 'EXPIRES'],
          tokens.map((t) => [
            t.id,
            t.role,
            t.created,
            t.expires === null ? 'never' : `${t.expires}${t.expired ? ' (expired)' : ''}`,
          ]),
        ),
      );
    }
    return ExitCode.OK;
  },
};
