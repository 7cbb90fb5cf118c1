/**
 * `govfed token create --ttl`, `token list` and `token revoke` against a real daemon (issue 12): a
 * revoked or expired token is refused by the running node at once, without a restart.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../../node/home/tokens.ts';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';

let node: TestNode;
let daemon: DaemonProcess;

beforeAll(async () => {
  node = await initNode('acme');
  daemon = await DaemonProcess.start(node.home);
}, 120_000);

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
});

interface Created {
  token: string;
  id: string;
  role: string;
  expires?: string;
}
interface Listed {
  tokens: { id: string; role: string; created: string; expires: string | null; expired: boolean }[];
}

async function status(token: string): Promise<number> {
  return (await daemon.fetch('/v1/log/checkpoint', { token })).status;
}

describe('govfed token list / revoke / create --ttl', () => {
  it('revoke: the running node refuses the token on the next request', async () => {
    const t = await runCliJson<Created>(['token', 'create', '--home', node.home, '--role', 'ingest']);
    expect(Object.keys(t).sort()).toEqual(['id', 'role', 'token']); // create's output keys unchanged
    expect(await status(t.token)).toBe(200);
    const r = await runCliJson<{ revoked: { id: string; role: string } }>([
      'token',
      'revoke',
      '--home',
      node.home,
      t.id,
    ]);
    expect(r.revoked).toMatchObject({ id: t.id, role: 'ingest' });
    expect(await status(t.token)).toBe(401);
    expect(await status(node.adminToken)).toBe(200);
  });

  it('list: id, role, created, expires — never the token or its hash', async () => {
    const t = await runCliJson<Created>(['token', 'create', '--home', node.home, '--role', 'auditor', '--ttl', '7d']);
    expect(Date.parse(t.expires as string) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    const list = await runCliJson<Listed>(['token', 'list', '--home', node.home]);
    const row = list.tokens.find((x) => x.id === t.id);
    expect(row).toMatchObject({ role: 'auditor', expires: t.expires, expired: false });
    const raw = JSON.stringify(list);
    expect(raw).not.toContain(t.token);
    expect(raw).not.toContain(hashToken(t.token));
    const text = await runCli(['token', 'list', '--home', node.home]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ID\s+ROLE\s+CREATED\s+EXPIRES/);
    expect(text.stdout).toContain(t.id);
    expect(text.stdout).not.toContain(t.token);
  });

  it('--ttl: an expired token is refused by the running node', async () => {
    const t = await runCliJson<Created>(['token', 'create', '--home', node.home, '--role', 'ingest', '--ttl', '2s']);
    expect(await status(t.token)).toBe(200);
    await sleep(Math.max(0, Date.parse(t.expires as string) - Date.now()) + 100);
    expect(await status(t.token)).toBe(401);
    const list = await runCliJson<Listed>(['token', 'list', '--home', node.home]);
    expect(list.tokens.find((x) => x.id === t.id)?.expired).toBe(true);
  });

  it('bad input: unknown id, malformed --ttl, missing ID, missing home', async () => {
    const before = await readFile(`${node.home}/tokens.json`, 'utf8');
    const unknown = await runCli(['token', 'revoke', '--home', node.home, 'ffffffffffff']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('ERR_NOT_FOUND');
    expect(unknown.stderr).toContain('govfed token list');
    for (const ttl of ['0m', '5', '1w', '-3h', '99999d']) {
      const r = await runCli(['token', 'create', '--home', node.home, '--role', 'ingest', '--ttl', ttl]);
      expect(r.code, ttl).toBe(2);
      expect(r.stderr).toContain('--ttl');
    }
    expect(await readFile(`${node.home}/tokens.json`, 'utf8')).toBe(before);
    expect((await runCli(['token', 'revoke', '--home', node.home])).code).toBe(2);
    expect((await runCli(['token', 'revoke', '--home', node.home, 'a/b'])).code).toBe(2);
    const noHome = await runCli(['token', 'list', '--home', `${node.tmp}/nowhere`]);
    expect(noHome.code).toBe(4);
    expect(noHome.stderr).toContain('ERR_HOME_NOT_FOUND');
    for (const c of ['list', 'revoke']) {
      const h = await runCli(['token', c, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('--json');
    }
  });
});
