/**
 * A real govfed daemon in a child process: `node cli/govfed.ts start --home DIR`, on 127.0.0.1 with an
 * OS-chosen port (`init --api 127.0.0.1:0`). `start` prints "govfed node ORG listening on http://HOST:PORT" once
 * the API accepts connections; DaemonProcess.start resolves then. With `netns`, the daemon runs inside that
 * network namespace (`ip netns exec NS node cli/govfed.ts start …`; test/helpers/netns.ts).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CLI, childEnv, makeTempDir, ROOT, runCliJson } from './cli.ts';

/** How long a daemon may take to say it listens: generous, since several start at once on 2 shared cores. */
const START_TIMEOUT_MS = 60_000;

export interface InitResult {
  org: string;
  peerId: string;
  origin: string;
  verifierKey: string;
  /** The witness cosignature verifier key (homes made since witnessing). */
  witnessKey?: string;
  api: string;
  tokenFile: string;
  /** DIR/member-card.json. */
  memberCard: string;
}

export interface TestNode {
  /** The temp directory holding the home (remove it when done). */
  tmp: string;
  home: string;
  init: InitResult;
  adminToken: string;
}

/** `govfed init` into a fresh temp home with the API on 127.0.0.1:0 (unless `extra` gives --api). */
export async function initNode(org = 'acme', extra: readonly string[] = []): Promise<TestNode> {
  const tmp = await makeTempDir();
  const home = path.join(tmp, 'home');
  const api = extra.includes('--api') ? [] : ['--api', '127.0.0.1:0'];
  const init = await runCliJson<InitResult>(['init', '--home', home, '--org', org, ...api, ...extra]);
  const adminToken = (await readFile(init.tokenFile, 'utf8')).trim();
  return { tmp, home, init, adminToken };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const LISTENING_RE = /listening on (http:\/\/[^\s]+)/;
const running = new Set<DaemonProcess>();

export class DaemonProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly home: string;
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** `HOST:PORT`, for --api. */
  readonly api: string;
  readonly exited: Promise<Exit>;
  stdout = '';
  stderr = '';

  private constructor(child: ChildProcessWithoutNullStreams, home: string, url: string, exited: Promise<Exit>) {
    this.child = child;
    this.home = home;
    this.url = url;
    this.api = url.replace(/^http:\/\//, '');
    this.exited = exited;
  }

  /** Spawns `govfed start --home DIR` and waits for its "listening on" line. */
  static async start(
    home: string,
    options: { timeoutMs?: number; args?: readonly string[]; netns?: string } = {},
  ): Promise<DaemonProcess> {
    // GOVFED_DAEMON_NODE_ARGS: node flags for the daemons only (benches: `--cpu-prof --cpu-prof-dir=DIR`,
    // which NODE_OPTIONS does not take).
    const nodeArgs = process.env.GOVFED_DAEMON_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [];
    const argv = [process.execPath, ...nodeArgs, CLI, 'start', '--home', home, ...(options.args ?? [])];
    // In a network namespace (test/helpers/netns.ts): `ip netns exec` execs the node in place, so the
    // child's pid is the daemon's and signals reach it directly.
    if (options.netns !== undefined) argv.unshift('ip', 'netns', 'exec', options.netns);
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: ROOT,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end();
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `daemon did not start within ${options.timeoutMs ?? START_TIMEOUT_MS} ms\nstdout: ${out}\nstderr: ${err}`,
          ),
        );
      }, options.timeoutMs ?? START_TIMEOUT_MS);
      child.stdout.on('data', (d: string) => {
        out += d;
        const m = LISTENING_RE.exec(out);
        if (m !== null) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
      child.stderr.on('data', (d: string) => {
        err += d;
      });
      void exited.then((e) => {
        clearTimeout(timer);
        reject(new Error(`daemon exited (${e.code ?? e.signal}) before listening\nstdout: ${out}\nstderr: ${err}`));
      });
    });
    const d = new DaemonProcess(child, home, url, exited);
    d.stdout = out;
    d.stderr = err;
    child.stdout.on('data', (s: string) => {
      d.stdout += s;
    });
    child.stderr.on('data', (s: string) => {
      d.stderr += s;
    });
    running.add(d);
    void exited.then(() => running.delete(d));
    return d;
  }

  /** Sends `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` without waiting (SIGSTOP / SIGCONT: a paused node, silent but connected). */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** `kill -9`: no chance to flush or clean up. */
  async kill9(): Promise<Exit> {
    return await this.stop('SIGKILL');
  }

  /** fetch() against the daemon with a bearer token. */
  /**
   * fetch() against the daemon. A GET or HEAD sent on a keep-alive connection the daemon closed at that
   * moment (it answers nothing: `other side closed`, 0 bytes read — a race that a CPU-starved test
   * process loses when its idle timer fires late) is sent again, at most twice. Other methods are not:
   * the daemon may have acted on them (a bench at N = 20 saw an invite made twice).
   */
  async fetch(pathAndQuery: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
    const { token, headers, ...rest } = init;
    const h = new Headers(headers);
    if (token !== undefined) h.set('authorization', `Bearer ${token}`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(`${this.url}${pathAndQuery}`, { ...rest, headers: h });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; socket?: { bytesRead?: number } } }).cause;
        const idempotent = rest.method === undefined || rest.method === 'GET' || rest.method === 'HEAD';
        if (!idempotent || attempt >= 2 || cause?.code !== 'UND_ERR_SOCKET' || cause.socket?.bytesRead !== 0) throw err;
      }
    }
  }
}

/** Kills every daemon a test started and did not stop (for afterAll/afterEach). */
export async function killAllDaemons(): Promise<void> {
  await Promise.all([...running].map((d) => d.kill9()));
}
