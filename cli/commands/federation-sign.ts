/**
 * `govfed federation sign PROPOSAL` — co-sign a pending charter change, named by its id (from
 * `govfed federation status`) or given as a file holding the charter envelope.
 */
import { readFile } from 'node:fs/promises';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation sign';
const ID_RE = /^(sha256:)?[0-9a-f]{8,64}$/;

export const federationSignCommand: CommandSpec = {
  name: NAME,
  summary: 'Co-sign a pending charter change (by id or envelope file).',
  usage: `${NAME} PROPOSAL [--home DIR] [--json]`,
  description: `
PROPOSAL is the id 'govfed federation status' lists (the proposed charter's sha256 digest, or a unique
prefix of its hex of at least 8 digits), or a file holding the proposal's charter envelope (JSON). The
node checks the change against its current charter before signing. When the signatures then meet the
threshold, the node publishes the new charter version.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: [{ name: 'PROPOSAL', description: 'proposal id or envelope file' }],
  async run(args, io) {
    const ref = args.positionals[0];
    if (ref === undefined) throw new UsageError(`${NAME}: PROPOSAL is required`);
    let body: Record<string, unknown>;
    if (ID_RE.test(ref)) {
      body = { id: ref };
    } else {
      let envelope: unknown;
      try {
        envelope = JSON.parse(await readFile(ref, 'utf8'));
      } catch (cause) {
        throw new UsageError(`${NAME}: '${ref}' is neither a proposal id nor a readable JSON envelope file`, { cause });
      }
      body = { envelope };
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/proposals/sign', body);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
