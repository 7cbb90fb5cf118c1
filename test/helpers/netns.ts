/**
 * A small network of Linux network namespaces for multi-host tests (root only; see docs/testing.md).
 *
 * `Fabric.create(name, subnet, n)` makes n hosts, each a network namespace `gfns-<name>-<i>` with one
 * interface `gf<name><i>` holding 10.77.<subnet>.<i+1>/24, and gives the test process (the root namespace)
 * the address 10.77.<subnet>.254 on `gf<name>c`. The interfaces are TUN devices whose other ends are held
 * by one wire process (netwire.py): it forwards every IPv4 packet between hosts with a one-way delay,
 * jitter and loss (`links`) and drops packets across a partition (`partition`, `isolate`, `heal`).
 * Packets to or from the test process are never delayed or dropped: it observes, it is not a member.
 * No namespace has a default route and the wire drops any address that is not one of its hosts, so no
 * packet leaves the namespaces made here.
 *
 * Why a userspace wire and not veth pairs with `tc qdisc … netem`: the CI machines' kernel is built
 * without sch_netem (`tc qdisc add … netem` fails with "Specified qdisc kind is unknown"), and modules
 * cannot be loaded. The wire does what netem does, between real kernel TCP stacks in real namespaces.
 *
 * Cleanup: `close()` kills every process left in the namespaces, deletes them and stops the wire (the
 * TUN devices go with it); `sweepFabric(name)` does the same for namespaces a crashed run left behind,
 * and `Fabric.create` calls it first.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { repoPath } from './paths.ts';

const run = promisify(execFile);

/** `ip ARGS…`; throws with ip's stderr on failure. */
export async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args, { timeout: 10_000 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

export interface NetHost {
  /** 0-based position in the fabric. */
  index: number;
  /** The network namespace (`ip netns exec NS …`). */
  netns: string;
  /** The host's IPv4 address. */
  addr: string;
  ifname: string;
}

export interface LinkSpec {
  /** One-way delay (RTT / 2). */
  delayMs: number;
  /** Uniform jitter on the one-way delay, ± this. */
  jitterMs: number;
  /** Probability that a packet is lost, 0..1, per packet and direction. */
  loss: number;
}

export interface WireStats {
  forwarded: number;
  lost: number;
  partitioned: number;
  unroutable: number;
  queued: number;
}

const PREFIX = 'gfns-';

/** Removes namespaces `gfns-<name>-*` left by an earlier run, killing the processes still in them. */
export async function sweepFabric(name: string): Promise<string[]> {
  const listed = await ip('netns', 'list');
  const stale = listed
    .split('\n')
    .map((l) => l.split(' ')[0] as string)
    .filter((ns) => ns.startsWith(`${PREFIX}${name}-`));
  for (const ns of stale) await removeNamespace(ns);
  return stale;
}

async function removeNamespace(ns: string): Promise<void> {
  const pids = (await ip('netns', 'pids', ns).catch(() => '')).split('\n').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await ip('netns', 'del', ns).catch(() => {});
}

export class Fabric {
  readonly name: string;
  readonly hosts: NetHost[];
  /** The test process's own address on the fabric. */
  readonly controlAddr: string;
  readonly #wire: ChildProcessWithoutNullStreams;
  readonly #answers: ((line: string) => void)[] = [];
  #wireErr = '';
  #closed = false;

  private constructor(name: string, hosts: NetHost[], controlAddr: string, wire: ChildProcessWithoutNullStreams) {
    this.name = name;
    this.hosts = hosts;
    this.controlAddr = controlAddr;
    this.#wire = wire;
    createInterface({ input: wire.stdout }).on('line', (line) => this.#answers.shift()?.(line));
    wire.stderr.setEncoding('utf8').on('data', (d: string) => {
      this.#wireErr += d;
    });
  }

  /**
   * Makes `count` hosts on 10.77.<subnet>.0/24 (name: at most 6 letters, so that interface names fit
   * in 15 bytes; subnet: 1..250, one per fabric that may run at the same time).
   */
  static async create(name: string, subnet: number, count: number): Promise<Fabric> {
    if (!/^[a-z]{1,6}$/.test(name)) throw new Error(`fabric name: expected 1..6 lowercase letters, got ${name}`);
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 250)
      throw new Error(`fabric subnet: 1..250, got ${subnet}`);
    if (count < 1 || count > 99) throw new Error(`fabric size: 1..99, got ${count}`);
    await sweepFabric(name);
    const net = `10.77.${subnet}`;
    const wire = spawn('python3', [repoPath('test', 'helpers', 'netwire.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const hosts = Array.from({ length: count }, (_, i) => ({
      index: i,
      netns: `${PREFIX}${name}-${i}`,
      addr: `${net}.${i + 1}`,
      ifname: `gf${name}${i}`,
    }));
    const fabric = new Fabric(name, hosts, `${net}.254`, wire);
    try {
      await fabric.#expectReady();
      const ctl = `gf${name}c`;
      await fabric.#command({ op: 'add', name: ctl, addr: fabric.controlAddr });
      await fabric.#command({ op: 'control', addr: fabric.controlAddr });
      await ip('addr', 'add', `${fabric.controlAddr}/24`, 'dev', ctl);
      await ip('link', 'set', ctl, 'up');
      for (const h of hosts) {
        await ip('netns', 'add', h.netns);
        await fabric.#command({ op: 'add', name: h.ifname, addr: h.addr });
        await ip('link', 'set', h.ifname, 'netns', h.netns);
        await ip('-n', h.netns, 'link', 'set', 'lo', 'up');
        await ip('-n', h.netns, 'addr', 'add', `${h.addr}/24`, 'dev', h.ifname);
        await ip('-n', h.netns, 'link', 'set', h.ifname, 'up');
      }
    } catch (err) {
      await fabric.close();
      throw err;
    }
    return fabric;
  }

  /** Sets the one-way delay, jitter and loss between every two hosts. */
  async links(spec: LinkSpec): Promise<void> {
    await this.#command({ op: 'links', ...spec });
  }

  /** Cuts the fabric into groups: packets between groups (or to a host in none) are dropped. */
  async partition(...groups: readonly (readonly NetHost[])[]): Promise<void> {
    await this.#command({ op: 'partition', groups: groups.map((g) => g.map((h) => h.addr)) });
  }

  /** Cuts one host off from every other (the test process still reaches it). */
  async isolate(host: NetHost): Promise<void> {
    await this.#command({ op: 'isolate', addr: host.addr });
  }

  /** Ends any partition. */
  async heal(): Promise<void> {
    await this.#command({ op: 'heal' });
  }

  async stats(): Promise<WireStats> {
    return ((await this.#command({ op: 'stats' })) as { stats: WireStats }).stats;
  }

  /** Kills what runs in the namespaces, deletes them, stops the wire. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const h of this.hosts) await removeNamespace(h.netns);
    const exited = new Promise((r) => this.#wire.once('close', r));
    this.#wire.stdin.end();
    const timer = setTimeout(() => this.#wire.kill('SIGKILL'), 2000);
    if (this.#wire.exitCode === null && this.#wire.signalCode === null) await exited;
    clearTimeout(timer);
  }

  async #expectReady(): Promise<void> {
    const line = await this.#next(10_000);
    if (!line.includes('"ready"')) throw new Error(`netwire: unexpected first line ${line}`);
  }

  async #command(cmd: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = this.#next(10_000);
    this.#wire.stdin.write(`${JSON.stringify(cmd)}\n`);
    const res = JSON.parse(await answer) as Record<string, unknown>;
    if (res.ok !== true) throw new Error(`netwire ${String(cmd.op)}: ${String(res.error)}`);
    return res;
  }

  #next(timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`netwire did not answer within ${timeoutMs} ms; stderr: ${this.#wireErr}`));
      }, timeoutMs);
      this.#answers.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }
}
