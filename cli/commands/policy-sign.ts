/** `govfed policy sign ID` — co-sign a pending global policy bundle. */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';
import { formatProposal } from './policy-view.ts';

const NAME = 'policy sign';
const ID_RE = /^(sha256:)?[0-9a-f]{8,64}$/;

export const policySignCommand: CommandSpec = {
  name: NAME,
  summary: 'Co-sign a pending global policy bundle.',
  usage: `${NAME} ID [--home DIR] [--json]`,
  description: `
ID is the proposal id 'govfed policy propose' printed or 'govfed policy status' lists (the bundle's
sha256 digest, or a unique prefix of its hex of at least 8 digits). The node signs only a bundle that
checks against its charter, and never two different bundles for one version. When the signatures meet
the charter's policy threshold, every node applies the bundle.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  positionals: [{ name: 'ID', description: 'proposal id' }],
  async run(args, io) {
    const id = args.positionals[0] as string;
    if (!ID_RE.test(id)) throw new UsageError(`${NAME}: '${id}' is not a proposal id (sha256:<hex> or 8+ hex digits)`);
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const r = await client.policy('POST', `/proposals/${encodeURIComponent(id)}/signatures`, {});
    io.stdout(booleanOption(args, 'json') ? formatJson(r) : formatProposal(r));
    return ExitCode.OK;
  },
};
