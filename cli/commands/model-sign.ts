/**
 * `govfed model sign --path DIR --key EC_PEM [--out model.sig] [--ignore-paths P…] [--json]` — signs a
 * model the way OpenSSF model signing does (the reference's `model_signing sign key`): every regular file
 * of DIR hashed, an in-toto statement with the root digest and the file list, a DSSE envelope signed by
 * the EC key, in a Sigstore bundle v0.3 (protocol/registry/oms/sign.ts). The reference tool verifies the
 * result with `verify key --public_key PUB`, and so does `govfed model verify --public-key PUB`.
 *
 * The signature file itself, the git files and --ignore-paths are left out and recorded in the statement,
 * so a verifier leaves them out too. The written bundle is verified once more before the command says OK.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashModelDir, loadSigningKey, resolveIgnorePaths } from '../../node/registry/index.ts';
import { utf8 } from '../../protocol/encoding/bytes.ts';
import {
  omsStatement,
  openOmsBundle,
  publicKeyHint,
  publicKeyPem,
  signOmsStatement,
} from '../../protocol/registry/oms/index.ts';
import {
  booleanOption,
  type CommandSpec,
  JSON_OPTION,
  requireOption,
  stringListOption,
  stringOption,
} from '../args.ts';
import { CliError, ExitCode } from '../exit.ts';
import { readPemFile } from '../model-files.ts';
import { formatJson, formatKeyValues } from '../output.ts';
import { IGNORE_PATHS_OPTION } from './model-digest.ts';

export const modelSignCommand: CommandSpec = {
  name: 'model sign',
  summary: 'Sign a model directory with an EC key (OpenSSF model signing v1.0 bundle).',
  usage: 'model sign --path DIR --key EC_PEM [--out FILE] [--ignore-paths PATH]... [--json]',
  description: `
Hashes every regular file of DIR (or the one file DIR) and writes an OpenSSF model signature: a Sigstore
bundle v0.3 whose DSSE envelope, signed by the EC private key (PEM, P-256/384/521, unencrypted), holds an
in-toto statement naming the model's digest and each file's SHA-256. The reference tool verifies it with
'model_signing verify key --public_key PUB --signature FILE DIR'. The signature file, .git, .gitattributes,
.github, .gitignore and --ignore-paths are left out and recorded as ignored. --out defaults to model.sig.`,
  options: {
    path: { type: 'string', value: 'DIR', description: 'the model directory (or single model file)' },
    key: { type: 'string', value: 'EC_PEM', description: 'the EC private key (PEM) to sign with' },
    out: { type: 'string', value: 'FILE', description: 'where to write the signature (default: model.sig)' },
    ...IGNORE_PATHS_OPTION,
    ...JSON_OPTION,
  },
  examples: ['govfed model sign --path ./my-model --key signing-key.pem --out ./my-model/model.sig'],
  async run(args, io) {
    const dir = requireOption(args, 'model sign', 'path');
    const keyFile = requireOption(args, 'model sign', 'key');
    const out = stringOption(args, 'out') ?? 'model.sig';
    const json = booleanOption(args, 'json');
    const signer = loadSigningKey(await readPemFile('model sign', '--key', keyFile));
    const cwd = process.cwd();
    const ignorePaths = resolveIgnorePaths(dir, [...stringListOption(args, 'ignore-paths'), out], cwd);
    const model = await hashModelDir(dir, { ignorePaths });
    const bundle = signOmsStatement(
      omsStatement({ modelName: model.modelName, resources: model.resources, ignorePaths: model.ignorePaths }),
      signer,
    );
    // Verify what is about to be written with the verifier's own code, against the key's public half.
    openOmsBundle(utf8(bundle), { method: 'key', publicKey: publicKeyPem(signer.publicKey) });
    await writeAtomically(path.resolve(cwd, out), bundle);
    const result = {
      ok: true,
      digest: model.digest,
      modelName: model.modelName,
      files: model.files,
      totalBytes: model.totalBytes,
      signature: out,
      keyHint: publicKeyHint(signer.publicKey),
      ignorePaths: model.ignorePaths,
    };
    if (json) {
      io.stdout(formatJson(result));
    } else {
      io.stdout(`OK: signed ${model.modelName} (${model.files} file${model.files === 1 ? '' : 's'}) into ${out}\n\n`);
      io.stdout(
        formatKeyValues([
          ['digest', model.digest],
          ['files', model.files],
          ['bytes', model.totalBytes],
          ['key hint', result.keyHint],
          ['ignored', model.ignorePaths.join(', ') || '(none)'],
        ]),
      );
    }
    return ExitCode.OK;
  },
};

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (cause) {
    throw new CliError(ExitCode.ERROR, `model sign: cannot write ${file}: ${(cause as Error).message}`, {
      code: 'ERR_WRITE_FILE',
      cause,
    });
  }
}
