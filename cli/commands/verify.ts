/**
 * `govfed verify FILE [--key VKEY]` — checks a proof bundle offline.
 *
 * No network: the bundle (attacker-controlled) is read with a size cap, parsed, and handed to
 * protocol/audit/bundle.ts verifyProofBundle, which runs the checklist (schema, key, signed checkpoint,
 * tree size, leaf hash, inclusion proof, leaf format). Exit 0 when it verifies; 1 with the failing check's
 * code otherwise. Without --key the bundle vouches for its own key, which proves the entry is in *some*
 * log signed by that key but not whose: a warning says so.
 *
 * A decision export (govfed-decision-export/v1, from `decisions export`) is recognised by its first bytes
 * and checked a line at a time with protocol/audit/export.ts: every record against its leaf, every leaf
 * against the one signed checkpoint (cli/export-file.ts).
 *
 * A cross-org bundle (govfed-crossorg-proof/v1, from `audit prove --origin`) is recognised by its format
 * and checked with protocol/witness/bundle.ts verifyCrossOrgBundle: the charter chain, the log's
 * signature, at least k valid cosignatures by witness keys the charter names for other members, and the
 * inclusion proof. --federation ID pins the federation; without it a warning says the bundle vouches for
 * its own federation.
 *
 * A compliance report (govfed-report/v1, from `report model`; canonical JSON starting `{"report":`) is
 * checked with protocol/report/verify.ts: the charter chain, the report's signature by the node that made
 * it, every org's cosigned checkpoints, every evidence item's inclusion proof and record, and the
 * summary and controls recomputed from the signed records (cli/report-verify.ts prints the result).
 */

import { opensslVerify } from '../../node/crypto/ed25519.ts';
import {
  EXPORT_FORMAT,
  MAX_BUNDLE_BYTES,
  type VerifiedBundle,
  type VerifiedExport,
} from '../../protocol/audit/index.ts';
import { toBase64 } from '../../protocol/encoding/bytes.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { parseVerifierKey } from '../../protocol/note/index.ts';
import { MAX_REPORT_BYTES } from '../../protocol/report/report.ts';
import { type VerifiedAnyBundle, verifyBundle } from '../../protocol/witness/any-bundle.ts';
import {
  CROSSORG_BUNDLE_FORMAT,
  MAX_CROSSORG_BUNDLE_BYTES,
  type VerifiedCrossOrgBundle,
} from '../../protocol/witness/bundle.ts';
import { booleanOption, type CommandSpec, JSON_OPTION, stringOption } from '../args.ts';
import { CheckFailedError, CliError, ExitCode, UsageError } from '../exit.ts';
import { openInput, readCapped, verifyExportStream } from '../export-file.ts';
import { leafPairs } from '../leaf-view.ts';
import { formatJson, formatKeyValues, type Io } from '../output.ts';
import { isOscalFile, isReportFile, verifyOscalFile, verifyReportFile } from '../report-verify.ts';

export const UNPINNED_WARNING =
  'warning: the verifier key was taken from the bundle itself (no --key); this shows the entry is in a log ' +
  'signed by that key, not that the key is the one you trust. Pin it with --key VKEY.';

export const UNPINNED_FEDERATION_WARNING =
  'warning: the federation was taken from the bundle itself (no --federation); this shows the members of that ' +
  'federation agree, not that it is the federation you trust. Pin it with --federation ID.';

