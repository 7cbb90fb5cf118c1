/**
 * The idle cost of a wide federation (issue 17): `node bench/idle-cost.ts` forms GOVFED_IDLE_NODES
 * (default 30) real nodes, 10 per process (bench/hosted-cluster.ts), lets it settle 15 s, then reads
 * each host process's CPU (utime + stime from /proc/<pid>/stat) over GOVFED_IDLE_SECONDS (default 60)
 * of nothing happening, and prints cores used per host and in all. With GOVFED_HOST_PROFILE_DIR=DIR each
 * host also writes a CPU profile of that idle window to DIR/host-<i>.cpuprofile. Not part of
 * `npm run bench` (no BenchResult): a measuring tool for the wide bench's formation.
 */
import { readFileSync } from 'node:fs';
import { startHostedCluster } from './hosted-cluster.ts';
import { intSetting, numberSetting } from './settings.ts';

const N = intSetting('GOVFED_IDLE_NODES', 30);
const SECONDS = numberSetting('GOVFED_IDLE_SECONDS', 60, 0.1);
const TICKS_PER_SECOND = 100;

/** CPU seconds used so far by process `pid` (user + system). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const t0 = Date.now();
const cluster = await startHostedCluster(N, 10);
console.log(`formed N = ${N} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
try {
  await new Promise((r) => setTimeout(r, 15_000));
  if (process.env.GOVFED_HOST_PROFILE_DIR !== undefined) for (const pid of cluster.pids) process.kill(pid, 'SIGUSR2');
  const before = cluster.pids.map(cpuSeconds);
  const start = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const wall = (Date.now() - start) / 1000;
  const used = cluster.pids.map((pid, i) => cpuSeconds(pid) - (before[i] as number));
  const total = used.reduce((a, b) => a + b, 0);
  console.log(
    `idle ${wall.toFixed(0)} s: ${(total / wall).toFixed(2)} cores in all (${((total / wall / N) * 1000).toFixed(1)} ms of CPU per node per second); per host: ${used.map((u) => (u / wall).toFixed(2)).join(', ')}`,
  );
  console.log(`loadavg ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
} finally {
  await cluster.stop();
}
