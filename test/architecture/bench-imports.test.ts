/**
 * The benches run under plain node (`npm run bench`, bench/compare.sh), not under vitest: nothing they
 * import, directly or through test/helpers, may import 'vitest' — its hooks throw at load outside a test
 * run ("Vitest failed to access its internal state"), and the bench stops before it measures anything.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ImportGraph, importGraph } from '../helpers/imports.ts';
import { REPO_ROOT } from '../helpers/paths.ts';

/** Every file reachable from `roots` in `graph` (the roots included). */
function reachable(graph: ImportGraph, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f) ?? []));
  }
  return [...seen].sort();
}

async function importsVitest(file: string): Promise<boolean> {
  const text = await readFile(join(REPO_ROOT, file), 'utf8');
  return ts.preProcessFile(text, true, true).importedFiles.some((f) => f.fileName === 'vitest');
}

/** Every file the benches reach (bench/ and what it imports), computed once. */
let benchFiles: string[];

beforeAll(async () => {
  const graph = await importGraph(['bench', 'test/helpers', 'node', 'protocol', 'cli']);
  benchFiles = reachable(
    graph,
    [...graph.keys()].filter((f) => f.startsWith('bench/')),
  );
});

describe('what the benches import', () => {
  it('reaches the test helpers they share with the tests', () => {
    expect(benchFiles).toContain('test/helpers/federation.ts');
    expect(benchFiles).toContain('test/helpers/daemon.ts');
  });

  it('never imports vitest', async () => {
    const bad: string[] = [];
    for (const f of benchFiles) if (await importsVitest(f)) bad.push(f);
    expect(bad).toEqual([]);
  });

  it('would name a helper that does (the check itself)', async () => {
    const g: ImportGraph = new Map([
      ['bench/x.bench.ts', ['test/helpers/formed-three.ts']],
      ['test/helpers/formed-three.ts', ['test/helpers/federation.ts']],
      ['test/helpers/federation.ts', []],
    ]);
    const files = reachable(g, ['bench/x.bench.ts']);
    expect(files).toEqual(['bench/x.bench.ts', 'test/helpers/federation.ts', 'test/helpers/formed-three.ts']);
    expect(await importsVitest('test/helpers/formed-three.ts')).toBe(true);
    expect(await importsVitest('test/helpers/federation.ts')).toBe(false);
  });
});
