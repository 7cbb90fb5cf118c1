/**
 * `govfed federation set-threshold --admission|--policy|--charter K` — propose a threshold change (a
 * charter change, signed by this node; others co-sign it when the charter threshold is above 1).
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, parseIndex, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation set-threshold';

export const federationSetThresholdCommand: CommandSpec = {
  name: NAME,
  summary: 'Propose new thresholds (a charter change).',
  usage: `${NAME} [--admission K] [--policy K] [--charter K] [--witness K] [--revocation K] [--suspension-ttl SECONDS] [--home DIR] [--json]`,
  description: `
At least one of --admission, --policy, --charter. Admission can never exceed the charter threshold:
raising --admission above it raises the charter threshold too. The change needs the signatures of the
current charter threshold of members: with a threshold of 1 it takes effect at once, otherwise it is a
pending proposal that other members co-sign with 'govfed federation sign'. The kill switch's settings
live beside them: --revocation K (distinct risk officers whose revoke votes revoke a model version, default
2) and --suspension-ttl SECONDS (how long an unratified suspension lasts, default 86400).`,
  options: {
    ...CLIENT_OPTIONS,
    admission: { type: 'string', value: 'K', description: 'member signatures to admit a member' },
    policy: { type: 'string', value: 'K', description: 'member approvals for a policy' },
    charter: { type: 'string', value: 'K', description: 'member signatures for other charter changes' },
    witness: { type: 'string', value: 'K', description: "other members' cosignatures that witness a checkpoint" },
    revocation: { type: 'string', value: 'K', description: 'risk officers whose revoke votes revoke a model version' },
    'suspension-ttl': { type: 'string', value: 'SECONDS', description: 'how long an unratified suspension lasts' },
    ...JSON_OPTION,
  },
  examples: ['govfed federation set-threshold --home ./eu --admission 2'],
  async run(args, io) {
    const body: Record<string, number> = {};
    for (const k of ['admission', 'policy', 'charter', 'witness', 'revocation']) {
      const v = stringOption(args, k);
      if (v !== undefined) body[k] = parseIndex(NAME, k, v);
    }
    const ttl = stringOption(args, 'suspension-ttl');
    if (ttl !== undefined) body.suspensionTtl = parseIndex(NAME, 'suspension-ttl', ttl);
    if (Object.keys(body).length === 0) {
      throw new UsageError(
        `${NAME}: give --admission, --policy, --charter, --witness, --revocation or --suspension-ttl`,
      );
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/thresholds', body);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
