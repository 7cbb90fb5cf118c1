/**
 * `govfed member card --home DIR [--out FILE] [--json]` — re-signs the node's member card from the
 * current config.json, re-writes DIR/member-card.json, and prints it (or also writes it to FILE).
 */
import { writeFile } from 'node:fs/promises';
import { booleanOption, type CommandSpec, HOME_OPTION, JSON_OPTION, stringOption } from '../args.ts';
import { CliError, ExitCode } from '../exit.ts';
import { resolveHome } from '../home.ts';
import { formatMemberCard } from '../member-card-file.ts';
import { formatJson } from '../output.ts';

const NAME = 'member card';

export const memberCardCommand: CommandSpec = {
  name: NAME,
  summary: "Print or write this node's member card (what an inviter needs).",
  usage: `${NAME} --home DIR [--out FILE] [--json]`,
  description: `
The member card is one file holding the node's org, jurisdiction, peer id, log verifier key, witness key
and listen address, signed with its peer key. 'govfed init' writes it to DIR/member-card.json; this
command signs it again from the current config.json (so it follows 'govfed config set'), re-writes
DIR/member-card.json, and prints the card file to stdout — or, with --out FILE, writes it there too.
Give the file to a member of the federation: 'govfed federation invite --card FILE' takes everything from
it and checks its signature, so it may be re-indented but not edited. The daemon need not run.
--json prints {memberCard, out, card: {org, jurisdiction, peerId, logKey, witnessKey, addresses,
createdAt}} (out is null without --out).`,
  options: {
    ...HOME_OPTION,
    out: { type: 'string', value: 'FILE', description: 'also write the card to FILE' },
    ...JSON_OPTION,
  },
  examples: ['govfed member card --home ./us --out us.card.json'],
  async run(args, io) {
    const home = resolveHome(args, io, NAME);
    const out = stringOption(args, 'out');
    const { writeMemberCard } = await import('../../node/home/member-card.ts');
    const written = await writeMemberCard(home);
    if (out !== undefined) {
      try {
        await writeFile(out, written.text, { mode: 0o644 });
      } catch (cause) {
        throw new CliError(ExitCode.ERROR, `${NAME}: cannot write '${out}': ${(cause as Error).message}`, {
          code: 'ERR_WRITE_FILE',
          cause,
        });
      }
    }
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ memberCard: written.path, out: out ?? null, card: written.card }));
    } else if (out === undefined) {
      io.stdout(written.text);
    } else {
      io.stdout(`wrote ${out} (and ${written.path}):\n\n${formatMemberCard(written.card)}`);
    }
    return ExitCode.OK;
  },
};