export const verifyCommand: CommandSpec = {
  name: 'verify',
  summary:
    'Verify a proof bundle, a compliance report or a decision export offline (exit 0 when it verifies, 1 when not).',
  usage: 'verify FILE [--key VKEY] [--federation ID] [--json]',
  description: `
Checks a bundle written by 'govfed audit prove' without contacting any node: the checkpoint's signature
under the verifier key, that the checkpoint's origin is the key's name, the leaf hash of the entry, the
Merkle inclusion proof of the entry in the checkpoint's tree, and the leaf's format. FILE '-' reads stdin.
Pass the log's verifier key you trust with --key (e.g. from 'govfed init' or the node's operator);
without it the key inside the bundle is used and a warning is printed.

A cross-org bundle (from 'govfed audit prove --origin') is checked against the federation charters it
carries: the log's signature, at least k valid cosignatures by the witness keys the charter publishes for
other members, and the inclusion proof. Pin the federation you trust with --federation ID.

A compliance report (from 'govfed report model') is checked whole: the report's signature by the node
that made it, every org's cosigned checkpoints, every evidence item's inclusion proof and signed record,
and every number of the summary and controls recomputed from the signed records (pin --federation ID).

A decision export (from 'govfed decisions export', format govfed-decision-export/v1) is checked record by
record: each record's digest must be its leaf's, each leaf must be in the tree of the one signed
checkpoint the file carries (pin the key with --key).`,
  options: {
    key: { type: 'string', value: 'VKEY', description: "the log's verifier key (C2SP vkey) to pin" },
    federation: {
      type: 'string',
      value: 'ID',
      description: 'the federation id (64 hex) to pin, for a cross-org bundle',
    },
    ...JSON_OPTION,
  },
  positionals: [
    { name: 'FILE', description: "a proof bundle (JSON) or a decision export (JSON Lines), or '-' for stdin" },
  ],
  examples: ['govfed verify proof-42.json --key "govfed/acme/1a2b3c4d+5e6f7a8b+AQ..."'],
  async run(args, io) {
    const file = args.positionals[0] as string;
    const key = stringOption(args, 'key');
    if (key !== undefined) checkKeyArgument(key);
    const json = booleanOption(args, 'json');
    // Read one byte more than a bundle may have, so verifyProofBundle sees (and rejects) an oversize file.
    const federation = stringOption(args, 'federation');
    if (federation !== undefined && !/^[0-9a-f]{64}$/.test(federation)) {
      throw new UsageError('verify: --federation must be a federation id (64 lowercase hex digits)');
    }
    const input = await readInput(file, Math.max(MAX_BUNDLE_BYTES, MAX_CROSSORG_BUNDLE_BYTES, MAX_REPORT_BYTES) + 1);
    if (input.isExport) return await verifyExport(file, input.chunks, key, json, io);
    const bytes = input.bytes;
    if (isReportFile(bytes)) return verifyReportFile(file, bytes, federation, json, io);
    if (isOscalFile(bytes)) return verifyOscalFile(file, bytes, federation, json, io);
    let any: VerifiedAnyBundle;
    try {
      any = verifyBundle(bytes, {
        ...(key === undefined ? {} : { verifierKey: key }),
        ...(federation === undefined ? {} : { federationId: federation }),
        now: Date.now(),
        verify: opensslVerify, // protocol/'s strict rules, the equation on OpenSSL (node/crypto)
      });
    } catch (err) {
      if (!isGovfedError(err)) throw err;
      if (json) io.stdout(formatJson({ ok: false, error: { code: err.code, message: err.message } }));
      throw new CheckFailedError(`${file} does not verify: ${err.message}`, {
        code: err.code,
        cause: err,
      });
    }
    if (any.format === CROSSORG_BUNDLE_FORMAT) return printCrossOrg(io, any.result, json);
    const result: VerifiedBundle = any.result;
    if (!result.keyPinned) io.stderr(`${UNPINNED_WARNING}\n`);
    if (json) {
      io.stdout(
        formatJson({
          ok: true,
          index: result.index,
          treeSize: result.treeSize,
          origin: result.origin,
          rootHash: toBase64(result.rootHash),
          keyPinned: result.keyPinned,
          leaf: result.leaf,
        }),
      );
    } else {
      printVerified(io, result);
    }
    return ExitCode.OK;
  },
};

