/**
 * `govfed model list [--org ORG] [--status S] [--tier T] [--home DIR] [--json]` and
 * `govfed model show NAME@VERSION [--org ORG] [--home DIR] [--json]` — the federation-wide registry as this
 * node holds it (GET /v1/models, GET /v1/models/{name}/{version}).
 */
import { RISK_TIERS } from '../../protocol/federation/approval-rules.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues, formatTable } from '../output.ts';
import { parseModelRef } from './model-approve.ts';

const STATUSES = ['pending', 'approved', 'rejected'];

interface Summary {
  org: string;
  name: string;
  version: string;
  digest: string;
  status: string;
  risk: { score: number; tier: string; hits: { rule: string; points: number }[]; policyVersion: number };
  approvals: { votes: number; counted: number; missingRoles: string[]; orgs: { have: number; need: number } };
  submitter: { name: string; role: string };
  registeredAt: string;
  logIndex: number;
  euAiActCategory: string | null;
  contract: { version: number; id: string } | null;
  kill: { state: string; until?: string; ratified?: boolean; by: string[]; reason?: string };
}

function killLine(k: Summary['kill']): string {
  if (k.state === 'active') return 'active';
  const how = k.state === 'suspended' ? (k.ratified === true ? ' (ratified)' : ` until ${k.until}`) : '';
  return `${k.state}${how} by ${k.by.join(', ')}: ${k.reason ?? ''}`;
}

export const modelListCommand: CommandSpec = {
  name: 'model list',
  summary: "List every member's model versions this node holds, with risk tier and status.",
  usage: 'model list [--org ORG] [--status pending|approved|rejected] [--tier TIER] [--home DIR] [--json]',
  description: `
Lists the model versions of every member org as this node holds them (registrations arrive by gossip and
sync), with their digest, risk score and tier, and status — computed here from the signed approvals and
the charter's approval rules, the same on every node.`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: 'only the versions this org registered' },
    status: { type: 'string', value: 'S', description: STATUSES.join(' | ') },
    tier: { type: 'string', value: 'T', description: RISK_TIERS.join(' | ') },
    ...JSON_OPTION,
  },
  examples: ['govfed model list --home ./eu', 'govfed model list --home ./us --status pending --json'],
  async run(args, io) {
    const q = new URLSearchParams();
    for (const k of ['org', 'status', 'tier'] as const) {
      const v = stringOption(args, k);
      if (v !== undefined) q.set(k, v);
    }
    const status = q.get('status');
    if (status !== null && !STATUSES.includes(status))
      throw new UsageError(`model list: --status must be one of ${STATUSES.join(', ')}`);
    const tier = q.get('tier');
    if (tier !== null && !(RISK_TIERS as readonly string[]).includes(tier))
      throw new UsageError(`model list: --tier must be one of ${RISK_TIERS.join(', ')}`);
    const client = new ApiClient(await resolveTarget(args, io, 'model list'));
    const r = await client.models('GET', q.size === 0 ? '' : `?${q}`);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(r));
      return ExitCode.OK;
    }
    const models = (Array.isArray(r.models) ? r.models : []) as Summary[];
    if (models.length === 0) {
      io.stdout('no model versions (govfed model register)\n');
      return ExitCode.OK;
    }
    io.stdout(
      formatTable(
        ['MODEL', 'DIGEST', 'RISK', 'STATUS', 'REGISTERED'],
        models.map((m) => [
          `${m.org}/${m.name}@${m.version}`,
          `${m.digest.slice(0, 19)}…`,
          `${m.risk.score} ${m.risk.tier}`,
          m.kill.state === 'active' ? m.status : `${m.status}, ${m.kill.state}`,
          m.registeredAt,
        ]),
      ),
    );
    return ExitCode.OK;
  },
};

export const modelShowCommand: CommandSpec = {
  name: 'model show',
  summary: 'Show one model version: digest, card, risk (the rules that fired), votes and status.',
  usage: 'model show NAME@VERSION [--org ORG] [--home DIR] [--json]',
  positionals: [
    { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
  ],
  description: `
Shows a model version as this node holds it: its digest, card, risk score with the policy rules that
fired and the baseline version that scored it, every vote (who, role, org, approve or reject, and
whether it counts now: a revoked person's or an expired vote does not), the approval rule of its tier
and the status. --json prints the full record, signed envelopes included.`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: 'the org that registered it (when several did)' },
    ...JSON_OPTION,
  },
  examples: ['govfed model show fraud@1.0.0 --home ./eu', 'govfed model show eu/fraud@1.0.0 --home ./us --json'],
  async run(args, io) {
    const ref = parseModelRef('model show', args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError('model show: one model version at a time');
    const org = stringOption(args, 'org') ?? ref.org;
    const client = new ApiClient(await resolveTarget(args, io, 'model show'));
    const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;
    const r = await client.models('GET', org === undefined ? path : `${path}?org=${encodeURIComponent(org)}`);
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(r));
      return ExitCode.OK;
    }
    const m = r as unknown as Summary & {
      rule: { roles: string[]; orgs: number } | null;
      votes: {
        approver: { org: string; name: string; role: string };
        decision: string;
        counts: boolean;
        why?: string;
        reason?: string;
      }[];
    };
    const hits = m.risk.hits.map((h) => `${h.rule} +${h.points}`).join(', ') || '(no rule fired)';
    io.stdout(
      formatKeyValues([
        ['model', `${m.org}/${m.name}@${m.version}`],
        ['digest', m.digest],
        ['status', m.status],
        ['risk', `${m.risk.score} (${m.risk.tier}) under policy version ${m.risk.policyVersion}: ${hits}`],
        ['EU AI Act', m.euAiActCategory ?? '(no card)'],
        ['submitter', `${m.submitter.name} (${m.submitter.role})`],
        ['registered', `${m.registeredAt}, log index ${m.logIndex}`],
        ['kill switch', killLine(m.kill)],
        [
          'contract',
          m.contract === null
            ? '(none)'
            : `version ${m.contract.version} (${m.contract.id}): govfed contract show ${m.org}/${m.name}@${m.version}`,
        ],
        [
          'rule',
          m.rule === null
            ? 'none: this tier needs no approval'
            : `${m.rule.roles.join(' + ')} from ≥ ${m.rule.orgs} org(s)`,
        ],
        ...(m.status === 'pending'
          ? ([
              [
                'still needed',
                m.approvals.missingRoles.join(', ') || `orgs ${m.approvals.orgs.have} of ${m.approvals.orgs.need}`,
              ],
            ] as const)
          : []),
      ]),
    );
    if (m.votes.length > 0) {
      io.stdout(
        `\n${formatTable(
          ['APPROVER', 'ROLE', 'VOTE', 'COUNTS'],
          m.votes.map((v) => [
            `${v.approver.org}/${v.approver.name}`,
            v.approver.role,
            v.decision === 'reject' ? `reject: ${v.reason ?? ''}` : 'approve',
            v.counts ? 'yes' : `no: ${v.why ?? ''}`,
          ]),
        )}`,
      );
    }
    return ExitCode.OK;
  },
};
