/**
 * `govfed federation withdraw ID` — take back this node's signature from a pending charter change.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation withdraw';
const ID_RE = /^(sha256:)?[0-9a-f]{8,64}$/;

export const federationWithdrawCommand: CommandSpec = {
  name: NAME,
  summary: "Take back this node's signature from a pending charter change.",
  usage: `${NAME} ID [--home DIR] [--json]`,
  description: `
ID is the id 'govfed federation status' lists for a pending change (the proposed charter's sha256
digest, or a unique prefix of its hex of at least 8 digits) that this node signed — an invite it made,
say. The node signs a withdrawal, logs it and gossips it: every member that hears it takes the
signature out of its copy and drops a copy left without a member's signature. This node may then sign
another change for that charter version. A change that some member already completed is taken and
cannot be withdrawn.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: [{ name: 'ID', description: 'pending change id' }],
  examples: ['govfed federation withdraw --home ./eu 3f1a9c0b'],
  async run(args, io) {
    const id = args.positionals[0];
    if (id === undefined)
      throw new UsageError(`${NAME}: ID is required (see the pending changes in govfed federation status)`);
    if (!ID_RE.test(id)) throw new UsageError(`${NAME}: '${id}' is not a proposal id (sha256 hex, at least 8 digits)`);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/proposals/withdraw', { id });
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