function printCrossOrg(io: Io, r: VerifiedCrossOrgBundle, json: boolean): number {
  if (!r.federationPinned) io.stderr(`${UNPINNED_FEDERATION_WARNING}\n`);
  if (json) {
    io.stdout(
      formatJson({
        ok: true,
        format: CROSSORG_BUNDLE_FORMAT,
        origin: r.origin,
        org: r.org,
        ...(r.retired ? { retired: true } : {}),
        index: r.index,
        treeSize: r.treeSize,
        rootHash: toBase64(r.rootHash),
        cosigners: r.cosigners,
        k: r.k,
        federationId: r.federationId,
        charterVersion: r.charterVersion,
        federationPinned: r.federationPinned,
        leaf: r.leaf,
      }),
    );
    return ExitCode.OK;
  }
  io.stdout(
    `OK: entry ${r.index} is included in ${r.org}'s log at tree size ${r.treeSize}, witnessed by ${r.cosigners.length} of the other members (k = ${r.k})\n\n`,
  );
  io.stdout(
    formatKeyValues([
      [
        'origin',
        r.retired ? `${r.origin} (a retired log of ${r.org}: rotated away from, entries still proven)` : r.origin,
      ],
      ['index', r.index],
      ['tree size', r.treeSize],
      ['root hash', toBase64(r.rootHash)],
      ['cosigned by', r.cosigners.join(', ')],
      ['federation', `${r.federationId} (charter v${r.charterVersion})`],
      ['federation pinned', r.federationPinned ? 'yes (--federation)' : 'NO (taken from the bundle)'],
      ...leafPairs(r.leaf),
    ]),
  );
  return ExitCode.OK;
}

function printVerified(io: Io, r: VerifiedBundle): void {
  io.stdout(`OK: entry ${r.index} is included in the log at tree size ${r.treeSize}\n\n`);
  io.stdout(
    formatKeyValues([
      ['origin', r.origin],
      ['index', r.index],
      ['tree size', r.treeSize],
      ['root hash', toBase64(r.rootHash)],
      ['key pinned', r.keyPinned ? 'yes (--key)' : 'NO (key taken from the bundle)'],
      ...leafPairs(r.leaf),
    ]),
  );
}

/** A malformed --key is the user's typo, not a bundle that fails: a usage error. */
function checkKeyArgument(key: string): void {
  try {
    parseVerifierKey(key);
  } catch (cause) {
    throw new UsageError(`verify: --key is not a C2SP verifier key (name+hash+base64): ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** FILE ('-': stdin): whether it is a decision export, and its bytes (a bundle) or its stream (an export). */
async function readInput(
  file: string,
  max: number,
): Promise<{ isExport: true; chunks: AsyncIterable<Uint8Array> } | { isExport: false; bytes: Uint8Array }> {
  try {
    const input = await openInput(file);
    if (input.isExport) return { isExport: true, chunks: input.chunks };
    return { isExport: false, bytes: await readCapped(input.chunks, max) };
  } catch (cause) {
    throw readError(file, cause);
  }
}

function readError(file: string, cause: unknown): CliError {
  return new CliError(ExitCode.ERROR, `cannot read ${file}: ${(cause as Error).message}`, {
    code: 'ERR_READ_FILE',
    cause,
  });
}

/** A decision export (govfed-decision-export/v1), checked a line at a time. */
async function verifyExport(
  file: string,
  chunks: AsyncIterable<Uint8Array>,
  key: string | undefined,
  json: boolean,
  io: Io,
): Promise<number> {
  let r: VerifiedExport;
  try {
    r = await verifyExportStream(chunks, key === undefined ? {} : { verifierKey: key });
  } catch (err) {
    if (!isGovfedError(err)) throw readError(file, err);
    if (json) io.stdout(formatJson({ ok: false, error: { code: err.code, message: err.message } }));
    throw new CheckFailedError(`${file} does not verify: ${err.message}`, { code: err.code, cause: err });
  }
  if (!r.keyPinned) io.stderr(`${UNPINNED_WARNING}\n`);
  const out = {
    ok: true,
    format: EXPORT_FORMAT,
    origin: r.origin,
    treeSize: r.treeSize,
    rootHash: toBase64(r.rootHash),
  };
  if (json) {
    io.stdout(formatJson({ ...out, count: r.count, keyPinned: r.keyPinned, query: r.query }));
    return ExitCode.OK;
  }
  io.stdout(
    `OK: ${r.count} decision record${r.count === 1 ? ' is' : 's are'} included in the log at tree size ${r.treeSize}\n\n`,
  );
  io.stdout(
    formatKeyValues([
      ['origin', r.origin],
      ['tree size', r.treeSize],
      ['root hash', out.rootHash],
      ['records', r.count],
      [
        'search',
        Object.entries(r.query)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || '(all)',
      ],
      ['key pinned', r.keyPinned ? 'yes (--key)' : 'NO (key taken from the file)'],
    ]),
  );
  return ExitCode.OK;
}
