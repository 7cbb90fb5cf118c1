/**
 * The kill switch (docs/contracts.md "The kill switch"):
 *
 *   govfed model suspend NAME@VERSION --key KEY --reason TEXT     one risk_officer of any member, at once
 *   govfed model revoke NAME@VERSION --key KEY --reason TEXT      permanent at the charter's revocation threshold
 *   govfed model reinstate NAME@VERSION --key KEY [--reason TEXT] ends both; needs a fresh approval quorum
 *
 * Each signs one record here with the risk officer's own key (an in-toto Statement v1 in DSSE whose
 * subject is the model digest; protocol/registry/revocation.ts) and posts it to the node
 * (POST /v1/models/{name}/{version}/revocations), which checks it, logs it and gossips it at once: every
 * node denies decisions of a suspended or revoked version from the moment it holds the record.
 */
import {
  REVOCATION_ROLE,
  type RevocationAction,
  type RevocationPredicate,
  signRevocation,
} from '../../protocol/registry/index.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { CliError, ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { personSigner } from '../registry-signer.ts';
import { parseModelRef } from './model-approve.ts';

interface KillView {
  state: string;
  since?: string;
  until?: string;
  ratified?: boolean;
  by: string[];
  reason?: string;
  reinstatedAt?: string;
}

const WHAT: Record<RevocationAction, { summary: string; description: string }> = {
  suspend: {
    summary: 'Suspend a model version federation-wide at once (a risk officer of any member).',
    description: `
Signs a suspension of the model version with your key (a risk_officer of any member org; the key never
leaves this machine) and posts it to the node, which gossips it at once: from the moment a node holds it,
every decision of that version is denied there (finding "suspended") and it cannot be deployed. A
suspension lapses after the charter's suspension time (default 24 h) unless it is ratified — suspended by
as many distinct risk officers as the charter's revocation threshold — or the version is revoked.`,
  },
  revoke: {
    summary: 'Vote to revoke a model version for good (k-of-n risk officers, the charter threshold).',
    description: `
Signs your vote to revoke the model version (a risk_officer of any member org). Once as many distinct risk
officers as the charter's revocation threshold (govfed federation set-threshold --revocation K) voted, the
version is revoked on every node: decisions denied (finding "revoked"), no deployment, until it is
reinstated and approved afresh. Below the threshold, your vote suspends it like govfed model suspend.`,
  },
  reinstate: {
    summary: 'Reinstate a suspended or revoked model version (it then needs a fresh approval quorum).',
    description: `
Signs a reinstatement (a risk_officer of any member org): every earlier suspension and revocation of the
version stops counting, and so do the approvals signed before it — the version is pending until its
approval rule is met again by fresh approvals (govfed model approve).`,
  },
};

function killCommand(action: RevocationAction): CommandSpec {
  const name = `model ${action}`;
  const reasonRequired = action !== 'reinstate';
  return {
    name,
    summary: WHAT[action].summary,
    usage: `${name} NAME@VERSION --key KEY ${reasonRequired ? '--reason TEXT' : '[--reason TEXT]'} [--org ORG] [--home DIR] [--json]`,
    positionals: [
      { name: 'NAME@VERSION', description: 'the model version (ORG/NAME@VERSION when several orgs registered it)' },
    ],
    description: WHAT[action].description,
    options: {
      ...CLIENT_OPTIONS,
      key: { type: 'string', value: 'FILE', description: 'your key (govfed identity create --key-out)' },
      reason: { type: 'string', value: 'TEXT', description: `why (${reasonRequired ? 'required' : 'optional'})` },
      org: { type: 'string', value: 'ORG', description: 'the org that registered the model (when several did)' },
      ...JSON_OPTION,
    },
    examples: [`govfed ${name} eu/fraud@1.0.0 --home ./us --key rita.key --reason 'drift in production'`],
    async run(args, io) {
      const ref = parseModelRef(name, args.positionals[0]);
      if (args.positionals.length > 1) throw new UsageError(`${name}: one model version at a time`);
      const keyFile = requireOption(args, name, 'key');
      const reason = reasonRequired
        ? requireOption(args, name, 'reason')
        : (stringOption(args, 'reason') ?? 'reinstated');
      const org = stringOption(args, 'org') ?? ref.org;
      const client = new ApiClient(await resolveTarget(args, io, name));
      const who = await personSigner(client, keyFile);
      if (who.person.role !== REVOCATION_ROLE) {
        throw new CliError(
          ExitCode.CHECK_FAILED,
          `${who.person.name} is a ${who.person.role}: only a ${REVOCATION_ROLE} pulls the kill switch`,
          { code: 'ERR_NOT_IN_ROSTER' },
        );
      }
      const path = `/${encodeURIComponent(ref.name)}/${encodeURIComponent(ref.version)}`;
      const model = await client.models('GET', org === undefined ? path : `${path}?org=${encodeURIComponent(org)}`);
      const predicate: RevocationPredicate = {
        federation: who.federationId,
        model: { org: String(model.org), name: ref.name, version: ref.version },
        action,
        reason,
        signer: who.person,
        issuedAt: new Date().toISOString(),
      };
      const envelope = signRevocation(String(model.digest), predicate, who.signer);
      const out = await client.models('POST', `${path}/revocations?org=${encodeURIComponent(String(model.org))}`, {
        envelope,
      });
      if (booleanOption(args, 'json')) {
        io.stdout(formatJson(out));
        return ExitCode.OK;
      }
      const k = out.kill as KillView;
      io.stdout(
        formatKeyValues([
          ['model', `${String(model.org)}/${ref.name}@${ref.version}`],
          ['record', `${action} by ${who.person.name} (${who.person.org}): ${reason}`],
          ['state', k.state],
          ...(k.until === undefined ? [] : ([['lapses', `${k.until} unless ratified`]] as const)),
          ...(k.ratified === true ? ([['ratified', `by ${k.by.join(', ')}`]] as const) : []),
          ['status', out.status],
          ['log index', out.logIndex],
        ]),
      );
      return ExitCode.OK;
    },
  };
}

export const modelSuspendCommand = killCommand('suspend');
export const modelRevokeCommand = killCommand('revoke');
export const modelReinstateCommand = killCommand('reinstate');
