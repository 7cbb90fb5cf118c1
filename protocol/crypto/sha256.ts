/** SHA-256 from @noble/hashes (pure JS, audited; no node:crypto so protocol/ runs anywhere). */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
