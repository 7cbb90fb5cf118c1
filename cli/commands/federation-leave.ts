/**
 * `govfed federation leave` — leave the federation: this node's own removal, complete with its
 * signature (no other member needs to agree), handed to the connected members before the node departs.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation leave';

export const federationLeaveCommand: CommandSpec = {
  name: NAME,
  summary: 'Leave the federation (no other member needs to agree).',
  usage: `${NAME} [--home DIR] [--json]`,
  description: `
Signs the charter change that removes this node and hands it to the connected members, who take it
and close their connections to this node. The node then stops its federation network and forgets the
federation's state; its own audit log, policy and tokens stay, and it keeps serving its API. 'govfed
federation status' then names the federation it left. The only member of a federation cannot leave it
(ERR_LAST_MEMBER). A pending change this node signed for the next charter version blocks leaving
(ERR_PROPOSAL_PENDING): withdraw it first with 'govfed federation withdraw ID'.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  examples: ['govfed federation leave --home ./apac'],
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/leave', {});
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
