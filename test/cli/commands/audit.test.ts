/**
 * `govfed audit lookup` and `audit prove --org/--origin` resolution against a real daemon (issue 12).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';
import { makeRecords, postDecisions } from '../../helpers/records.ts';

let node: TestNode;
let daemon: DaemonProcess;

beforeAll(async () => {
  node = await initNode('acme');
  daemon = await DaemonProcess.start(node.home);
  await postDecisions(daemon.url, node.adminToken, makeRecords(6, 'look'));
}, 120_000);

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

describe('govfed audit lookup', () => {
  it('finds the index of a decision by its id, and the same entry by its leaf hash', async () => {
    const byId = await runCliJson<{ index: number; leafHash: string }>([
      'audit',
      'lookup',
      '--home',
      node.home,
      '--decision-id',
      'look-3',
    ]);
    expect(byId.index).toBeGreaterThanOrEqual(0);
    const byHash = await runCliJson<{ index: number }>([
      'audit',
      'lookup',
      '--home',
      node.home,
      '--leaf-hash',
      byId.leafHash,
    ]);
    expect(byHash.index).toBe(byId.index);
    const other = await runCliJson<{ index: number }>([
      'audit',
      'lookup',
      '--home',
      node.home,
      '--decision-id',
      'look-4',
    ]);
    expect(other.index).not.toBe(byId.index);
    const text = await runCli(['audit', 'lookup', '--home', node.home, '--decision-id', 'look-3']);
    expect(text.stdout).toContain(`govfed audit prove --index ${byId.index}`);
  });

  it('bad input: unknown id (404, exit 4), neither or both flags, a malformed hash', async () => {
    const none = await runCli(['audit', 'lookup', '--home', node.home, '--decision-id', 'no-such', '--json']);
    expect(none.code).toBe(4);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, code: 'ERR_NOT_FOUND' });
    expect((await runCli(['audit', 'lookup', '--home', node.home])).code).toBe(2);
    expect(
      (await runCli(['audit', 'lookup', '--home', node.home, '--decision-id', 'a', '--leaf-hash', 'b'])).code,
    ).toBe(2);
    expect((await runCli(['audit', 'lookup', '--home', node.home, '--leaf-hash', 'xyz'])).code).toBe(2);
    expect((await runCli(['audit', 'lookup', '--help'])).stdout).toContain('--decision-id');
  });
});

describe('govfed audit prove', () => {
  it('--origin naming no member is a usage error that says what is valid', async () => {
    const r = await runCli(['audit', 'prove', '--home', node.home, '--origin', 'apac', '--index', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--origin 'apac' names no member");
    expect(r.stderr).toContain('federation status');
    const both = await runCli(['audit', 'prove', '--home', node.home, '--origin', 'a', '--org', 'b', '--index', '0']);
    expect(both.code).toBe(2);
  });

  it('--index past the tree size says so', async () => {
    const r = await runCli(['audit', 'prove', '--home', node.home, '--index', '999']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/999/);
    expect(r.stderr).not.toMatch(/retry|try again/i);
  });
});
