/**
 * `govfed federation set-approval-rule --tier TIER --roles ROLE[,ROLE…] [--orgs N]` (or `--clear`) —
 * propose the approval quorum of a risk tier (a charter change; POST /v1/federation/approval-rules).
 */
import { RISK_TIERS } from '../../protocol/federation/approval-rules.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, parseIndex, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatOperation } from '../federation-view.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation set-approval-rule';

export const federationSetApprovalRuleCommand: CommandSpec = {
  name: NAME,
  summary: "Propose a risk tier's approval rule: which roles, from how many orgs (a charter change).",
  usage: `${NAME} --tier TIER (--roles ROLE[,ROLE…] [--orgs N] | --clear) [--home DIR] [--json]`,
  description: `
A model version of risk tier TIER (${RISK_TIERS.join(', ')}) is approved once one distinct person per
role in --roles approved it (a role listed twice needs two people holding it), none of them its
submitter, and the approvers come from at least --orgs member orgs (default 1). A tier without a rule
needs no approval; --clear removes the tier's rule. Roles: model_owner, risk_officer, legal, security,
auditor (the roles people hold in their org's roster, docs/registry.md).

The rule lives in the charter, so every member computes a model's status from the same rule, and it
changes only by a charter change: it needs the charter threshold of member signatures (with a threshold
of 1 it takes effect at once, otherwise others co-sign it with 'govfed federation sign ID'). A rule that
could never be met (more orgs than the federation has members) is refused (ERR_INVALID_APPROVAL_RULE).`,
  options: {
    ...CLIENT_OPTIONS,
    tier: { type: 'string', value: 'TIER', description: `the risk tier: ${RISK_TIERS.join(' | ')}` },
    roles: { type: 'string', value: 'ROLE[,ROLE…]', description: 'one approver per listed role' },
    orgs: { type: 'string', value: 'N', description: 'approvers from at least N orgs (default 1)' },
    clear: { type: 'boolean', description: "remove the tier's rule" },
    ...JSON_OPTION,
  },
  examples: [
    'govfed federation set-approval-rule --home ./eu --tier high --roles risk_officer,legal --orgs 2',
    'govfed federation set-approval-rule --home ./eu --tier medium --roles risk_officer',
    'govfed federation set-approval-rule --home ./eu --tier high --clear',
  ],
  async run(args, io) {
    const tier = stringOption(args, 'tier');
    if (tier === undefined) throw new UsageError(`${NAME}: give --tier (${RISK_TIERS.join(', ')})`);
    if (!(RISK_TIERS as readonly string[]).includes(tier)) {
      throw new UsageError(`${NAME}: --tier must be one of ${RISK_TIERS.join(', ')} (got "${tier}")`);
    }
    const roles = stringOption(args, 'roles');
    const orgs = stringOption(args, 'orgs');
    const clear = booleanOption(args, 'clear');
    let body: Record<string, unknown>;
    if (clear) {
      if (roles !== undefined || orgs !== undefined)
        throw new UsageError(`${NAME}: --clear takes no --roles or --orgs`);
      body = { tier, clear: true };
    } else {
      if (roles === undefined) throw new UsageError(`${NAME}: give --roles ROLE[,ROLE…] (or --clear)`);
      const list = roles.split(',').map((r) => r.trim());
      if (list.some((r) => r === '')) throw new UsageError(`${NAME}: --roles: an empty role name in "${roles}"`);
      body = { tier, roles: list, ...(orgs === undefined ? {} : { orgs: parseIndex(NAME, 'orgs', orgs) }) };
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/approval-rules', body);
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatOperation(r));
    return ExitCode.OK;
  },
};
