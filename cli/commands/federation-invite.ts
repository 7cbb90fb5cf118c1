/**
 * `govfed federation invite --org ORG --peer-id PEERID [--jurisdiction J] --out invite.json` — propose
 * admitting a peer and write the invite file it joins with.
 */
import { writeFile } from 'node:fs/promises';
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
import { CliError, ExitCode } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation invite';

export const federationInviteCommand: CommandSpec = {
  name: NAME,
  summary: 'Invite an org (by its node peer id) and write the invite file.',
  usage: `${NAME} --org ORG --peer-id PEERID [--jurisdiction J] [--log-key VKEY] [--witness-key VKEY] --out FILE [--home DIR] [--json]`,
  description: `
This node signs the charter change that admits the peer and gossips it to the other members. When the
admission threshold is above 1, other members co-sign it ('govfed federation status' lists it,
'govfed federation sign ID' signs). The invite file holds the charter chain, that proposal, and this
node's addresses; give it to the invitee, who runs 'govfed federation join FILE'. The invitee's peer id
is printed by its 'govfed init'. Tell the invitee the federation id out of band as well.
Admit one org at a time: this node never signs two different changes for the same charter version
(ERR_PROPOSAL_PENDING until the first is accepted or its invite expires).`,
  options: {
    ...CLIENT_OPTIONS,
    org: { type: 'string', value: 'ORG', description: "the invitee's org name (required)" },
    'peer-id': { type: 'string', value: 'PEERID', description: "the invitee's node peer id (required)" },
    jurisdiction: { type: 'string', value: 'J', description: "the invitee's jurisdiction (default ZZ)" },
    'log-key': {
      type: 'string',
      value: 'VKEY',
      description: "the invitee's log verifier key (its init prints verifierKey): lets members prove its entries",
    },
    'witness-key': {
      type: 'string',
      value: 'VKEY',
      description: "the invitee's witness key (its init prints witnessKey): lets it cosign members' checkpoints",
    },
    out: { type: 'string', value: 'FILE', description: 'where to write the invite (required)' },
    ttl: { type: 'string', value: 'SECONDS', description: 'how long the invite is valid, 60..86400 (default 86400)' },
    ...JSON_OPTION,
  },
  examples: [
    'govfed federation invite --home ./eu --org us --peer-id 12D3KooW... --jurisdiction US --out us.invite.json',
  ],
  async run(args, io) {
    const org = requireOption(args, NAME, 'org');
    const peerId = requireOption(args, NAME, 'peer-id');
    const out = requireOption(args, NAME, 'out');
    const jurisdiction = stringOption(args, 'jurisdiction');
    const ttl = stringOption(args, 'ttl');
    const logKey = stringOption(args, 'log-key');
    const witnessKey = stringOption(args, 'witness-key');
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/invites', {
      org,
      peerId,
      ...(jurisdiction === undefined ? {} : { jurisdiction }),
      ...(logKey === undefined ? {} : { logKey }),
      ...(witnessKey === undefined ? {} : { witnessKey }),
      ...(ttl === undefined ? {} : { ttlSeconds: parseIndex(NAME, 'ttl', ttl) }),
    });
    if (typeof r.invite !== 'string') {
      throw new CliError(ExitCode.ERROR, 'the node returned no invite', { code: 'ERR_BAD_RESPONSE' });
    }
    await writeFile(out, r.invite, { mode: 0o644 });
    const status = r.status as Record<string, unknown> | undefined;
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ out, federationId: status?.id, proposals: status?.proposals }));
    } else {
      io.stdout(`wrote ${out}: invite for ${org} (${peerId}) to federation ${String(status?.id)}\n`);
    }
    return ExitCode.OK;
  },
};
