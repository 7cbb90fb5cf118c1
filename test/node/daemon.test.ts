import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Daemon, nodeInitObject } from '../../node/daemon.ts';
import { parseEvents } from '../../node/events.ts';
import { initHome } from '../../node/home/init.ts';
import { type LoadedHome, loadHome } from '../../node/home/load.ts';
import { decodeLeaf } from '../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../protocol/canonical/jcs.ts';
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { fromBase64, toHex } from '../../protocol/encoding/bytes.ts';
import { openCheckpoint, parseVerifierKey } from '../../protocol/note/index.ts';

let root: string;
let home: LoadedHome;
let admin: string;
const running: Daemon[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-daemon-'));
  const init = await initHome({ dir: join(root, 'eu'), org: 'eu', api: '127.0.0.1:0', checkpointIntervalMs: 50 });
  home = await loadHome(join(root, 'eu'));
  admin = (await readFile(init.tokenFile, 'utf8')).trim();
});
afterEach(async () => {
  for (const d of running.splice(0)) await d.stop();
  await rm(root, { recursive: true, force: true });
});

/** A daemon whose stdout and stderr lines are captured. */
function daemon(h: LoadedHome = home) {
  const out: string[] = [];
  const err: string[] = [];
  const d = new Daemon(h, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), defaultMetrics: false });
  running.push(d);
  return { d, out, err };
}

interface NodeInfo {
  api: string;
  log: { size: number };
}
interface Appended {
  entries: { index: number; leafHash: string }[];
}

async function api(d: Daemon, path: string, init: RequestInit = {}) {
  return fetch(`${d.url}${path}`, { ...init, headers: { authorization: `Bearer ${admin}`, ...init.headers } });
}

describe('Daemon.start', () => {
  describe('when the home is new', () => {
    it('listens on a free port, says so on stdout, and writes api.addr and the pid file', async () => {
      const { d, out } = daemon();
      await d.start();
      expect(d.address).toMatch(/^127\.0\.0\.1:[1-9][0-9]*$/);
      expect(out).toEqual([`govfed node eu listening on http://${d.address}\n`]);
      expect((await readFile(home.paths.apiAddr, 'utf8')).trim()).toBe(d.address);
      expect((await readFile(home.paths.pid, 'utf8')).trim()).toBe(String(process.pid));
      const res = await fetch(`${d.url}/healthz`);
      expect(await res.json()).toEqual({ status: 'ok', writable: true });
      const info = (await (await api(d, '/v1/node')).json()) as NodeInfo;
      expect(info.api).toBe(d.address);
    });

    it('records node.init as entry 0, committing to the node’s public identity, and signs a checkpoint', async () => {
      const { d } = daemon();
      await d.start();
      const leaf = decodeLeaf(new Uint8Array(await (await api(d, '/v1/log/entries/0')).arrayBuffer()));
      expect(leaf).toMatchObject({ type: 'governance', kind: 'node.init', ref: home.config.origin });
      expect(leaf.type === 'governance' && leaf.digest).toBe(
        `sha256:${toHex(sha256(canonicalBytes(nodeInitObject(home))))}`,
      );
      const note = await (await api(d, '/v1/log/checkpoint')).text();
      expect(openCheckpoint(note, parseVerifierKey(home.config.verifierKey)).checkpoint.size).toBe(1);
    });

    it('logs JSON events to stderr without keys or tokens', async () => {
      const { d, err } = daemon();
      await d.start();
      await d.stop();
      const events = err.map((l) => JSON.parse(l));
      expect(events.map((e) => e.event)).toEqual(
        expect.arrayContaining([
          'daemon:starting',
          'log:node-init',
          'daemon:started',
          'daemon:stopping',
          'daemon:stopped',
        ]),
      );
      const all = err.join('');
      // PRIVATE+KEY+<name>+<hash>+<base64 seed>: the seed's base64 may itself hold '+'.
      const seed = (await readFile(home.paths.logKey, 'utf8')).trim().split('+').slice(4).join('+');
      expect(seed.length).toBeGreaterThanOrEqual(43);
      expect(all).not.toContain(seed);
      expect(all).not.toContain(admin);
    });
  });

  describe('when the home already has a log', () => {
    it('keeps every acknowledged entry and does not record node.init again', async () => {
      const first = daemon();
      await first.d.start();
      const res = await api(first.d, '/v1/decisions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          { model: 'm', output: 'yes' },
          { model: 'm', output: 'no' },
        ]),
      });
      const { entries } = (await res.json()) as Appended;
      expect(entries.map((e: { index: number }) => e.index)).toEqual([1, 2]);
      await first.d.stop();

      const second = daemon(await loadHome(home.dir));
      await second.d.start();
      const info = (await (await api(second.d, '/v1/node')).json()) as NodeInfo;
      expect(info.log.size).toBe(3);
      for (const e of entries) {
        const bytes = new Uint8Array(await (await api(second.d, `/v1/log/entries/${e.index}`)).arrayBuffer());
        const h = sha256(Uint8Array.of(0, ...bytes));
        expect(h).toEqual(fromBase64(e.leafHash));
      }
      const leaf1 = decodeLeaf(new Uint8Array(await (await api(second.d, '/v1/log/entries/1')).arrayBuffer()));
      expect(leaf1.type).toBe('decision');
    });
  });

  describe('when another daemon runs on the same home', () => {
    it('refuses with ERR_ALREADY_RUNNING and leaves the first one working', async () => {
      const first = daemon();
      await first.d.start();
      const second = daemon(await loadHome(home.dir));
      await expect(second.d.start()).rejects.toMatchObject({ code: 'ERR_ALREADY_RUNNING' });
      expect((await fetch(`${first.d.url}/healthz`)).status).toBe(200);
      expect((await readFile(home.paths.pid, 'utf8')).trim()).toBe(String(process.pid));
    });
  });

  describe('when the API address is taken', () => {
    it('fails with ERR_INVALID_CONFIG and releases the log so a later start works', async () => {
      await initHome({ dir: join(root, 'us'), org: 'us', api: '127.0.0.1:0' });
      const first = daemon(await loadHome(join(root, 'us')));
      await first.d.start();
      const address = first.d.address as string;
      await initHome({ dir: join(root, 'eu2'), org: 'eu2', api: address });
      const h = await loadHome(join(root, 'eu2'));
      await expect(daemon(h).d.start()).rejects.toMatchObject({ code: 'ERR_INVALID_CONFIG' });
      await expect(stat(h.paths.pid)).rejects.toMatchObject({ code: 'ENOENT' });
      await first.d.stop();
      const again = daemon(await loadHome(join(root, 'eu2')));
      await again.d.start();
      expect(again.d.address).toBe(address);
    });
  });
});

