/**
 * What the scale bench needs of the machine: formatting, load and memory, size on disk, dropping the
 * page cache, and plain keep-alive HTTP GETs (no client library between the bench and the node).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { type Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const run$ = promisify(execFile);
export const fmt = (n: number) => Math.round(n).toLocaleString('en');
export const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
export const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
export interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** RssAnon + RssFile from /proc, when there. */
  split?: string | undefined;
}
export const memo = (m: Memory) =>
  `RSS ${mib(m.rss)}${m.split === undefined ? '' : ` (${m.split})`}, heap used ${mib(m.heapUsed)} of ` +
  `${mib(m.heapTotal)}, external ${mib(m.external)}`;
export async function ownMemory(): Promise<Memory> {
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, split: await residentSplit('self') };
}

export async function residentSplit(pid: number | string): Promise<string | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return `RssAnon ${Math.round(kb('RssAnon') / 1024)} MiB + RssFile ${Math.round(kb('RssFile') / 1024)} MiB`;
  } catch {
    return undefined;
  }
}

export async function diskBytes(dir: string): Promise<number> {
  const { stdout } = await run$('du', ['-sk', dir]);
  return Number(stdout.split(/\s/)[0]) * 1024;
}

/** Drops the OS page cache of every file in `dir` (GNU dd's iflag=nocache, count=0). False if it cannot. */
export async function dropPageCache(dir: string): Promise<boolean> {
  try {
    for (const f of await readdir(dir)) {
      await run$('dd', [`if=${path.join(dir, f)}`, 'iflag=nocache', 'count=0', 'status=none']);
    }
    return true;
  } catch {
    return false;
  }
}

/** One keep-alive connection, sequential GETs; resolves with status and body. */
export function httpGet(agent: Agent, url: URL, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
