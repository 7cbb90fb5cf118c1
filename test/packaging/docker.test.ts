/**
 * The container files, read as files (no Docker engine runs on the development or CI machines): the image
 * holds every folder the CLI reads at run time and every script the compose files run; both compose files
 * (docker-compose.yml, the HA variant docker-compose.ha.yml) parse, publish the plain-HTTP API on the
 * host's loopback only, and run only govfed command lines the CLI's own parser takes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { govfedLines, parseGovfed } from '../helpers/govfed-lines.ts';
import { repoPath } from '../helpers/paths.ts';

const execFileAsync = promisify(execFile);

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

/** A compose file as Compose reads it (anchors and merge keys resolved). */
async function compose(
  file: string,
): Promise<{ services: Record<string, Service>; volumes?: Record<string, unknown> }> {
  return parse(await readFile(repoPath(file), 'utf8'), { merge: true });
}

interface Service {
  command?: string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** Every govfed command line a compose file runs: in its commands and in the scripts they start. */
async function govfedCommands(file: string): Promise<{ lines: string[][]; scripts: string[] }> {
  const lines: string[][] = [];
  const scripts: string[] = [];
  for (const service of Object.values((await compose(file)).services)) {
    const cmd = service.command ?? [];
    const cli = cmd.findIndex((w) => w.endsWith('/cli/govfed.ts'));
    if (cli >= 0) lines.push(cmd.slice(cli + 1));
    for (const w of cmd) {
      const script = /^\/opt\/govfed\/(scripts\/[\w.-]+\.sh)$/.exec(w)?.[1];
      if (script === undefined) continue;
      scripts.push(script);
      lines.push(...govfedLines(await readFile(repoPath(script), 'utf8')));
    }
  }
  return { lines, scripts };
}

for (const file of ['docker-compose.yml', 'docker-compose.ha.yml']) {
  describe(file, () => {
    describe('when it publishes ports', () => {
      it('binds every one to 127.0.0.1 on the host', async () => {
        const ports = Object.values((await compose(file)).services).flatMap((s) => s.ports ?? []);
        expect(ports.length).toBeGreaterThan(0);
        for (const p of ports) expect(p).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      });
    });
    describe('when it runs govfed', () => {
      it('runs only command lines the CLI takes, from scripts the image holds', async () => {
        const { lines, scripts } = await govfedCommands(file);
        expect(lines.length).toBeGreaterThan(1);
        for (const argv of lines) expect(() => parseGovfed(argv), argv.join(' ')).not.toThrow();
        const dockerfile = await readFile(repoPath('Dockerfile'), 'utf8');
        for (const s of scripts) expect(dockerfile).toContain(`COPY ${s} ./${s}`);
      });
    });
  });
}

describe('docker-compose.ha.yml', () => {
  it('runs PostgreSQL and two govfed processes of one org, made by init --shared and ha add-process', async () => {
    const { services, volumes } = await compose('docker-compose.ha.yml');
    const names = Object.keys(services);
    const processes = names.filter((n) => services[n]?.command?.join(' ').includes('cli/govfed.ts start --home'));
    expect(processes).toHaveLength(2);
    const pg = services.postgres;
    expect(pg?.healthcheck?.test.join(' ')).toContain('pg_isready');
    // each process: its own home volume, a healthcheck, started after the database is healthy and the homes made
    const homes = processes.map((n) => services[n]?.volumes?.[0]?.split(':')[0]);
    expect(new Set(homes).size).toBe(2);
    for (const h of homes) expect(Object.keys(volumes ?? {})).toContain(h);
    for (const n of processes) {
      const s = services[n] as Service;
      expect(s.healthcheck?.test.join(' '), n).toContain('/readyz');
      expect(s.depends_on?.postgres?.condition, n).toBe('service_healthy');
      for (const dep of Object.keys(s.depends_on ?? {})) expect(names).toContain(dep);
    }
    const made = (await govfedCommands('docker-compose.ha.yml')).lines.map((argv) => ({
      name: parseGovfed(argv),
      argv,
    }));
    const init = made.find((c) => c.name === 'init');
    expect(init?.argv).toEqual(expect.arrayContaining(['--store', '--shared']));
    const add = made.find((c) => c.name === 'ha add-process');
    expect(add?.argv).toEqual(expect.arrayContaining(['--from', '--home']));
  });
});

describe('scripts/docker-ha-init.sh', () => {
  it('makes both homes of the org on real files (no database needed), and a second run changes nothing', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'govfed-ha-init-'));
    try {
      const env = {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ORG: 'acme',
        JURISDICTION: 'DE',
        PG_URL: 'postgres://govfed:pw@postgres:5432/govfed',
        HOME_A: join(tmp, 'a', 'home'),
        HOME_B: join(tmp, 'b', 'home'),
      };
      const run = () => execFileAsync('sh', [repoPath('scripts', 'docker-ha-init.sh')], { env });
      await run();
      const a = JSON.parse(await readFile(join(env.HOME_A, 'config.json'), 'utf8'));
      const b = JSON.parse(await readFile(join(env.HOME_B, 'config.json'), 'utf8'));
      expect(b).toEqual(a);
      expect(a.store).toEqual({ driver: 'postgres', url: 'postgres://govfed@postgres:5432/govfed', shared: true });
      expect(await readFile(join(env.HOME_B, 'keys', 'store.password'), 'utf8')).toBe('pw\n');
      const before = await readFile(join(env.HOME_B, 'config.json'), 'utf8');
      await run();
      expect(await readFile(join(env.HOME_B, 'config.json'), 'utf8')).toBe(before);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
