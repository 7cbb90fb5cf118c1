/**
 * `govfed policy check --file bundle.json` — offline type check of a bundle or rules file, with
 * protocol/policy directly (no node needed). Exit 1 with every problem when a rule does not check.
 */
import { booleanOption, type CommandSpec, JSON_OPTION, requireOption } from '../args.ts';
import { CheckFailedError, ExitCode } from '../exit.ts';
import { formatJson } from '../output.ts';
import { policyFileShape } from '../policy-file.ts';
import { formatProblems, readJsonFile } from './policy-view.ts';

const NAME = 'policy check';

export const policyCheckCommand: CommandSpec = {
  name: NAME,
  summary: 'Type-check a policy bundle or rules file offline.',
  usage: `${NAME} --file FILE [--json]`,
  description: `
Parses and type-checks every rule of FILE ({"rules": [...]}, a full bundle, or a rule array) against
its hook's typed inputs, the way a node does at propose time: syntax errors, type errors, non-boolean
results, unknown variables, over-complex or too costly expressions and unsafe regular expressions are reported with the
rule id, line and column. Exit 0 when every rule checks, 1 otherwise. Needs no node.`,
  options: {
    file: { type: 'string', value: 'FILE', description: 'the bundle or rules file (JSON; required)' },
    ...JSON_OPTION,
  },
  examples: ['govfed policy check --file baseline.json'],
  async run(args, io) {
    const file = requireOption(args, NAME, 'file');
    const body = policyFileShape(NAME, file, await readJsonFile(NAME, file));
    // CEL and the hook environments load only for this command, so other commands stay fast.
    const { checkRuleSet } = await import('../../protocol/policy/index.ts');
    const result = checkRuleSet({ rules: body.rules });
    if (booleanOption(args, 'json')) io.stdout(formatJson(result));
    else if (result.ok) io.stdout('ok: every rule checks\n');
    else io.stderr(formatProblems(result.errors as unknown as Record<string, unknown>[]));
    if (!result.ok) {
      const code = result.errors[0]?.code ?? 'ERR_INVALID_RULE';
      throw new CheckFailedError(`${NAME}: ${result.errors.length} problem(s)`, { code });
    }
    return ExitCode.OK;
  },
};
