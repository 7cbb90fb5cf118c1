/**
 * A cross-org proof bundle (govfed-crossorg-proof/v1) that the local node answered, checked here with
 * protocol/witness before it is written — a node that serves a bad bundle, or a bundle of another entry
 * than the one asked for, is caught now (exit 1) — then written to --out (or printed) with a summary.
 * Used by `audit prove --org` (by index) and `audit lookup --org` (by decision id or leaf hash).
 */
import { writeFile } from 'node:fs/promises';
import { opensslVerify } from '../node/crypto/ed25519.ts';
import { decodeLeaf } from '../protocol/audit/leaf.ts';
import { equalBytes, fromBase64 } from '../protocol/encoding/bytes.ts';
import { leafHash } from '../protocol/log/index.ts';
import { verifyCrossOrgBundle } from '../protocol/witness/bundle.ts';
import { CheckFailedError, CliError, ExitCode } from './exit.ts';
import { formatJson, formatKeyValues, type Io } from './output.ts';

/** What the bundle must prove: entry `index` of `origin`, or the entry holding a decision id / leaf hash. */
export type CrossOrgTarget = { origin: string } & (
  | { index: number }
  | { decisionId: string }
  | { leafHash: Uint8Array }
);

/** Writes `text` to `out`, or prints it when there is no --out. */
export async function writeOut(out: string | undefined, text: string, io: Io): Promise<boolean> {
  if (out === undefined) {
    io.stdout(text);
    return false;
  }
  try {
    await writeFile(out, text, { mode: 0o644 });
  } catch (cause) {
    throw new CliError(ExitCode.ERROR, `cannot write ${out}: ${(cause as Error).message}`, {
      code: 'ERR_WRITE_FILE',
      cause,
    });
  }
  return true;
}

/** Verifies `bundle` (attacker-controlled) as proof of `target`, writes it, prints the summary. */
export async function writeCrossOrg(
  bundle: Record<string, unknown>,
  target: CrossOrgTarget,
  out: string | undefined,
  json: boolean,
  io: Io,
): Promise<number> {
  const what =
    'index' in target
      ? `entry ${target.index}`
      : 'decisionId' in target
        ? `decision ${target.decisionId}`
        : 'that leaf hash';
  let r: ReturnType<typeof verifyCrossOrgBundle>;
  try {
    r = verifyCrossOrgBundle(bundle, { now: Date.now(), verify: opensslVerify });
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new CheckFailedError(
      `the node's cross-org proof of ${target.origin} ${what} does not verify: ${(err as Error).message}`,
      {
        ...(code === undefined ? {} : { code }),
        cause: err,
      },
    );
  }
  if (r.origin !== target.origin || !provesTarget(bundle, r.index, target)) {
    throw new CliError(
      ExitCode.ERROR,
      `the node answered with a proof of ${r.origin} entry ${r.index}, not of ${target.origin} ${what}`,
      {
        code: 'ERR_BAD_RESPONSE',
      },
    );
  }
  if (!(await writeOut(out, formatJson(bundle), io))) return ExitCode.OK;
  const summary = {
    file: out,
    origin: r.origin,
    org: r.org,
    index: r.index,
    treeSize: r.treeSize,
    cosigners: r.cosigners,
    k: r.k,
    federationId: r.federationId,
  };
  if (json) {
    io.stdout(formatJson(summary));
  } else {
    io.stdout(`wrote the cross-org proof of ${r.org}'s entry ${r.index} at tree size ${r.treeSize} to ${out}\n\n`);
    io.stdout(
      formatKeyValues([
        ['origin', r.origin],
        ['cosigned by', `${r.cosigners.join(', ')} (k = ${r.k})`],
        ['federation', r.federationId],
        ['check with', `govfed verify ${out} --federation ${r.federationId}`],
      ]),
    );
  }
  return ExitCode.OK;
}

/** The verified bundle's entry is the one asked for (its index; its decision id; its leaf hash). */
function provesTarget(bundle: Record<string, unknown>, index: number, target: CrossOrgTarget): boolean {
  if ('index' in target) return index === target.index;
  let entry: Uint8Array;
  try {
    entry = fromBase64(String(bundle.entry));
  } catch {
    return false;
  }
  if ('leafHash' in target) return equalBytes(leafHash(entry), target.leafHash);
  try {
    const leaf = decodeLeaf(entry);
    return leaf.type === 'decision' && leaf.decisionId === target.decisionId;
  } catch {
    return false;
  }
}
