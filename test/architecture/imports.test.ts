/**
 * The folder layout is the layering: protocol/ at the bottom (pure), node/'s base (errors, events,
 * lifecycle), its infrastructure (home, crypto, log, p2p), its services (federation, policy, witness, …),
 * the HTTP API on top of them, the daemon wiring it all, the CLI on top. Nothing imports up, and there is
 * no import cycle in node/ or protocol/ (type-only imports count: they tie modules together just as much).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ImportGraph, importCycles, importGraph, LAYERS, layerOf, upwardImports } from '../helpers/imports.ts';

let graph: ImportGraph;

beforeAll(async () => {
  graph = await importGraph(['protocol', 'node', 'cli']);
});

describe('the import graph', () => {
  it('is read from the sources (imports, type imports, re-exports)', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('node/daemon.ts')).toContain('node/api/app.ts');
    expect(graph.get('protocol/note/index.ts')).toContain('protocol/note/verifier.ts'); // export … from
  });

  it('has no cycle within node/', () => {
    expect(importCycles(graph, (f) => f.startsWith('node/'))).toEqual([]);
  });

  it('has no cycle within protocol/', () => {
    expect(importCycles(graph, (f) => f.startsWith('protocol/'))).toEqual([]);
  });

  it('places every source file in a layer', () => {
    expect([...graph.keys()].filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it('has no import back up the layers', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('keeps protocol/ free of node/ and cli/', () => {
    const bad = [...graph].flatMap(([f, deps]) =>
      f.startsWith('protocol/') ? deps.filter((d) => !d.startsWith('protocol/')).map((d) => `${f} → ${d}`) : [],
    );
    expect(bad).toEqual([]);
  });

  it('keeps the services off node/api, and node/log, p2p, home, crypto off the services and the api', () => {
    const services = ['node/federation/', 'node/policy/', 'node/witness/', 'node/monitoring/', 'node/report/'];
    const infra = ['node/log/', 'node/p2p/', 'node/home/', 'node/crypto/'];
    const bad = [...graph].flatMap(([f, deps]) => {
      const forbidden = services.some((s) => f.startsWith(s))
        ? ['node/api/']
        : infra.some((s) => f.startsWith(s))
          ? [...services, 'node/api/']
          : [];
      return deps.filter((d) => forbidden.some((p) => d.startsWith(p))).map((d) => `${f} → ${d}`);
    });
    expect(bad).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const g: ImportGraph = new Map([
    ['node/a.ts', ['node/b.ts']],
    ['node/b.ts', ['node/c.ts']],
    ['node/c.ts', ['node/a.ts', 'node/d.ts']],
    ['node/d.ts', []],
    ['node/self.ts', ['node/self.ts']],
  ]);

  it('find a cycle of three files and a self-import, and nothing else', () => {
    expect(importCycles(g)).toEqual([['node/a.ts', 'node/b.ts', 'node/c.ts'], ['node/self.ts']]);
  });

  it('find an import up the layers', () => {
    expect(LAYERS[0]?.name).toBe('protocol');
    const up: ImportGraph = new Map([
      ['node/log/x.ts', ['node/api/y.ts', 'protocol/z.ts']],
      ['node/api/y.ts', ['node/log/x.ts']],
    ]);
    expect(upwardImports(up)).toEqual(['node/log/x.ts → node/api/y.ts (node infrastructure → node api)']);
  });
});
