/**
 * `govfed audit prove --index N [--out FILE]` — writes a self-contained proof bundle for one log entry.
 * `govfed audit prove --origin O --index N [--out FILE]` — a cross-org proof of entry N of any member's
 * log O, asked of the local node (GET /v1/proofs/inclusion), verified here with protocol/witness before
 * it is written (a node that serves a bad bundle is caught now, exit 1).
 *
 * Steps: the node's identity (its verifier key, checked against the home's pinned key) → the entry's
 * exact leaf bytes → a signed checkpoint that covers the entry (the latest; if it is too old, ask the
 * node to sign one now, else wait up to ~3 s for the next) → the inclusion proof at that checkpoint's
 * size → the bundle, which is verified here with protocol/ before it is written, so a node that serves
 * a bad proof is caught now (exit 1) rather than by whoever receives the file.
 */

import { opensslVerify } from '../../node/crypto/ed25519.ts';
import { BUNDLE_FORMAT, createProofBundle, verifyProofBundle } from '../../protocol/audit/index.ts';
import { fromBase64 } from '../../protocol/encoding/bytes.ts';
import {
  booleanOption,
  CLIENT_OPTIONS,
  type CommandSpec,
  JSON_OPTION,
  parseIndex,
  requireOption,
  stringOption,
} from '../args.ts';
import { chooseVerifierKey, latestCheckpoint, openNoteUnder, type VerifiedCheckpoint } from '../checkpoint.ts';
import { ApiClient, ApiError } from '../client.ts';
import { writeCrossOrg, writeOut } from '../crossorg-output.ts';
import { CheckFailedError, CliError, ExitCode, UsageError } from '../exit.ts';
import { homeConfig, optionalHome, resolveTarget } from '../home.ts';
import { resolveMemberLog } from '../member-origin.ts';
import { formatJson, formatKeyValues } from '../output.ts';

/** How long to wait for a checkpoint that covers the entry when the node will not sign one on request. */
export const CHECKPOINT_WAIT_MS = 3000;
const POLL_MS = 100;

