/**
 * `govfed federation remove --org ORG` — propose removing a member (a charter change at the admission
 * threshold). Once accepted, every member refuses the removed node's connections and gossip.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation remove';
const ORG_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const federationRemoveCommand: CommandSpec = {
  name: NAME,
  summary: 'Propose removing a member (a charter change at the admission threshold).',
  usage: `${NAME} --org ORG [--home DIR] [--json]`,
  description: `
Removes the member ORG from the charter. The change needs the admission threshold of member
signatures: with a threshold of 1 it takes effect at once, otherwise it is a pending proposal that other
members co-sign with 'govfed federation sign ID'. The charter and admission thresholds are lowered only
as far as the smaller member count needs. Once a node takes the new version it closes the removed
node's connections and refuses its gossip; the removed node, when it hears the change, leaves the
federation (its status then says so). Removing your own org is 'govfed federation leave'.`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: 'the member to remove (its org name in the charter)' },
    ...JSON_OPTION,
  },
  examples: ['govfed federation remove --home ./eu --org apac'],
  async run(args, io) {
    const org = stringOption(args, 'org');
    if (org === undefined)
      throw new UsageError(`${NAME}: --org ORG is required (the member's org name; see govfed federation status)`);
    if (!ORG_RE.test(org)) throw new UsageError(`${NAME}: --org: '${org}' is not an org name (letters, digits, _ . -)`);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/members/remove', { org });
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
