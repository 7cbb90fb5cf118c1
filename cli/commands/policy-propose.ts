/**
 * `govfed policy propose --file bundle.json` — propose the next global policy bundle. Prints the proposal
 * id (with --json, the proposal: an object with `id`).
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { readPolicyFile } from '../policy-file.ts';
import { formatProposal } from './policy-view.ts';

const NAME = 'policy propose';

export const policyProposeCommand: CommandSpec = {
  name: NAME,
  summary: 'Propose the next global policy bundle (rules in CEL).',
  usage: `${NAME} --file FILE [--home DIR] [--json]`,
  description: `
FILE holds {"rules": [...], "expiresAt"?: "RFC 3339"} (or just the rule array). A rule is
{"id", "hook": "decision", "effect": "deny" | "warn", "expression": CEL, "message"}. The node makes it
the next version (federation id, previous bundle digest, createdAt; expiry default 30 days),
type-checks every rule, signs it and gossips it. Once as many members as the charter's policy threshold
signed ('govfed policy sign ID'), every node applies it. Check a file offline with 'govfed policy check'.`,
  options: {
    ...CLIENT_OPTIONS,
    file: { type: 'string', value: 'FILE', description: 'the bundle file (JSON; required)' },
    ...JSON_OPTION,
  },
  examples: ['govfed policy propose --home ./eu --file baseline.json'],
  async run(args, io) {
    const body = await readPolicyFile(NAME, requireOption(args, NAME, 'file'), io);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('POST', '/proposals', body);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : `${String(r.id)}\n${formatProposal(r)}`);
    return ExitCode.OK;
  },
};