export const auditProveCommand: CommandSpec = {
  name: 'audit prove',
  summary: 'Write a self-contained inclusion proof bundle for one log entry.',
  usage:
    'audit prove [--origin O | --org ORG] --index N [--out FILE] [--home DIR] [--api HOST:PORT] [--token TOKEN] [--json]',
  description: `
The bundle (format ${BUNDLE_FORMAT}) holds the entry's leaf bytes, its leaf hash, the Merkle inclusion
proof, the signed checkpoint it is proved against and the log's verifier key. Anyone can check it offline
with 'govfed verify FILE --key VKEY'. Without --out the bundle is printed on stdout.

With --origin O (a federation member's log origin, or its org name) or --org ORG, the node builds a
cross-org bundle (govfed-crossorg-proof/v1): entry N of O's log, fetched from O's node, proved against the
newest checkpoint of O that at least k other members' witnesses cosigned, with the charter chain. Check it
offline with 'govfed verify FILE [--federation ID]'.`,
  options: {
    origin: {
      type: 'string',
      value: 'O',
      description: "another member's log origin (or its org name): write a cross-org bundle",
    },
    org: { type: 'string', value: 'ORG', description: 'like --origin, naming the member by its org' },
    index: { type: 'string', value: 'N', description: 'the log index of the entry to prove (required)' },
    out: { type: 'string', value: 'FILE', description: 'write the bundle to FILE instead of stdout' },
    ...CLIENT_OPTIONS,
    ...JSON_OPTION,
  },
  examples: [
    'govfed audit prove --home ./node --index 42 --out proof-42.json',
    'govfed audit prove --home ./node --origin govfed/acme/1a2b3c4d --index 7 --out acme-7.json',
    'govfed audit prove --home ./node --org acme --index 7 --out acme-7.json',
  ],
  async run(args, io) {
    const index = parseIndex('audit prove', 'index', requireOption(args, 'audit prove', 'index'));
    const out = stringOption(args, 'out');
    const client = new ApiClient(await resolveTarget(args, io, 'audit prove'));
    const originFlag = stringOption(args, 'origin');
    const orgFlag = stringOption(args, 'org');
    if (originFlag !== undefined && orgFlag !== undefined) {
      throw new UsageError('audit prove: give --origin or --org, not both');
    }
    const named = originFlag ?? orgFlag;
    if (named !== undefined) {
      const log = await resolveMemberLog(client, 'audit prove', originFlag !== undefined ? 'origin' : 'org', named);
      // This node's own log: the plain bundle below, from the log itself.
      if (!log.self) {
        const bundle = await client.crossOrgInclusion(log.origin, index);
        return await writeCrossOrg(bundle, { origin: log.origin, index }, out, booleanOption(args, 'json'), io);
      }
    }
    const info = await client.node();
    const key = chooseVerifierKey((await homeConfig(optionalHome(args, io)))?.verifierKey, info.verifierKey);
    const entry = await client.entry(index);
    const { note, checkpoint } = await checkpointCovering(client, key, index);
    const proof = await client.inclusionProof(index, checkpoint.size);
    const bundle = createProofBundle({
      index,
      treeSize: checkpoint.size,
      entry,
      proof: decodeHashes(proof.proof),
      checkpoint: note,
      verifierKey: key,
    });
    if (proof.leafHash !== bundle.leafHash) {
      throw new CheckFailedError(`the node's leaf hash for entry ${index} is not SHA-256(0x00 || entry)`, {
        code: 'ERR_LEAF_HASH_MISMATCH',
      });
    }
    try {
      verifyProofBundle(bundle, { verifierKey: key, verify: opensslVerify });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new CheckFailedError(`the node's proof for entry ${index} does not verify: ${(err as Error).message}`, {
        ...(code === undefined ? {} : { code }),
        cause: err,
      });
    }
    if (!(await writeOut(out, formatJson(bundle), io))) return ExitCode.OK;
    const summary = { file: out, index, treeSize: checkpoint.size, origin: checkpoint.origin, verifierKey: key };
    if (booleanOption(args, 'json')) {
      io.stdout(formatJson(summary));
    } else {
      io.stdout(`wrote the proof of entry ${index} at tree size ${checkpoint.size} to ${out}\n\n`);
      io.stdout(
        formatKeyValues([
          ['origin', summary.origin],
          ['verifier key', key],
          ['check with', `govfed verify ${out} --key '${key}'`],
        ]),
      );
    }
    return ExitCode.OK;
  },
};

/** The proof's hashes (from the network): strict base64, else the response is bad. */
function decodeHashes(hashes: readonly string[]): Uint8Array[] {
  try {
    return hashes.map((h) => fromBase64(h));
  } catch (cause) {
    throw new CliError(ExitCode.ERROR, 'the node returned a proof that is not base64', {
      code: 'ERR_BAD_RESPONSE',
      cause,
    });
  }
}

/** A verified checkpoint whose tree contains `index`. */
async function checkpointCovering(client: ApiClient, key: string, index: number): Promise<VerifiedCheckpoint> {
  let latest = await latestCheckpoint(client, key);
  if (latest.checkpoint.size > index) return latest;
  try {
    latest = openNoteUnder(await client.signCheckpoint(), key);
    if (latest.checkpoint.size > index) return latest;
  } catch (err) {
    // Only an admin may ask for a checkpoint; other tokens wait for the periodic one.
    if (!(err instanceof ApiError) || (err.status !== 401 && err.status !== 403)) throw err;
  }
  const deadline = Date.now() + CHECKPOINT_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    latest = await latestCheckpoint(client, key);
    if (latest.checkpoint.size > index) return latest;
  }
  throw new CliError(
    ExitCode.ERROR,
    `no signed checkpoint covers entry ${index} yet (latest size ${latest.checkpoint.size}); try again shortly`,
    { code: 'ERR_NO_CHECKPOINT' },
  );
}
