/** Every error code the CLI throws is in the registry (node/errors.ts), hence in docs/errors.md. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliErrorCodes, errorStatus } from '../../node/errors.ts';
import { repoPath } from '../helpers/paths.ts';

async function codesThrownIn(folder: string): Promise<Set<string>> {
  const codes = new Set<string>();
  for (const rel of await readdir(repoPath(folder), { recursive: true })) {
    if (!rel.endsWith('.ts')) continue;
    const text = await readFile(join(repoPath(folder), rel), 'utf8');
    for (const m of text.matchAll(/'(ERR_[A-Z0-9_]+)'/g)) codes.add(m[1] as string);
  }
  return codes;
}

describe('the CLI error codes', () => {
  it('are all declared, with an exit code', async () => {
    const codes = await codesThrownIn('cli');
    expect(codes.size).toBeGreaterThan(4);
    expect([...codes].filter((c) => errorStatus(c) === undefined)).toEqual([]);
  });

  it('include the codes only the CLI throws, which the API never answers', () => {
    for (const c of ['ERR_BAD_RESPONSE', 'ERR_NO_CHECKPOINT', 'ERR_READ_FILE', 'ERR_WRITE_FILE']) {
      expect(CliErrorCodes).toContain(c);
      expect(errorStatus(c)).toEqual({ http: null, exit: 4 });
    }
  });
});
