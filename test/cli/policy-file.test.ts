/**
 * One policy-file reader for `policy check`, `policy propose` and `policy local set` (issue 12): the same
 * mistake gives the same code and exit status from all three, and an unknown top-level field is an error.
 * propose and local set refuse the file before any request: the API address below has nothing listening.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { bufferIo } from '../../cli/output.ts';

const GOOD = {
  id: 'no-biometric-in-eu',
  hook: 'decision',
  effect: 'deny',
  expression: "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  message: 'biometric data may not be processed in the EU',
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'govfed-policy-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function outcome(argv: string[]) {
  const io = bufferIo();
  const code = await main([...argv, '--json'], io);
  const doc = JSON.parse(io.out) as { code?: string; ok?: boolean; errors?: { code: string }[] };
  return { code, errorCode: doc.code ?? doc.errors?.[0]?.code, err: io.err };
}

async function allThree(file: string) {
  const api = ['--api', '127.0.0.1:9', '--token', `gf_admin_${'A'.repeat(43)}`];
  return [
    await outcome(['policy', 'check', '--file', file]),
    await outcome(['policy', 'propose', '--file', file, ...api]),
    await outcome(['policy', 'local', 'set', '--file', file, ...api]),
  ];
}

describe('a policy file', () => {
  it('with an unknown top-level field ("expires" for "expiresAt") is refused the same way by all three', async () => {
    const file = join(dir, 'typo.json');
    await writeFile(file, JSON.stringify({ rules: [GOOD], expires: '2030-01-01T00:00:00Z' }));
    const results = await allThree(file);
    for (const r of results) {
      expect(r.code).toBe(2);
      expect(r.errorCode).toBe('ERR_USAGE');
      expect(r.err).toContain('did you mean "expiresAt"');
    }
  });

  it('with a rule that does not type-check gives the rule problem code and exit 1 from all three', async () => {
    const file = join(dir, 'bad-rule.json');
    await writeFile(file, JSON.stringify({ rules: [{ ...GOOD, expression: 'decision.model == 1' }] }));
    const results = await allThree(file);
    const codes = new Set(results.map((r) => `${r.code} ${r.errorCode}`));
    expect(codes.size).toBe(1);
    expect(results[0]?.code).toBe(1);
    expect(results[0]?.errorCode).toMatch(/^ERR_/);
  });

  it('that is good passes the check (and propose then tries the node: unreachable, exit 3)', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify({ rules: [GOOD], expiresAt: '2030-01-01T00:00:00Z' }));
    const [check, propose] = await allThree(file);
    expect(check?.code).toBe(0);
    expect(propose?.code).toBe(3);
  });
});
