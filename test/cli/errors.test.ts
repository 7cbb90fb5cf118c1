/**
 * Errors that say what to do, and scripting (issue 12, "Errors and scripting"), against a real daemon
 * and the real CLI in child processes.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, childEnv, makeTempDir, ROOT, removeDir, runCli } from '../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../helpers/daemon.ts';

let node: TestNode;
let daemon: DaemonProcess;
let tmp: string;

beforeAll(async () => {
  tmp = await makeTempDir();
  node = await initNode('acme');
  daemon = await DaemonProcess.start(node.home);
}, 120_000);

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
  if (tmp !== undefined) await removeDir(tmp);
});

describe('one-line errors that say what to do', () => {
  it('an unknown token: the code once, the problem, and where the token comes from', async () => {
    const r = await runCli(['status', '--api', daemon.api, '--token', `gf_admin_${'A'.repeat(43)}`]);
    expect(r.code).toBe(4);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line.match(/ERR_UNAUTHORIZED/g)).toHaveLength(1);
    expect(line).toContain('unknown token');
    expect(line).toContain('--token');
  });

  it('a home whose daemon is not running: names the home and how to start it, not port 0', async () => {
    const stopped = await initNode('beta');
    try {
      const r = await runCli(['status', '--home', stopped.home]);
      expect(r.code).toBe(3);
      expect(r.stderr).not.toContain(':0');
      expect(r.stderr).toContain(`govfed start --home ${stopped.home}`);
    } finally {
      await removeDir(stopped.tmp);
    }
  });

  it('a daemon that is down at a fixed address: names that address and how to start it', async () => {
    const fixed = await initNode('gamma', ['--api', '127.0.0.1:1']);
    try {
      const r = await runCli(['status', '--home', fixed.home]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('http://127.0.0.1:1');
      expect(r.stderr).toContain(`govfed start --home ${fixed.home}`);
    } finally {
      await removeDir(fixed.tmp);
    }
  });

  it('--home naming a file: ERR_HOME_NOT_FOUND saying it is not a directory, no raw ENOTDIR', async () => {
    const file = path.join(tmp, 'not-a-dir');
    await writeFile(file, 'x');
    const r = await runCli(['token', 'list', '--home', file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ERR_HOME_NOT_FOUND');
    expect(r.stderr).toContain('is not a directory');
    expect(r.stderr).not.toContain('ENOTDIR');
  });
});

describe('govfed start on an API port in use', () => {
  it('names the address and the --api flag, once', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as AddressInfo).port;
    const busy = await initNode('delta', ['--api', `127.0.0.1:${port}`]);
    try {
      const r = await runCli(['start', '--home', busy.home], { timeoutMs: 60_000 });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(r.stderr).toContain('--api HOST:PORT');
    } finally {
      blocker.close();
      await removeDir(busy.tmp);
    }
  }, 90_000);
});

describe('scripting', () => {
  it('--json: the error is also a JSON document on stdout', async () => {
    const r = await runCli(['token', 'revoke', '--home', node.home, 'ffffffffffff', '--json']);
    expect(r.code).toBe(4);
    const doc = JSON.parse(r.stdout) as { ok: boolean; code: string; message: string };
    expect(doc).toMatchObject({ ok: false, code: 'ERR_NOT_FOUND' });
    expect(doc.message).toContain('ffffffffffff');
    const usage = await runCli(['status', '--bogus', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ ok: false, code: 'ERR_USAGE' });
  });

  it('a reader that closes the pipe early does not change the exit code', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'help'], {
        cwd: ROOT,
        env: childEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy(); // like `| head -0`: the read end is closed before govfed writes
      child.on('close', (c) => resolve(c));
    });
    expect(code).toBe(0);
  });

  it('a command group without a subcommand is a usage error (2)', async () => {
    for (const group of ['audit', 'token', 'policy', 'federation']) {
      const r = await runCli([group]);
      expect(r.code, group).toBe(2);
    }
  });

  it('"did you mean" for a mistyped command or subcommand', async () => {
    const top = await runCli(['stauts']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain("did you mean 'status'?");
    const sub = await runCli(['token', 'lsit']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain("did you mean 'token list'?");
    const far = await runCli(['zzzzzz']);
    expect(far.stderr).not.toContain('did you mean');
  });
});
