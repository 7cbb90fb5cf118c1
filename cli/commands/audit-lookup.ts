/**
 * `govfed audit lookup --decision-id ID | --leaf-hash H` — the log index of an entry of the node's own
 * log, found by a decision's id or its RFC 6962 leaf hash (GET /v1/log/lookup). With the index,
 * `govfed audit prove --index N` writes its proof; another member proves it with `--org`.
 * `govfed audit lookup --org ORG | --origin O …` — the same across the federation, through the local
 * node (GET /v1/proofs/lookup): a cross-org proof bundle of that entry of member ORG's log, checked
 * here (crossorg-output.ts) before it is written.
 */
import { fromBase64, fromHex } from '../../protocol/encoding/bytes.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { ApiClient } from '../client.ts';
import { writeCrossOrg } from '../crossorg-output.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { resolveTarget } from '../home.ts';
import { resolveMemberLog } from '../member-origin.ts';
import { formatJson, formatKeyValues } from '../output.ts';

export const auditLookupCommand: CommandSpec = {
  name: 'audit lookup',
  summary: "Find an entry's log index by its decision id or leaf hash.",
  usage:
    'audit lookup (--decision-id ID | --leaf-hash H) [--org ORG | --origin O] [--out FILE] [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Asks the node (GET /v1/log/lookup) for the index of the entry of its log that holds the decision with
that id, or whose leaf hash (SHA-256(0x00 || entry), 64 hex digits or base64) is H. No such entry is
ERR_NOT_FOUND (exit 4). --json prints {index, leafHash}. Prove the entry with
'govfed audit prove --index N'.

With --org ORG (or --origin O), the lookup goes to that member's log, through this node: its node says
which entry holds it, this node proves that entry against the newest witnessed checkpoint of ORG's log
and checks that it is that decision (or has that leaf hash), and this command checks the bundle again
(govfed-crossorg-proof/v1, the same as 'audit prove --org') before writing it to --out (or stdout).
Not yet witnessed is ERR_NOT_WITNESSED (exit 4): ask again once the members cosigned a newer checkpoint.`,
  options: {
    'decision-id': { type: 'string', value: 'ID', description: "the decision's id (as sent in its record)" },
    'leaf-hash': { type: 'string', value: 'H', description: "the entry's leaf hash, hex or base64" },
    org: { type: 'string', value: 'ORG', description: "look in member ORG's log (a cross-org proof)" },
    origin: { type: 'string', value: 'O', description: "like --org, naming the member's log by origin" },
    out: { type: 'string', value: 'FILE', description: 'with --org/--origin: write the proof bundle to FILE' },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: [
    'govfed audit lookup --home ./node --decision-id d-2026-0001',
    'govfed audit lookup --home ./node --org acme --decision-id d-2026-0001 --out acme-d1.json',
  ],
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
    const originFlag = stringOption(args, 'origin');
    const orgFlag = stringOption(args, 'org');
    if (originFlag !== undefined && orgFlag !== undefined)
      throw new UsageError('audit lookup: give --origin or --org, not both');
    const named = originFlag ?? orgFlag;
    if (named === undefined && stringOption(args, 'out') !== undefined) {
      throw new UsageError(
        'audit lookup: --out goes with --org or --origin (for this node: govfed audit prove --index N --out FILE)',
      );
    }
    if (named !== undefined) {
      const log = await resolveMemberLog(client, 'audit lookup', originFlag !== undefined ? 'origin' : 'org', named);
      const key = decisionId !== undefined ? { decisionId } : { leafHash: leafHash as string };
      const bundle = await client.crossOrgLookup(log.origin, key);
      const target = decisionId !== undefined ? { decisionId } : { leafHash: hashBytes(leafHash as string) };
      return await writeCrossOrg(
        bundle,
        { origin: log.origin, ...target },
        stringOption(args, 'out'),
        booleanOption(args, 'json'),
        io,
      );
    }
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

/** A --leaf-hash already checked against the pattern: 64 hex digits or base64 of 32 bytes. */
function hashBytes(h: string): Uint8Array {
  return h.length === 64 ? fromHex(h) : fromBase64(h);
}
