/**
 * `govfed model digest --path DIR | --external PROVIDER/MODEL@SNAPSHOT [--ignore-paths P…] [--json]` —
 * prints a model's digest, the identity `model register` records.
 *
 * --path: the OMS v1.0 root digest of the directory (or file): SHA-256 over the SHA-256 of every regular
 * file, in the manifest's path order, the git files and --ignore-paths left out (node/registry/
 * model-files.ts). It is the subject digest `govfed model sign` — and the reference tool — would sign.
 * --external: the opaque digest of an API-hosted model's name (protocol/registry/oms/external.ts).
 * Offline; no node needed.
 */
import { hashModelDir, resolveIgnorePaths } from '../../node/registry/index.ts';
import { isGovfedError } from '../../protocol/errors.ts';
import { externalDigest, parseExternalRef } from '../../protocol/registry/oms/index.ts';
import { booleanOption, type CommandSpec, JSON_OPTION, stringListOption, stringOption } from '../args.ts';
import { ExitCode, UsageError } from '../exit.ts';
import { formatJson } from '../output.ts';

export const IGNORE_PATHS_OPTION = {
  'ignore-paths': {
    type: 'string',
    value: 'PATH',
    multiple: true,
    description: 'a file or directory of the model to leave out (repeatable; relative to the current directory)',
  },
} as const;

export const modelDigestCommand: CommandSpec = {
  name: 'model digest',
  summary: "Print a model's digest: OMS sha256 of a directory, or the opaque digest of an external model.",
  usage: 'model digest (--path DIR | --external PROVIDER/MODEL@SNAPSHOT) [--ignore-paths PATH]... [--json]',
  description: `
With --path, hashes every regular file of DIR (or the one file DIR) with SHA-256 and prints the OMS v1.0
root digest: SHA-256 over the file digests in path order — the digest an OpenSSF model signature of DIR
names. .git, .gitattributes, .github and .gitignore are left out, as are the --ignore-paths. A symbolic
link or special file in DIR is refused.

With --external, prints sha256 of the canonical JSON {model, provider, snapshot} of an API-hosted model:
an opaque name for a snapshot, not a hash of its weights.`,
  options: {
    path: { type: 'string', value: 'DIR', description: 'the model directory (or single model file)' },
    external: { type: 'string', value: 'P/M@S', description: 'an external model, PROVIDER/MODEL@SNAPSHOT' },
    ...IGNORE_PATHS_OPTION,
    ...JSON_OPTION,
  },
  examples: [
    'govfed model digest --path test/vectors/oms/v1.1.0-certificate --ignore-paths test/vectors/oms/v1.1.0-certificate/ignore-me --ignore-paths test/vectors/oms/v1.1.0-certificate/model.sig',
    'govfed model digest --external openai/gpt-4o@2024-08-06',
  ],
  async run(args, io) {
    const dir = stringOption(args, 'path');
    const external = stringOption(args, 'external');
    const ignore = stringListOption(args, 'ignore-paths');
    const json = booleanOption(args, 'json');
    if ((dir === undefined) === (external === undefined)) {
      throw new UsageError('model digest: give exactly one of --path DIR and --external PROVIDER/MODEL@SNAPSHOT');
    }
    if (external !== undefined) {
      if (ignore.length > 0) throw new UsageError('model digest: --ignore-paths goes with --path');
      let d: ReturnType<typeof externalDigest>;
      try {
        d = externalDigest(parseExternalRef(external));
      } catch (cause) {
        // A malformed reference is the user's typo: a usage error (exit 2), not a failed check.
        if (!isGovfedError(cause)) throw cause;
        throw new UsageError(`model digest: --external ${cause.message}`, { cause });
      }
      io.stdout(json ? formatJson({ ok: true, ...d }) : `${d.digest}\n`);
      return ExitCode.OK;
    }
    const model = await hashModelDir(dir as string, {
      ignorePaths: resolveIgnorePaths(dir as string, ignore, process.cwd()),
    });
    if (json) {
      io.stdout(
        formatJson({
          ok: true,
          digest: model.digest,
          assurance: 'bytes',
          modelName: model.modelName,
          files: model.files,
          totalBytes: model.totalBytes,
          ignorePaths: model.ignorePaths,
          resources: model.resources,
        }),
      );
    } else {
      io.stdout(`${model.digest}\n`);
    }
    return ExitCode.OK;
  },
};
