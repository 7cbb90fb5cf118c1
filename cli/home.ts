/**
 * Finding a node from the command line: its home directory, API address and token.
 *
 * Precedence for each: the flag, then the environment variable, then the home directory
 *   home   --home DIR         $GOVFED_HOME
 *   api    --api HOST:PORT    $GOVFED_API     DIR/api.addr (the daemon's bound address), else config.json `api`
 *   token  --token TOKEN      $GOVFED_TOKEN   DIR/admin.token
 * Only config.json, the pid and address files and the admin token are read here; the signing keys are not.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { homePaths, type NodeConfig, readApiAddress, readConfig } from '../node/home/config.ts';
import { type ParsedArgs, parseHostPort, stringOption } from './args.ts';
import type { ApiTarget } from './client.ts';
import { UnreachableError, UsageError } from './exit.ts';
import type { Io } from './output.ts';

/** The home directory from --home or $GOVFED_HOME, made absolute; a usage error when neither is given. */
export function resolveHome(args: ParsedArgs, io: Io, command: string): string {
  const dir = stringOption(args, 'home') ?? nonEmpty(io.env.GOVFED_HOME);
  if (dir === undefined) throw new UsageError(`${command}: --home DIR (or GOVFED_HOME) is required`);
  return path.resolve(dir);
}

/** Like resolveHome, but undefined when neither is given. */
export function optionalHome(args: ParsedArgs, io: Io): string | undefined {
  const dir = stringOption(args, 'home') ?? nonEmpty(io.env.GOVFED_HOME);
  return dir === undefined ? undefined : path.resolve(dir);
}

/** Where to send API requests and with which token. */
export async function resolveTarget(args: ParsedArgs, io: Io, command: string): Promise<ApiTarget> {
  const home = optionalHome(args, io);
  const flagApi = stringOption(args, 'api') ?? nonEmpty(io.env.GOVFED_API);
  let api: string;
  if (flagApi !== undefined) {
    api = flagApi;
  } else if (home !== undefined) {
    api = await readApiAddress(home);
  } else {
    throw new UsageError(`${command}: --home DIR (or GOVFED_HOME), or --api HOST:PORT, is required`);
  }
  const { host, port } = parseHostPort(command, 'api', api);
  if (port === 0 && home !== undefined) {
    // config.json asks for a free port, chosen when the daemon starts; no DIR/api.addr: it is not running.
    throw new UnreachableError(`the node on ${home} is not running: start it with govfed start --home ${home}`);
  }
  const token =
    stringOption(args, 'token') ??
    nonEmpty(io.env.GOVFED_TOKEN) ??
    (home === undefined ? undefined : readTokenFile(homePaths(home).adminToken));
  return { baseUrl: `http://${connectHost(host)}:${port}`, token, ...(home === undefined ? {} : { home }) };
}

/** The node's public configuration, when a home is given. */
export async function homeConfig(home: string | undefined): Promise<NodeConfig | undefined> {
  return home === undefined ? undefined : await readConfig(home);
}

/** The pid of the daemon running on `home` (DIR/govfed.pid names a live process), or undefined. */
export function runningDaemon(home: string): { pid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(homePaths(home).pid, 'utf8');
  } catch {
    return undefined;
  }
  const info = parsePidFile(text);
  if (info === undefined || !isAlive(info.pid)) return undefined;
  return info;
}

/** govfed.pid holds the pid alone or a JSON object with a `pid` field. */
export function parsePidFile(text: string): { pid: number } | undefined {
  const t = text.trim();
  if (/^[1-9][0-9]{0,9}$/.test(t)) return { pid: Number(t) };
  try {
    const v = JSON.parse(t) as { pid?: unknown };
    if (typeof v.pid === 'number' && Number.isSafeInteger(v.pid) && v.pid > 0) return { pid: v.pid };
  } catch {
    // fall through
  }
  return undefined;
}

/** True while process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as { code?: string }).code === 'EPERM';
  }
}

function readTokenFile(file: string): string | undefined {
  try {
    return nonEmpty(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** A daemon bound to the wildcard address is reached over loopback. */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '[::]') return '[::1]';
  return host;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.length === 0 ? undefined : s;
}
