/**
 * Where a V8 CPU profile's time goes, in text: `npx node bench/cpuprofile-summary.ts FILE.cpuprofile… [--top N]`
 * prints, per file, the busy time (everything but "(idle)"), the self time by source (our files by path,
 * node_modules by package, node's internals, GC, "(program)" = native code outside JS: the libuv calls
 * made from this thread, compilation) and the top functions by self time. Profiles from `node --cpu-prof`
 * (one per thread: main and each worker) or from the inspector (bench/host.ts).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A source's short name: repo-relative path, npm package, or node's internals. */
export function sourceOf(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return `npm ${pkg[1]}`;
  const ours = /\/(node|protocol|cli|bench|test)\/(.+)$/.exec(url);
  return ours === null ? url : `${ours[1]}/${ours[2]}`;
}

export function summarise(p: Profile, top: number): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    self.set(id, (self.get(id) ?? 0) + ((p.timeDeltas[i] ?? 0) as number));
  }
  const bySource = new Map<string, number>();
  const byFn = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const f = (byId.get(id) as ProfileNode).callFrame;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const src = sourceOf(f.url, f.functionName);
    bySource.set(src, (bySource.get(src) ?? 0) + us);
    const fn = `${f.functionName || '(anonymous)'} ${src}${f.url === '' ? '' : `:${f.lineNumber + 1}`}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)} %`;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us).padStart(7)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  return [
    `busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s`,
    'self time by source:',
    ...rows(bySource),
    'top functions by self time:',
    ...rows(byFn),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args[t + 1]) : 25;
  const files = args.filter((a, i) => a !== '--top' && (t < 0 || i !== t + 1));
  for (const f of files) {
    console.log(`# ${f}`);
    console.log(summarise(JSON.parse(await readFile(f, 'utf8')) as Profile, top));
  }
}
