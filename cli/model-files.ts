/**
 * Input files of the `govfed model …` commands: a model signature, PEM keys and certificates. Each is read
 * with a size cap (one byte more than allowed, so an oversize file is refused by the parser without being
 * loaded whole). A file that does not exist or cannot be read is a usage error (exit 2), as the reference
 * tool's command line treats a bad path; what the file *holds* is checked by protocol/ (exit 1).
 */
import { open } from 'node:fs/promises';
import { UsageError } from './exit.ts';

/** PEM keys and certificate chains are small; 1 MiB is far above any real one. */
export const MAX_PEM_BYTES = 1024 * 1024;

/** Up to `max + 1` bytes of `file`. */
export async function readInputFile(command: string, flag: string, file: string, max: number): Promise<Uint8Array> {
  try {
    const fh = await open(file, 'r');
    try {
      const buf = new Uint8Array(max + 1);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, null);
        if (bytesRead === 0 || n + bytesRead >= buf.length) {
          n += bytesRead;
          break;
        }
        n += bytesRead;
      }
      return buf.subarray(0, n);
    } finally {
      await fh.close();
    }
  } catch (cause) {
    throw new UsageError(`${command}: cannot read ${flag} '${file}': ${(cause as Error).message}`, { cause });
  }
}

/** A PEM text file (key or certificates), at most MAX_PEM_BYTES. */
export async function readPemFile(command: string, flag: string, file: string): Promise<string> {
  const bytes = await readInputFile(command, flag, file, MAX_PEM_BYTES);
  if (bytes.length > MAX_PEM_BYTES)
    throw new UsageError(`${command}: ${flag} '${file}' is larger than ${MAX_PEM_BYTES} bytes`);
  return new TextDecoder().decode(bytes);
}
