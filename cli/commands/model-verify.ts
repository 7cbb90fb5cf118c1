/**
 * `govfed model verify --path DIR --signature FILE (--public-key PEM | --certificate-chain PEM)
 *  [--ignore-paths P…] [--json]` — checks an OpenSSF model signature against a model on disk, like the
 * reference's `model_signing verify key` / `verify certificate`: exit 0 when it verifies, 1 when it does
 * not (with the failing check's code, and the file for a file that differs), 2 for a usage error.
 *
 * The checklist is protocol/registry/oms/verify.ts; node/registry verifyModelDir hashes the directory
 * after the signature checked out, leaving out what the signature says the signer left out, the signature
 * file, the git files and --ignore-paths. A keyless (Sigstore) bundle is refused: ERR_KEYLESS_UNSUPPORTED.
 */
import { exitCodeForCode } from '../../node/errors.ts';
import { verifyModelDir } from '../../node/registry/index.ts';
import { resolveIgnorePaths } from '../../node/registry/model-files.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import {
  MAX_OMS_BUNDLE_BYTES,
  ModelFileError,
  type OmsTrust,
  type VerifiedOms,
} from '../../protocol/registry/oms/index.ts';
import {
  booleanOption,
  type CommandSpec,
  JSON_OPTION,
  requireOption,
  stringListOption,
  stringOption,
} from '../args.ts';
import { CliError, ExitCode, UsageError } from '../exit.ts';
import { readInputFile, readPemFile } from '../model-files.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { IGNORE_PATHS_OPTION } from './model-digest.ts';

export const modelVerifyCommand: CommandSpec = {
  name: 'model verify',
  summary: 'Verify an OpenSSF model signature against a model directory (exit 0 verified, 1 not).',
  usage:
    'model verify --path DIR --signature FILE (--public-key PEM | --certificate-chain PEM) [--ignore-paths PATH]... [--json]',
  description: `
Checks FILE (a Sigstore bundle made by 'govfed model sign' or the reference tool 'model_signing'):
the signature is by the EC public key given with --public-key, or by a certificate that chains to the
certificates given with --certificate-chain (PEM; the bundle may carry the intermediates) and may sign;
the statement is an OpenSSF model signature v1.0 (or the older v0.2 layout); and the files of DIR are
exactly the signed ones with the signed SHA-256 digests. Paths the signer ignored are ignored again, as
are the signature file, the git files and --ignore-paths. Keyless (Sigstore) signatures are not supported
(they need the Sigstore public-good trust root).`,
  options: {
    path: { type: 'string', value: 'DIR', description: 'the model directory (or single model file)' },
    signature: { type: 'string', value: 'FILE', description: 'the model signature (Sigstore bundle JSON)' },
    'public-key': { type: 'string', value: 'PEM', description: "the signer's EC public key (PEM)" },
    'certificate-chain': {
      type: 'string',
      value: 'PEM',
      description: 'the CA certificate(s) to trust (PEM), for a certificate-signed model',
    },
    ...IGNORE_PATHS_OPTION,
    ...JSON_OPTION,
  },
  examples: [
    'govfed model verify --path test/vectors/oms/v1.1.0-elliptic-key --signature test/vectors/oms/v1.1.0-elliptic-key/model.sig --public-key test/vectors/oms/keys/signing-key-pub.pem',
    'govfed model verify --path test/vectors/oms/v1.1.0-certificate --signature test/vectors/oms/v1.1.0-certificate/model.sig --certificate-chain test/vectors/oms/keys/ca-cert.pem',
  ],
  async run(args, io) {
    const dir = requireOption(args, 'model verify', 'path');
    const sigFile = requireOption(args, 'model verify', 'signature');
    const keyFile = stringOption(args, 'public-key');
    const chainFile = stringOption(args, 'certificate-chain');
    const json = booleanOption(args, 'json');
    if ((keyFile === undefined) === (chainFile === undefined)) {
      throw new UsageError('model verify: give exactly one of --public-key PEM and --certificate-chain PEM');
    }
    const trust: OmsTrust =
      keyFile !== undefined
        ? { method: 'key', publicKey: await readPemFile('model verify', '--public-key', keyFile) }
        : {
            method: 'certificate',
            certificateChain: await readPemFile('model verify', '--certificate-chain', chainFile as string),
          };
    const bundle = await readInputFile('model verify', '--signature', sigFile, MAX_OMS_BUNDLE_BYTES);
    const ignorePaths = resolveIgnorePaths(dir, [...stringListOption(args, 'ignore-paths'), sigFile], process.cwd());
    let r: VerifiedOms;
    try {
      r = await verifyModelDir(dir, bundle, trust, { ignorePaths });
    } catch (err) {
      if (!isGovfedError(err)) throw err;
      const file = err instanceof ModelFileError ? err.file : undefined;
      if (json)
        io.stdout(
          formatJson({
            ok: false,
            error: { code: err.code, message: err.message, ...(file === undefined ? {} : { file }) },
          }),
        );
      // A check that failed exits 1; a model path that does not exist is a usage error (node/errors.ts table).
      const exit = exitCodeForCode(err.code) === ExitCode.USAGE ? ExitCode.USAGE : ExitCode.CHECK_FAILED;
      throw new CliError(exit, `${dir} does not verify against ${sigFile}: ${err.message}`, {
        code: err.code,
        cause: err,
      });
    }
    const signer =
      r.signer.method === 'key'
        ? `key ${r.signer.keyHint} (${r.signer.curve})`
        : `${r.signer.subject} (via ${r.signer.path.join(' → ')})`;
    if (json) {
      io.stdout(
        formatJson({
          ok: true,
          digest: r.digest,
          method: r.method,
          modelName: r.statement.modelName,
          layout: r.statement.layout,
          files: r.files,
          signer: r.signer,
          ignorePaths: r.statement.ignorePaths,
          compatEncoding: r.compatEncoding,
        }),
      );
      return ExitCode.OK;
    }
    io.stdout(`OK: ${dir} matches its signature (${r.files} file${r.files === 1 ? '' : 's'})\n\n`);
    io.stdout(
      formatKeyValues([
        ['digest', r.digest],
        ['method', r.method],
        ['signer', signer],
        ['layout', r.statement.layout === 'v1.0' ? 'OMS v1.0' : 'OMS v0.2 (older layout)'],
        ['ignored', r.statement.ignorePaths.join(', ') || '(none)'],
      ]),
    );
    return ExitCode.OK;
  },
};
