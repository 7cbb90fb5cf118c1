/**
 * `govfed witness logs add --key VKEY` — lets a log outside the federation use this node as a C2SP
 * witness (POST /v1/witness/add-checkpoint): adds its verifier key to DIR/witness/logs.json through
 * PUT /v1/witness/logs (admin). Federation members' logs need no entry: the charter lists them.
 */
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, requireOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson } from '../output.ts';

const NAME = 'witness logs add';

export const witnessLogsAddCommand: CommandSpec = {
  name: NAME,
  summary: 'Witness a log outside the federation (add its verifier key).',
  usage: `${NAME} --key VKEY [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]`,
  description: `
VKEY is the log's C2SP verifier key (name+hash+base64, Ed25519); its name is the log's origin. The log (or
its operator) then sends checkpoints to POST /v1/witness/add-checkpoint (c2sp.org/tlog-witness) and gets
this node's cosignatures. Prints the full list.`,
  options: {
    key: { type: 'string', value: 'VKEY', description: "the log's verifier key (required)" },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: ['govfed witness logs add --home ./node --key "example.com/log+1a2b3c4d+AQ..."'],
  async run(args, io) {
    const key = requireOption(args, NAME, 'key');
    try {
      if (parseVerifierKey(key).alg !== 1) throw new Error('not an Ed25519 (type 0x01) key');
    } catch (cause) {
      throw new UsageError(`${NAME}: --key is not a log verifier key: ${(cause as Error).message}`, { cause });
    }
    const client = new ApiClient(await resolveTarget(args, io, NAME));
    const current = await client.witnessLogs();
    const logs = current.includes(key) ? current : await client.witnessLogs([...current, key]);
    if (booleanOption(args, 'json')) io.stdout(formatJson({ logs }));
    else
      io.stdout(
        `this node witnesses ${logs.length} log(s) outside the federation:\n${logs.map((l) => `  ${l}\n`).join('')}`,
      );
    return ExitCode.OK;
  },
};
