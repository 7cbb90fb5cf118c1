/**
 * Merges V8 CPU profiles of many processes (issue 17): `node bench/merge-profiles.ts DIR [WINDOW.json]`
 * reads every DIR/*.cpuprofile (e.g. daemons started with GOVFED_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"),
 * keeps only the samples inside the window bench/charter-cost.ts wrote (µs on the monotonic clock, as
 * V8's profile timestamps; the whole profile without one) and prints, across all processes, the time
 * in the window (only the daemons' processes when the window lists their pids), the functions with the most self time and those with the most inclusive time (a
 * function counted once per sample however deep it recurs). Not part of `npm run bench`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [dir, windowFile, topArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: node bench/merge-profiles.ts DIR [WINDOW.json] [TOP]');
const win =
  windowFile === undefined || windowFile === ''
    ? undefined
    : (JSON.parse(readFileSync(windowFile, 'utf8')) as {
        fromUs: number;
        toUs: number;
        versions?: number;
        pids?: number[];
      });
const TOP = Number(topArg ?? 40);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let processes = 0;

function label(f: ProfileNode['callFrame']): string {
  const file =
    f.url === '' ? '' : ` ${f.url.replace(/^file:\/\/.*?\/(node_modules|node|protocol)\//, '$1/')}:${f.lineNumber + 1}`;
  return `${f.functionName === '' ? '(anonymous)' : f.functionName}${file}`;
}

/** The pid in V8's default profile name, CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile. */
const pidOf = (name: string) => Number(name.split('.')[3]);

for (const name of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  // only the daemons' profiles when the window names them (not the bench's, npx's or the CLI's)
  if (win?.pids !== undefined && !win.pids.includes(pidOf(name))) continue;
  const p = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let t = p.startTime;
  let used = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // a sample stands for the time until the next one
    const weight = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (win !== undefined && (t < win.fromUs || t > win.toUs)) continue;
    const leaf = byId.get(p.samples[i] as number);
    if (leaf === undefined) continue;
    const selfName = label(leaf.callFrame);
    if (selfName.startsWith('(idle)')) continue;
    used += weight;
    self.set(selfName, (self.get(selfName) ?? 0) + weight);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const l = label((byId.get(id) as ProfileNode).callFrame);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + weight);
    }
  }
  if (used > 0) processes += 1;
  total += used;
}

const perVersion = win?.versions;
const fmt = (ms: number) =>
  `${(ms / 1000).toFixed(2).padStart(7)} s ${((100 * ms) / total).toFixed(1).padStart(5)} %${perVersion === undefined ? '' : ` ${(ms / perVersion).toFixed(0).padStart(6)} ms/version`}`;
console.log(
  `${processes} processes with samples in the window; ${(total / 1000).toFixed(1)} s of CPU sampled (idle excluded)`,
);
console.log('\n== self time');
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${fmt(v)}  ${k}`);
console.log('\n== inclusive time');
for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${fmt(v)}  ${k}`);
