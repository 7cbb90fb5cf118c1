/**
 * `govfed audit lookup --decision-id ID | --leaf-hash H` — the log index of an entry of the node's own
 * log, found by a decision's id or its RFC 6962 leaf hash (GET /v1/log/lookup). With the index,
 * `govfed audit prove --index N` writes its proof; another member proves it with `--org`.
 */
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { formatJson, formatKeyValues } from '../output.ts';

export const auditLookupCommand: CommandSpec = {
  name: 'audit lookup',
  summary: "Find an entry's log index by its decision id or leaf hash.",
  usage: 'audit lookup (--decision-id ID | --leaf-hash H) [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Asks the node (GET /v1/log/lookup) for the index of the entry of its log that holds the decision with
that id, or whose leaf hash (SHA-256(0x00 || entry), 64 hex digits or base64) is H. No such entry is
ERR_NOT_FOUND (exit 4). --json prints {index, leafHash}. Prove the entry with
'govfed audit prove --index N'.`,
  options: {
    'decision-id': { type: 'string', value: 'ID', description: "the decision's id (as sent in its record)" },
    'leaf-hash': { type: 'string', value: 'H', description: "the entry's leaf hash, hex or base64" },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: ['govfed audit lookup --home ./node --decision-id d-2026-0001'],
  async run(args, io) {
    const decisionId = stringOption(args, 'decision-id');
    const leafHash = stringOption(args, 'leaf-hash');
    if ((decisionId === undefined) === (leafHash === undefined)) {
      throw new UsageError('audit lookup: give exactly one of --decision-id ID or --leaf-hash H');
    }
    if (decisionId !== undefined && (decisionId.length === 0 || decisionId.length > 128)) {
      throw new UsageError('audit lookup: --decision-id must be 1 to 128 characters');
    }
    if (leafHash !== undefined && !/^([0-9a-f]{64}|[A-Za-z0-9+/]{43}=)$/.test(leafHash)) {
      throw new UsageError('audit lookup: --leaf-hash must be 32 bytes as 64 lowercase hex digits or base64');
    }
    const client = new ApiClient(await resolveTarget(args, io, 'audit lookup'));
    const found = await client.lookup(decisionId !== undefined ? { decisionId } : { leafHash: leafHash as string });
    if (booleanOption(args, 'json')) io.stdout(formatJson(found));
    else {
      io.stdout(
        formatKeyValues([
          ['index', found.index],
          ['leaf hash', found.leafHash],
          ['prove with', `govfed audit prove --index ${found.index}`],
        ]),
      );
    }
    return ExitCode.OK;
  },
};
