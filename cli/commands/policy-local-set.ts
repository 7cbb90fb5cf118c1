/** `govfed policy local set --file rules.json` — install this node's local overlay. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { readPolicyFile } from '../policy-file.ts';
import { formatLocal } from './policy-view.ts';

const NAME = 'policy local set';

export const policyLocalSetCommand: CommandSpec = {
  name: NAME,
  summary: 'Install node-local policy rules (stricter than the baseline).',
  usage: `${NAME} --file FILE [--home DIR] [--json]`,
  description: `
FILE holds {"rules": [...]} (or just the rule array), in the same format as a bundle's rules and
type-checked the same way. They replace the node's current local rules. A decision is denied when any
global or local deny rule fires, so local rules can add denials and warnings but never lift a global
one. Each change is an event in the node's audit log. An empty list removes the local rules.`,
  options: {
    ...CLIENT_OPTIONS,
    file: { type: 'string', value: 'FILE', description: 'the rules file (JSON; required)' },
    ...JSON_OPTION,
  },
  examples: ['govfed policy local set --home ./eu --file local-rules.json'],
  async run(args, io) {
    const file = requireOption(args, NAME, 'file');
    const { rules, riskTiers } = await readPolicyFile(NAME, file, io);
    if (riskTiers !== undefined) {
      throw new UsageError(
        `${NAME}: '${file}': riskTiers belong in the federation's baseline (govfed policy propose), not in a local overlay`,
      );
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('PUT', '/local', { rules });
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatLocal(r));
    return ExitCode.OK;
  },
};
