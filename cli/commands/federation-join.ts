/** `govfed federation join invite.json` — join a federation with an invite file. */
import { readFile } from 'node:fs/promises';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation join';

export const federationJoinCommand: CommandSpec = {
  name: NAME,
  summary: 'Join a federation with an invite file.',
  usage: `${NAME} INVITE [--home DIR] [--json]`,
  description: `
The running node checks the invite (not expired, a valid charter chain, a proposal that admits this
node's peer id with its own log and witness keys and the jurisdiction of its config.json — else
ERR_JURISDICTION_MISMATCH, and nothing is joined), signs the proposal and sends it to the members named
in the invite. The file is checked by its signatures: re-indented (jq ., an editor) it still joins. If the admission
threshold is met the node is a member at once; otherwise it becomes one when enough members co-sign.
Check with 'govfed federation status'; compare the federation id with the one the inviter told you.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: [{ name: 'INVITE', description: 'the invite file' }],
  async run(args, io) {
    const file = args.positionals[0];
    if (file === undefined) throw new UsageError(`${NAME}: INVITE is required`);
    let invite: string;
    try {
      invite = await readFile(file, 'utf8');
    } catch (cause) {
      throw new UsageError(`${NAME}: cannot read '${file}'`, { cause });
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/join', { invite });
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