describe('Daemon.stop', () => {
  describe('when running', () => {
    it('closes the API, removes the pid and address files, and can be called twice', async () => {
      const { d } = daemon();
      await d.start();
      const url = d.url;
      await Promise.all([d.stop(), d.stop()]);
      await d.stop();
      await expect(stat(home.paths.pid)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(stat(home.paths.apiAddr)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    });
  });

  describe('when requests are in flight', () => {
    it('answers them once durable before closing the log', async () => {
      const { d } = daemon();
      await d.start();
      const body = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ model: 'm', output: i })));
      const pending = api(d, '/v1/decisions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const log = d.log!;
      while (log.metrics().pending === 0) await new Promise((r) => setTimeout(r, 1));
      await d.stop();
      const res = await pending;
      expect(res.status).toBe(200);
      const { entries } = (await res.json()) as Appended;
      const again = daemon(await loadHome(home.dir));
      await again.d.start();
      const info = (await (await api(again.d, '/v1/node')).json()) as NodeInfo;
      expect(info.log.size).toBe(1 + entries.length);
    });
  });
});

describe('Daemon.handleSignals', () => {
  describe('when the process gets SIGTERM', () => {
    it('stops cleanly and exits 0', async () => {
      const script = join(root, 'run.ts');
      const daemonUrl = new URL('../../node/daemon.ts', import.meta.url).href;
      const homeUrl = new URL('../../node/home/index.ts', import.meta.url).href;
      await writeFile(
        script,
        `import { Daemon } from '${daemonUrl}';\n` +
          `import { loadHome } from '${homeUrl}';\n` +
          `const d = new Daemon(await loadHome(process.argv[2]), { defaultMetrics: false });\n` +
          'd.handleSignals();\nawait d.start();\n',
      );
      const child = spawn(process.execPath, [script, home.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (b) => {
        stderr += b;
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b) => {
          stdout += b;
          if (stdout.includes('listening on')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`exited early (${code}): ${stderr}`)));
      });
      expect(stdout).toMatch(/^govfed node eu listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(parseEvents(stderr, 'daemon:stopped')).toEqual([expect.objectContaining({ org: 'eu', size: 1 })]);
      await expect(stat(home.paths.pid)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });
});
