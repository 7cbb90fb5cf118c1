/**
 * `govfed federation create --name NAME [--admission-threshold K] [--policy-threshold K]
 * [--charter-threshold K]` — this node founds a federation (charter version 1, signed by it alone).
 */
import {
  booleanOption,
  CLIENT_OPTIONS,
  type CommandSpec,
  JSON_OPTION,
  parseIndex,
  requireOption,
  stringOption,
} from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation create';

function threshold(args: Parameters<CommandSpec['run']>[0], flag: string): number | undefined {
  const v = stringOption(args, flag);
  return v === undefined ? undefined : parseIndex(NAME, flag, v);
}

export const federationCreateCommand: CommandSpec = {
  name: NAME,
  summary: 'Found a federation with this node as its first member.',
  usage: `${NAME} --name NAME [--admission-threshold K] [--policy-threshold K] [--charter-threshold K] [--witness-threshold K] [--home DIR] [--json]`,
  description: `
The running node signs charter version 1 (the genesis): the federation id is its SHA-256. Thresholds
default to 1. While the federation has one member, the admission and charter thresholds can only be 1
(1 <= admission <= charter <= members); the policy threshold may exceed today's member count. Raise
thresholds later with 'govfed federation set-threshold'. Other orgs join with invites.`,
  options: {
    ...CLIENT_OPTIONS,
    name: { type: 'string', value: 'NAME', description: 'the federation name (required)' },
    'admission-threshold': { type: 'string', value: 'K', description: 'member signatures to admit a member' },
    'policy-threshold': { type: 'string', value: 'K', description: 'member approvals for a policy' },
    'charter-threshold': { type: 'string', value: 'K', description: 'member signatures for other charter changes' },
    'witness-threshold': {
      type: 'string',
      value: 'K',
      description: "other members' cosignatures that make a checkpoint witnessed (default: a majority)",
    },
    ...JSON_OPTION,
  },
  examples: ['govfed federation create --home ./eu --name "AI governance federation" --policy-threshold 2'],
  async run(args, io) {
    const name = requireOption(args, NAME, 'name');
    const thresholds: Record<string, number> = {};
    for (const [flag, key] of [
      ['admission-threshold', 'admission'],
      ['policy-threshold', 'policy'],
      ['charter-threshold', 'charter'],
      ['witness-threshold', 'witness'],
    ] as const) {
      const k = threshold(args, flag);
      if (k !== undefined) thresholds[key] = k;
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const body = Object.keys(thresholds).length > 0 ? { name, thresholds } : { name };
    const r = await client.federationPost('', body);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
