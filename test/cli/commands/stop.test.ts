/**
 * `govfed stop` and the npm launch path against real daemons (issue 12, Lifecycle):
 * stop ends a running node cleanly and waits for it; a daemon started through npm's process chain
 * (npm → sh → cli/govfed.mjs, none of which pass SIGTERM on) exits when that chain is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';
import { repoPath } from '../../helpers/paths.ts';

const nodes: TestNode[] = [];
const spawned: ChildProcess[] = [];
const orphans: number[] = [];

afterEach(async () => {
  await killAllDaemons();
  for (const c of spawned.splice(0)) c.kill('SIGKILL');
  for (const pid of orphans.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const n of nodes.splice(0)) await removeDir(n.tmp);
});

async function fresh(): Promise<TestNode> {
  const n = await initNode('acme');
  nodes.push(n);
  return n;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function portIsFree(port: number): Promise<boolean> {
  const server = createServer();
  return await new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await sleep(50);
  }
  return await cond();
}

describe('govfed stop', () => {
  it('stops a running node cleanly, waits until it has exited, and frees its port', async () => {
    const n = await fresh();
    const d = await DaemonProcess.start(n.home);
    const port = Number(new URL(d.url).port);
    const r = await runCliJson<{ stopped: boolean; pid: number; ms: number }>(['stop', '--home', n.home]);
    expect(r.stopped).toBe(true);
    expect(r.pid).toBe(d.child.pid);
    // stop returned only after the process was gone: no waiting here
    expect(alive(r.pid)).toBe(false);
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.stderr).toContain('daemon:stopped');
    expect(existsSync(path.join(n.home, 'govfed.pid'))).toBe(false);
    expect(await portIsFree(port)).toBe(true);
  }, 120_000);

  it('with no node running: ERR_NOT_RUNNING, exit 4, naming how to start it', async () => {
    const n = await fresh();
    const r = await runCli(['stop', '--home', n.home]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('ERR_NOT_RUNNING');
    expect(r.stderr).toContain(`govfed start --home ${n.home}`);
    const j = await runCli(['stop', '--home', n.home, '--timeout', 'soon']);
    expect(j.code).toBe(2);
    const missing = await runCli(['stop', '--home', path.join(n.tmp, 'nowhere')]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('ERR_HOME_NOT_FOUND');
    const help = await runCli(['stop', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--json');
  }, 60_000);
});

describe('govfed start through npm', () => {
  it('killing the launching process chain does not orphan the daemon', async () => {
    const n = await fresh();
    // What `npx govfed start &` runs: npm exec → sh -c govfed … → the bin shim (cli/govfed.mjs). Killing npm
    // kills it and sh without passing SIGTERM on. Here sh stands in for that chain ('; :' keeps sh from exec'ing).
    const shim = repoPath('cli', 'govfed.mjs');
    const sh = spawn('sh', ['-c', `"${process.execPath}" "${shim}" start --home "${n.home}"; :`], {
      env: childEnv({ npm_lifecycle_event: 'npx', npm_command: 'exec' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(sh);
    let out = '';
    sh.stdout?.setEncoding('utf8').on('data', (s: string) => {
      out += s;
    });
    expect(await until(() => /listening on http:\/\/[^\s]+/.test(out), 60_000)).toBe(true);
    const port = Number(new URL(/listening on (http:\/\/[^\s]+)/.exec(out)?.[1] as string).port);
    const daemonPid = Number((await readFile(path.join(n.home, 'govfed.pid'), 'utf8')).trim());
    orphans.push(daemonPid);
    expect(daemonPid).not.toBe(sh.pid);
    sh.kill('SIGKILL');
    expect(await until(() => !alive(daemonPid), 30_000)).toBe(true);
    expect(existsSync(path.join(n.home, 'govfed.pid'))).toBe(false); // a clean stop removes it
    expect(await portIsFree(port)).toBe(true);
  }, 120_000);
});
