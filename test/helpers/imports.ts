/**
 * The import graph of the repository's source folders, read with TypeScript's own pre-processor (static
 * imports, `import type`, re-exports and dynamic `import('…')`), and two checks over it: cycles (strongly
 * connected components) and imports that go up the layers.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './paths.ts';

/** file → the repository files it imports (repository-relative, '/'-separated). */
export type ImportGraph = Map<string, string[]>;

/** Reads every .ts file below `folders` (repository-relative) and its relative imports. */
export async function importGraph(folders: readonly string[]): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  for (const folder of folders) {
    for (const rel of await readdir(join(REPO_ROOT, folder), { recursive: true })) {
      if (!rel.endsWith('.ts')) continue;
      const file = `${folder}/${rel.split('\\').join('/')}`;
      const text = await readFile(join(REPO_ROOT, file), 'utf8');
      const deps = ts
        .preProcessFile(text, true, true)
        .importedFiles.map((f) => f.fileName)
        .filter((spec) => spec.startsWith('.'))
        .map((spec) =>
          relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec))
            .split('\\')
            .join('/'),
        );
      graph.set(file, [...new Set(deps)]);
    }
  }
  return graph;
}

/** The import cycles among `files` (each a strongly connected component of more than one file, or a self-import). */
export function importCycles(graph: ImportGraph, within: (file: string) => boolean = () => true): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const edges = (v: string) => (graph.get(v) ?? []).filter((w) => graph.has(w) && within(w));
  // Iterative Tarjan (the graph has hundreds of files; no deep recursion).
  for (const root of graph.keys()) {
    if (!within(root) || index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1] as { v: string; i: number };
      const out = edges(top.v);
      if (top.i < out.length) {
        const w = out[top.i++] as string;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(top.v, Math.min(low.get(top.v) as number, index.get(w) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(top.v) as number));
      if (low.get(top.v) === index.get(top.v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.v);
        if (component.length > 1 || edges(top.v).includes(top.v)) cycles.push(component.sort());
      }
    }
  }
  return cycles;
}

/**
 * The layers, bottom first. A file may import its own layer and the ones below, never one above.
 * `layerOf` returns undefined for a file no layer claims (the test then fails: every folder has a place).
 */
export const LAYERS: readonly { name: string; members: readonly string[] }[] = [
  { name: 'protocol', members: ['protocol/'] },
  { name: 'node base', members: ['node/errors.ts', 'node/events.ts', 'node/lifecycle.ts'] },
  { name: 'node infrastructure', members: ['node/home/', 'node/crypto/', 'node/log/', 'node/p2p/'] },
  {
    name: 'node services',
    members: [
      'node/chain/',
      'node/federation/',
      'node/policy/',
      'node/witness/',
      'node/decisions/',
      'node/registry/',
      'node/monitoring/',
      'node/report/',
      'node/ha/',
    ],
  },
  { name: 'node api', members: ['node/api/'] },
  { name: 'daemon', members: ['node/daemon.ts', 'node/daemon-options.ts', 'node/node-init.ts'] },
  { name: 'cli', members: ['cli/'] },
];

export function layerOf(file: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.members.some((m) => (m.endsWith('/') ? file.startsWith(m) : file === m)));
  return i < 0 ? undefined : i;
}

/** Every import from a layer to a higher one, as `from → to (layer → layer)`. */
export function upwardImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    const a = layerOf(from);
    for (const to of deps) {
      const b = layerOf(to);
      if (a !== undefined && b !== undefined && b > a) {
        out.push(`${from} → ${to} (${LAYERS[a]?.name} → ${LAYERS[b]?.name})`);
      }
    }
  }
  return out;
}
