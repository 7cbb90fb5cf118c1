/**
 * `govfed federation invite --card FILE --out invite.json` (or `--org ORG --peer-id PEERID …`) —
 * propose admitting a node and write the invite file it joins with.
 */
import { writeFile } from 'node:fs/promises';
import type { MemberCard } from '../../protocol/federation/member-card.ts';
import {
  booleanOption,
  CLIENT_OPTIONS,
  type CommandSpec,
  JSON_OPTION,
  type ParsedArgs,
  parseIndex,
  requireOption,
  stringOption,
} from '../args.ts';
import { ApiClient } from '../client.ts';
import { CliError, ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { readMemberCardFile } from '../member-card-file.ts';
import { formatJson } from '../output.ts';

const NAME = 'federation invite';

/** The invitee fields a flag can give, by flag name, and the card field each must agree with. */
const CARD_FLAGS = [
  ['org', 'org'],
  ['peer-id', 'peerId'],
  ['jurisdiction', 'jurisdiction'],
  ['log-key', 'logKey'],
  ['witness-key', 'witnessKey'],
] as const;

interface InviteeFields {
  org: string;
  peerId: string;
  jurisdiction?: string;
  logKey?: string;
  witnessKey?: string;
}

/** The invitee from the verified card; a flag given as well must say the same (else a usage error). */
function fromCard(args: ParsedArgs, card: MemberCard, file: string): InviteeFields {
  for (const [flag, field] of CARD_FLAGS) {
    const given = stringOption(args, flag);
    if (given !== undefined && given !== card[field]) {
      throw new UsageError(
        `${NAME}: --${flag} ${given} disagrees with the card ${file}, which says ${card[field] ?? '(none)'}; drop --${flag}`,
      );
    }
  }
  return {
    org: card.org,
    peerId: card.peerId,
    jurisdiction: card.jurisdiction,
    ...(card.logKey === undefined ? {} : { logKey: card.logKey }),
    ...(card.witnessKey === undefined ? {} : { witnessKey: card.witnessKey }),
  };
}

function fromFlags(args: ParsedArgs): InviteeFields {
  const jurisdiction = stringOption(args, 'jurisdiction');
  const logKey = stringOption(args, 'log-key');
  const witnessKey = stringOption(args, 'witness-key');
  return {
    org: requireOption(args, NAME, 'org'),
    peerId: requireOption(args, NAME, 'peer-id'),
    ...(jurisdiction === undefined ? {} : { jurisdiction }),
    ...(logKey === undefined ? {} : { logKey }),
    ...(witnessKey === undefined ? {} : { witnessKey }),
  };
}

export const federationInviteCommand: CommandSpec = {
  name: NAME,
  summary: 'Invite an org (from its member card) and write the invite file.',
  usage: `${NAME} (--card FILE | --org ORG --peer-id PEERID [--jurisdiction J] [--log-key VKEY] [--witness-key VKEY]) --out FILE [--allow-unprovable] [--ttl SECONDS] [--home DIR] [--json]`,
  description: `
This node signs the charter change that admits the peer and gossips it to the other members. When the
admission threshold is above 1, other members co-sign it ('govfed federation status' lists it,
'govfed federation sign ID' signs). The invite file holds the charter chain, that proposal, and this
node's addresses; give it to the invitee, who runs 'govfed federation join FILE'. Tell the invitee the
federation id out of band as well.
--card FILE is the invitee's member card (its DIR/member-card.json, written by 'govfed init' and
'govfed member card'): org, peer id, jurisdiction, log key and witness key are taken from it after its
signature is checked (a tampered card, or one signed by another key, fails with exit 1). The old flags
still work without a card; given with --card, each must agree with the card (else a usage error).
An invite that would admit a member without a log key or a witness key is refused (ERR_UNPROVABLE_MEMBER,
exit 2): others could not prove its entries, or it could not cosign theirs. --allow-unprovable admits it
anyway. The invitee's node refuses an invite whose jurisdiction differs from its own config
(ERR_JURISDICTION_MISMATCH).
Admit one org at a time: this node never signs two different changes for the same charter version
(ERR_PROPOSAL_PENDING until the first is accepted or its invite expires).
--json prints {out, federationId, proposals, invitee}.`,
  options: {
    ...CLIENT_OPTIONS,
    card: {
      type: 'string',
      value: 'FILE',
      description: "the invitee's member card: everything below is taken from it",
    },
    org: { type: 'string', value: 'ORG', description: "the invitee's org name (required without --card)" },
    'peer-id': { type: 'string', value: 'PEERID', description: "the invitee's node peer id (required without --card)" },
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
    'allow-unprovable': {
      type: 'boolean',
      description: 'admit the invitee even without a log key or witness key',
    },
    out: { type: 'string', value: 'FILE', description: 'where to write the invite (required)' },
    ttl: { type: 'string', value: 'SECONDS', description: 'how long the invite is valid, 60..86400 (default 86400)' },
    ...JSON_OPTION,
  },
  examples: [
    'govfed federation invite --home ./eu --card us.card.json --out us.invite.json',
    'govfed federation invite --home ./eu --org us --peer-id 12D3KooW... --jurisdiction US --log-key ... --witness-key ... --out us.invite.json',
  ],
  async run(args, io) {
    const out = requireOption(args, NAME, 'out');
    const cardFile = stringOption(args, 'card');
    const ttl = stringOption(args, 'ttl');
    const allowUnprovable = booleanOption(args, 'allow-unprovable');
    const ttlSeconds = ttl === undefined ? undefined : parseIndex(NAME, 'ttl', ttl);
    const invitee =
      cardFile === undefined ? fromFlags(args) : fromCard(args, await readMemberCardFile(NAME, cardFile), cardFile);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.federationPost('/invites', {
      ...invitee,
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      ...(allowUnprovable ? { allowUnprovable: true } : {}),
    });
    if (typeof r.invite !== 'string') {
      throw new CliError(ExitCode.ERROR, 'the node returned no invite', { code: 'ERR_BAD_RESPONSE' });
    }
    await writeFile(out, r.invite, { mode: 0o644 });
    const status = r.status as Record<string, unknown> | undefined;
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ out, federationId: status?.id, proposals: status?.proposals, invitee }));
    } else {
      io.stdout(
        `wrote ${out}: invite for ${invitee.org} (${invitee.peerId}, ${invitee.jurisdiction ?? 'ZZ'}) to federation ${String(status?.id)}\n`,
      );
    }
    return ExitCode.OK;
  },
};
