/**
 * `govfed model approve NAME@V --key APPROVER_KEY [--reject --reason TEXT] [--conditions FILE]
 *  [--expires DAYS] [--org ORG] [--home DIR] [--json]`
 *
 * Signs one person's vote on a model version here (an in-toto Statement v1 in DSSE, subject = the model
 * digest the node's registry holds; PROTOCOL §14) and posts it to the node
 * (POST /v1/models/{name}/{version}/approvals). Every member checks it: the key is the named person with
 * that role in the approver org's current roster, not the submitter, one vote per person, not expired.
 */
import type { ApprovalPredicate } from '../../protocol/registry/index.ts';
import { MAX_CONDITIONS_BYTES, signApproval } from '../../protocol/registry/index.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { readInputFile } from '../model-files.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { personSigner } from '../registry-signer.ts';

const NAME = 'model approve';
const DEFAULT_DAYS = 365;
const REF_RE =
  /^(?:([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\/)?([A-Za-z0-9][A-Za-z0-9_.-]{0,127})@([A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/;

/** `[ORG/]NAME@VERSION` → its parts; a usage error otherwise. */
export function parseModelRef(
  command: string,
  ref: string | undefined,
): { org?: string; name: string; version: string } {
  const m = ref === undefined ? null : REF_RE.exec(ref);
  if (m === null) throw new UsageError(`${command}: name the model version as NAME@VERSION (or ORG/NAME@VERSION)`);
  return { ...(m[1] === undefined ? {} : { org: m[1] }), name: m[2] as string, version: m[3] as string };
}

export const modelApproveCommand: CommandSpec = {
  name: NAME,
  summary: 'Approve (or reject) a model version with your own key: a signed vote every member checks.',
  usage: `${NAME} NAME@VERSION --key APPROVER_KEY [--reject --reason TEXT] [--conditions FILE] [--expires DAYS] [--org ORG] [--home DIR] [--json]`,
  positionals: [
    { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
  ],
  description: `
Signs your vote on the model version with APPROVER_KEY (your key from govfed identity create; it never
leaves this machine) and posts it to the node, which checks it and gossips it to every member. The vote
names the model's digest as the registry holds it, its current trust contract (a new contract version
needs approval again), your name and role as this node's copy of your org's roster gives them, and is valid for --expires days (default ${DEFAULT_DAYS}, at most 400). A rejection
(--reject) says why (--reason). --conditions FILE attaches a JSON object of conditions (at most
${MAX_CONDITIONS_BYTES} bytes). Your newest vote counts: approve again to change a rejection. The
submitter of a model cannot approve it. Prints the model's status after your vote.`,
  options: {
    ...CLIENT_OPTIONS,
    key: { type: 'string', value: 'FILE', description: 'your key (govfed identity create --key-out)' },
    reject: { type: 'boolean', description: 'vote to reject (give --reason)' },
    reason: { type: 'string', value: 'TEXT', description: 'why (required with --reject)' },
    conditions: { type: 'string', value: 'FILE', description: 'a JSON object of conditions of the approval' },
    expires: { type: 'string', value: 'DAYS', description: `days the vote stays valid (default ${DEFAULT_DAYS})` },
    org: { type: 'string', value: 'ORG', description: 'the org that registered the model (when several did)' },
    ...JSON_OPTION,
  },
  examples: [
    'govfed model approve fraud@1.0.0 --home ./us --key bob.key',
    "govfed model approve eu/fraud@1.0.0 --home ./us --key carol.key --reject --reason 'no bias evaluation'",
  ],
  async run(args, io) {
    const ref = parseModelRef(NAME, args.positionals[0]);
    if (args.positionals.length > 1) throw new UsageError(`${NAME}: one model version at a time`);
    const keyFile = requireOption(args, NAME, 'key');
    const reject = booleanOption(args, 'reject');
    const reason = stringOption(args, 'reason');
    if (reject && reason === undefined)
      throw new UsageError(`${NAME}: --reject needs --reason TEXT (a rejection says why)`);
    const org = stringOption(args, 'org') ?? ref.org;
    if (ref.org !== undefined && stringOption(args, 'org') !== undefined && ref.org !== stringOption(args, 'org')) {
      throw new UsageError(`${NAME}: ${ref.org}/… and --org ${stringOption(args, 'org')} disagree`);
    }
    const days = parseDays(stringOption(args, 'expires'));
    const conditions = await readConditions(stringOption(args, 'conditions'));
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const who = await personSigner(client, keyFile);
    const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;
    const query = org === undefined ? '' : `?org=${encodeURIComponent(org)}`;
    const model = await client.models('GET', `${path}${query}`);
    const contract = (model.contract ?? null) as { version: number; id: string } | null;
    const now = new Date();
    const predicate: ApprovalPredicate = {
      federation: who.federationId,
      model: { org: String(model.org), name: ref.name, version: ref.version },
      approver: who.person,
      decision: reject ? 'reject' : 'approve',
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + days * 86_400_000).toISOString(),
      ...(reason === undefined ? {} : { reason }),
      ...(conditions === undefined ? {} : { conditions }),
      ...(contract === null ? {} : { contract: contract.id }),
    };
    const envelope = signApproval(String(model.digest), predicate, who.signer);
    const out = await client.models('POST', `${path}/approvals?org=${encodeURIComponent(String(model.org))}`, {
      envelope,
    });
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(out));
      return ExitCode.OK;
    }
    const a = out.approvals as { missingRoles: string[]; orgs: { have: number; need: number } };
    io.stdout(
      formatKeyValues([
        ['model', `${String(model.org)}/${ref.name}@${ref.version}`],
        ['vote', `${predicate.decision} by ${who.person.name} (${who.person.role}, ${who.person.org})`],
        ...(contract === null ? [] : ([['contract', `version ${contract.version} (${contract.id})`]] as const)),
        ['status', out.status],
        ...(out.status === 'pending'
          ? ([
              ['still needed', a.missingRoles.length === 0 ? '(roles complete)' : a.missingRoles.join(', ')],
              ['orgs', `${a.orgs.have} of ${a.orgs.need}`],
            ] as const)
          : []),
        ['log index', out.logIndex],
      ]),
    );
    return ExitCode.OK;
  },
};

function parseDays(v: string | undefined): number {
  if (v === undefined) return DEFAULT_DAYS;
  const n = Number(v);
  if (!/^[0-9]{1,3}$/.test(v) || n < 1 || n > 400) throw new UsageError(`${NAME}: --expires: a number of days, 1–400`);
  return n;
}

async function readConditions(file: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (file === undefined) return undefined;
  const bytes = await readInputFile(NAME, '--conditions', file, MAX_CONDITIONS_BYTES);
  if (bytes.length > MAX_CONDITIONS_BYTES)
    throw new UsageError(`${NAME}: --conditions ${file} is larger than ${MAX_CONDITIONS_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new UsageError(`${NAME}: --conditions ${file} is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UsageError(`${NAME}: --conditions ${file} must hold a JSON object`);
  return v as Record<string, unknown>;
}
