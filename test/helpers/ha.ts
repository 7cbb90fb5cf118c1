/**
 * Helpers for several govfed processes of one org on a shared PostgreSQL log (issue 19), shared by the HA
 * tests and the HA benches (no vitest here).
 */
import { type CliResult, runCli } from './cli.ts';

/** `govfed ha add-process --from FROM --home HOME` with addresses of its own (free ports on 127.0.0.1). */
export function addProcess(from: string, home: string): Promise<CliResult> {
  return runCli([
    'ha',
    'add-process',
    '--from',
    from,
    '--home',
    home,
    '--api',
    '127.0.0.1:0',
    '--listen',
    '/ip4/127.0.0.1/tcp/0',
  ]);
}

/** A process's role and when it said so, from its last `daemon:role` event in `stderr`. */
export function lastRole(stderr: string): { role: string; at: number } | undefined {
  const lines = stderr.split('\n').filter((l) => l.includes('"event":"daemon:role"'));
  const last = lines[lines.length - 1];
  if (last === undefined) return undefined;
  const e = JSON.parse(last) as { role: string; time: string };
  return { role: e.role, at: Date.parse(e.time) };
}
