/**
 * `govfed audit checkpoint` — prints the node's latest signed checkpoint (a C2SP signed note).
 */
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { chooseVerifierKey, latestCheckpoint } from '../checkpoint.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { homeConfig, optionalHome, resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

export const auditCheckpointCommand: CommandSpec = {
  name: 'audit checkpoint',
  summary: "Print the node's latest signed checkpoint.",
  usage: 'audit checkpoint [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Fetches GET /v1/log/checkpoint, verifies its signature under the pinned verifier key (DIR/config.json,
or the key the node reports when no home is given) and prints the note exactly as signed, so it can be
fed to any C2SP checkpoint tool. --json prints {origin, size, rootHash, note}.`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const client = new ApiClient(await resolveTarget(args, io, 'audit checkpoint'));
    const pinned = (await homeConfig(optionalHome(args, io)))?.verifierKey;
    const key = pinned ?? (await client.node()).verifierKey;
    const { note, checkpoint } = await latestCheckpoint(client, chooseVerifierKey(pinned, key));
    if (booleanOption(args, 'json')) {
      io.stdout(
        formatJson({
          origin: checkpoint.origin,
          size: checkpoint.size,
          rootHash: toBase64(checkpoint.rootHash),
          verifierKey: key,
          note,
        }),
      );
    } else {
      io.stdout(note);
    }
    return ExitCode.OK;
  },
};
