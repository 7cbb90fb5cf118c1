/**
 * The model registry's node side: what needs the file system or OpenSSL.
 *
 * A model is identified by its OMS digest (protocol/registry/oms): model-files.ts walks a model directory
 * and hashes its regular files (bounded, no symlinks, git files and given paths ignored);
 * model-keys.ts loads a PEM EC private key to sign with. Checking a signature against a directory is
 * verifyModelDir: the bundle's signature and statement first (openOmsBundle), then the directory hashed
 * with the paths the signature ignores, then the files compared (checkModelFiles).
 *
 *   hashModelDir(path, {ignorePaths, ignoreGitPaths, maxFiles, maxBytes}): Promise<HashedModel>
 *   verifyModelDir(path, bundleBytes, trust, {ignorePaths}): Promise<VerifiedOms>
 *   loadSigningKey(pem): OmsSigningKey
 * identity-key.ts reads and writes a person's Ed25519 key file (PKCS #8 PEM, 0600, never overwritten).
 */

export { type IdentityKey, identityKeyPem, readIdentityKey, writeIdentityKey } from './identity-key.ts';
export {
  DEFAULT_MAX_MODEL_BYTES,
  DEFAULT_MAX_MODEL_FILES,
  GIT_PATHS,
  type HashedModel,
  type HashModelOptions,
  hashModelDir,
  resolveIgnorePaths,
} from './model-files.ts';
export { loadSigningKey } from './model-keys.ts';
export { verifyModelDir } from './model-verify.ts';
