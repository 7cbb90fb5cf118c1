/**
 * The container files, read as text (no Docker engine runs on the development or CI machines): the image
 * holds every folder the CLI reads at run time, and docker-compose publishes the plain-HTTP API on the
 * host's loopback only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/paths.ts';

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('Dockerfile', () => {
  describe('when the CLI reads files of a top-level folder at run time', () => {
    it('copies that folder into the image (examples/ for govfed demo)', async () => {
      const dockerfile = await readFile(repoPath('Dockerfile'), 'utf8');
      const copied = new Set([...dockerfile.matchAll(/^COPY\s+(\S+)\s/gm)].map((m) => m[1]?.replace(/\/$/, '')));
      const needed = new Set<string>(['protocol', 'node', 'cli']);
      for (const file of [...(await sources(repoPath('cli'))), ...(await sources(repoPath('node')))]) {
        const text = await readFile(file, 'utf8');
        for (const m of text.matchAll(/new URL\('(?:\.\.\/)+(examples)\//g)) needed.add(m[1] as string);
      }
      expect(needed).toContain('examples');
      for (const folder of needed) expect(copied, `COPY ${folder}`).toContain(folder);
    });
  });
});

describe('docker-compose.yml', () => {
  describe('when it publishes ports', () => {
    it('binds every one to 127.0.0.1 on the host', async () => {
      const text = await readFile(repoPath('docker-compose.yml'), 'utf8');
      const ports = [...text.matchAll(/^\s*ports:\s*\[(.*)\]/gm)].flatMap((m) =>
        (m[1] as string).split(',').map((s) => s.trim().replace(/^"|"$/g, '')),
      );
      expect(ports.length).toBeGreaterThan(0);
      for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    });
  });
});
