/**
 * verifyModelDir(modelPath, bundleBytes, trust, opts) — the whole OMS check of a model on disk:
 *   1. openOmsBundle: the bundle parses, is signed by the trusted key or certificate chain, and carries a
 *      well-formed statement (protocol/registry/oms/verify.ts steps 1–5);
 *   2. hashModelDir with the ignore paths the signature recorded plus the caller's (the signature file
 *      itself, when it lies in the model) and the git files;
 *   3. checkModelFiles: the files are exactly the signed ones (step 6).
 * The signature is checked before a single model byte is read, so a forged bundle costs no hashing.
 */
import { checkModelFiles, type OmsTrust, openOmsBundle, type VerifiedOms } from '../../protocol/registry/oms/index.ts';
import { type HashModelOptions, hashModelDir } from './model-files.ts';

export async function verifyModelDir(
  modelPath: string,
  bundleBytes: Uint8Array,
  trust: OmsTrust,
  opts: HashModelOptions = {},
): Promise<VerifiedOms> {
  const opened = openOmsBundle(bundleBytes, trust);
  const model = await hashModelDir(modelPath, {
    ...opts,
    ignorePaths: [...(opts.ignorePaths ?? []), ...opened.statement.ignorePaths],
  });
  const files = checkModelFiles(opened.statement, model.resources);
  return { ...opened, digest: opened.statement.digest, method: opened.signer.method, files };
}
