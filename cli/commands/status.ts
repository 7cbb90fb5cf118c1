/**
 * `govfed status` — what the node says about itself and its latest checkpoint, verified.
 */
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { booleanOption, CLIENT_OPTIONS, type CommandSpec, JSON_OPTION } from '../args.ts';
import { chooseVerifierKey, latestCheckpoint } from '../checkpoint.ts';
import { ApiClient } from '../client.ts';
import { ExitCode } from '../exit.ts';
import { homeConfig, optionalHome, resolveTarget } from '../home.ts';
import { formatDuration, formatJson, formatKeyValues } from '../output.ts';

/** Fields of GET /v1/node shown first, in this order, with these labels; other scalar fields follow. */
const NODE_FIELDS: readonly (readonly [string, string])[] = [
  ['org', 'org'],
  ['jurisdiction', 'jurisdiction'],
  ['peerId', 'peer id'],
  ['origin', 'log origin'],
  ['verifierKey', 'verifier key'],
  ['listen', 'p2p listen'],
  ['version', 'version'],
  ['startedAt', 'started at'],
];
/** Shown differently (api: the address used; uptime: formatted; log: its own rows). */
const SPECIAL_FIELDS = new Set(['api', 'uptimeSeconds', 'log', 'process']);

/** "CODE: message (since …)" of a problem object the node reported (untrusted: shown as text only). */
function problem(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  const fatal = p.fatal === true ? ' [fatal: the node stops]' : '';
  return `${String(p.code)}: ${String(p.message)} (since ${String(p.since)})${fatal}`;
}

/** "leader" or "follower (leader: URL)" of a process of a shared log (GET /v1/node `process`; untrusted text). */
function processRole(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  if (typeof p.role !== 'string') return undefined;
  return typeof p.leader === 'string' ? `${p.role} (leader: ${p.leader})` : p.role;
}

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: "Show the node's identity, log size and latest checkpoint.",
  usage: 'status [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
Asks the running node (GET /v1/node, GET /v1/log/checkpoint) and verifies the checkpoint's signature
under the verifier key pinned in DIR/config.json (or, without a home, the key the node reports).`,
  options: { ...CLIENT_OPTIONS, ...JSON_OPTION },
  async run(args, io) {
    const target = await resolveTarget(args, io, 'status');
    const client = new ApiClient(target);
    const info = await client.node();
    const key = chooseVerifierKey((await homeConfig(optionalHome(args, io)))?.verifierKey, info.verifierKey);
    const { checkpoint } = await latestCheckpoint(client, key);
    const cp = { origin: checkpoint.origin, size: checkpoint.size, rootHash: toBase64(checkpoint.rootHash) };
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson({ api: target.baseUrl, node: info, checkpoint: { ...cp, verified: true } }));
      return ExitCode.OK;
    }
    const pairs: [string, unknown][] = [['api', target.baseUrl]];
    for (const [k, label] of NODE_FIELDS) if (info[k] !== undefined) pairs.push([label, info[k]]);
    if (typeof info.uptimeSeconds === 'number') pairs.push(['uptime', formatDuration(info.uptimeSeconds * 1000)]);
    const known = new Set(NODE_FIELDS.map(([k]) => k));
    for (const [k, v] of Object.entries(info)) {
      if (known.has(k) || SPECIAL_FIELDS.has(k)) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') pairs.push([k, v]);
    }
    const role = processRole(info.process);
    if (role !== undefined) pairs.push(['process role', role]);
    const log = info.log as Record<string, unknown> | undefined;
    if (typeof log === 'object' && log !== null) {
      if (typeof log.size === 'number') pairs.push(['log size', log.size]);
      if (typeof log.pending === 'number') pairs.push(['pending', log.pending]);
      if (typeof log.checkpointLagMs === 'number') pairs.push(['checkpoint lag', formatDuration(log.checkpointLagMs)]);
      if (typeof log.writable === 'boolean') pairs.push(['log writable', log.writable ? 'yes' : 'NO']);
      const fault = problem(log.fault);
      if (fault !== undefined) pairs.push(['log fault', fault]);
      const signing = problem(log.checkpointError);
      if (signing !== undefined) pairs.push(['checkpoint signing', `FAILING: ${signing}`]);
    }
    pairs.push(['checkpoint size', cp.size], ['checkpoint root', cp.rootHash], ['checkpoint', 'signature verified']);
    io.stdout(formatKeyValues(pairs));
    return ExitCode.OK;
  },
};
