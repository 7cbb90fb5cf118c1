/**
 * `govfed decisions list` and `govfed decisions export` against a real daemon (issue 12, "Decisions, for
 * people"): the search through the CLI, paging, the export verified by `govfed verify`, tampering caught,
 * bad input as usage errors, and the search index rebuilt by a restart after it was deleted or fell behind.
 */

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionItem } from '../../../cli/commands/decisions-list.ts';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';
import { postDecisions } from '../../helpers/records.ts';

let node: TestNode;
let daemon: DaemonProcess;
let other: TestNode;

const LOCAL_RULES = {
  rules: [
    {
      id: 'no-risky',
      hook: 'decision',
      effect: 'deny',
      expression: "decision.model == 'risky'",
      message: 'the risky model may not decide',
    },
  ],
};

/** `n` decisions of `model`, one a minute from `start`. */
function records(n: number, model: string, prefix: string, start = Date.parse('2026-03-01T00:00:00Z')) {
  return Array.from({ length: n }, (_, i) => ({
    model,
    decisionId: `${prefix}-${i}`,
    timestamp: new Date(start + i * 60_000).toISOString(),
    output: i % 2 === 0 ? 'approve' : { score: i },
  }));
}

type Item = DecisionItem;

const cli = (...args: string[]) => runCli([...args, '--home', node.home]);
const listJson = (...args: string[]) =>
  runCliJson<{ items: Item[]; next?: string }>(['decisions', 'list', '--home', node.home, ...args]);

beforeAll(async () => {
  node = await initNode('acme');
  other = await initNode('other');
  daemon = await DaemonProcess.start(node.home);
  const rules = path.join(node.tmp, 'local.json');
  await writeFile(rules, JSON.stringify(LOCAL_RULES));
  expect((await cli('policy', 'local', 'set', '--file', rules)).code).toBe(0);
  await postDecisions(daemon.url, node.adminToken, records(30, 'scorer', 's'));
  await postDecisions(daemon.url, node.adminToken, records(5, 'risky', 'r', Date.parse('2026-03-02T00:00:00Z')));
}, 120_000);

afterAll(async () => {
  await killAllDaemons();
  if (node !== undefined) await removeDir(node.tmp);
  if (other !== undefined) await removeDir(other.tmp);
});

describe('govfed decisions list', () => {
  it('prints a table, newest first, with the verdict and the deny rule that fired', async () => {
    const r = await cli('decisions', 'list', '--limit', '3');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^INDEX\s+TIME\s+MODEL\s+VERDICT\s+FLAGS\s+DECISION ID$/);
    expect(lines[1]).toMatch(/2026-03-02T00:04:00.000Z\s+risky\s+denied\s+local:no-risky\s+r-4$/);
    expect(lines[3]).toContain('r-2');
    expect(lines[4]).toMatch(/^more match: continue with --cursor [A-Za-z0-9_-]+$/);
  });

  it('--denied, --model, --flag and --since/--until narrow the search', async () => {
    expect((await listJson('--denied', '--limit', '100')).items.map((i) => i.decisionId)).toEqual([
      'r-4',
      'r-3',
      'r-2',
      'r-1',
      'r-0',
    ]);
    expect((await listJson('--allowed', '--limit', '100')).items).toHaveLength(30);
    expect((await listJson('--model', 'scorer', '--limit', '100')).items.every((i) => i.model === 'scorer')).toBe(true);
    expect((await listJson('--flag', 'local:no-risky')).items).toHaveLength(5);
    const window = await listJson('--since', '2026-03-01T00:10:00Z', '--until', '2026-03-01T00:13:00Z');
    expect(window.items.map((i) => i.decisionId)).toEqual(['s-12', 's-11', 's-10']);
    expect((await listJson('--since', '1d')).items).toEqual([]);
  });

  it('--json prints the API document with next; --cursor continues where it stopped', async () => {
    const first = await listJson('--limit', '20');
    expect(first.items).toHaveLength(20);
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
    const rest = await listJson('--limit', '100', '--cursor', first.next as string);
    expect(rest.next).toBeUndefined();
    const all = [...first.items, ...rest.items];
    expect(all).toHaveLength(35);
    expect(new Set(all.map((i) => i.index)).size).toBe(35);
    const times = all.map((i) => i.time);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('bad input is a usage error (exit 2), from the CLI or the node', async () => {
    const cases: string[][] = [
      ['--limit', '0'],
      ['--limit', '100001'],
      ['--since', 'yesterday'],
      ['--since', '2026-03-02T00:00:00Z', '--until', '2026-03-01T00:00:00Z'],
      ['--flag', 'Not A Rule'],
      ['--denied', '--allowed'],
      ['--cursor', 'a+b'],
      ['--colour', 'red'],
    ];
    for (const c of cases) {
      const r = await cli('decisions', 'list', ...c);
      expect({ c, code: r.code }).toEqual({ c, code: 2 });
    }
    const bad = await cli('decisions', 'list', '--cursor', 'bm90LWEtY3Vyc29y', '--json');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, code: 'ERR_INVALID_CURSOR' });
  });

  it('has --help, and the group lists both commands', async () => {
    const help = await runCli(['decisions', 'list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--denied');
    const group = await runCli(['decisions']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('decisions export');
  });
});

describe('govfed decisions export', () => {
  let file = '';

  beforeAll(async () => {
    file = path.join(node.tmp, 'denied.jsonl');
  });

  it('writes the matching records with proofs against one checkpoint; govfed verify --key accepts it', async () => {
    const r = await runCliJson<{ count: number; treeSize: number; verifierKey: string }>([
      'decisions',
      'export',
      '--home',
      node.home,
      '--since',
      '2026-01-01T00:00:00Z',
      '--denied',
      '--out',
      file,
    ]);
    expect(r.count).toBe(5);
    expect(r.verifierKey).toBe(node.init.verifierKey);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ format: 'govfed-decision-export/v1', count: 5 });
    expect(JSON.parse(lines[1] as string).record).toMatchObject({ model: 'risky', decisionId: 'r-4' });
    const v = await runCliJson<{ ok: boolean; count: number; keyPinned: boolean; treeSize: number }>([
      'verify',
      file,
      '--key',
      node.init.verifierKey,
    ]);
    expect(v).toMatchObject({ ok: true, count: 5, keyPinned: true, treeSize: r.treeSize });
    const text = await runCli(['verify', file, '--key', node.init.verifierKey]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('OK: 5 decision records are included');
  });

  it('works with an auditor token (the latest checkpoint, no signing); an ingest token is refused', async () => {
    await postDecisions(daemon.url, node.adminToken, records(1, 'risky', 'late', Date.parse('2026-03-03T00:00:00Z')));
    await new Promise((r) => setTimeout(r, 1500)); // the periodic checkpoint (1 s) covers it
    const auditor = (await cli('token', 'create', '--role', 'auditor')).stdout.trim();
    const ingest = (await cli('token', 'create', '--role', 'ingest')).stdout.trim();
    const f = path.join(node.tmp, 'auditor.jsonl');
    const args = ['decisions', 'export', '--api', daemon.api, '--since', '2026-03-02T00:00:00Z', '--model', 'risky'];
    const r = await runCliJson<{ count: number }>([...args, '--token', auditor, '--out', f]);
    expect(r.count).toBe(6);
    expect((await runCli(['verify', f, '--key', node.init.verifierKey])).code).toBe(0);
    const refused = await runCli([...args, '--token', ingest, '--out', f, '--json']);
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, code: 'ERR_FORBIDDEN' });
  });

  it('govfed verify fails (exit 1) with a clear code for a tampered record, a wrong proof, another key', async () => {
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const tamper = async (name: string, edit: (ls: string[]) => void) => {
      const ls = [...lines];
      edit(ls);
      const f = path.join(node.tmp, name);
      await writeFile(f, `${ls.join('\n')}\n`);
      return f;
    };
    const record = await tamper('record.jsonl', (ls) => {
      const l = JSON.parse(ls[2] as string);
      l.record.output = 'approve';
      ls[2] = JSON.stringify(l);
    });
    const proof = await tamper('proof.jsonl', (ls) => {
      const l = JSON.parse(ls[2] as string);
      l.proof[0] = Buffer.alloc(32, 7).toString('base64');
      ls[2] = JSON.stringify(l);
    });
    const cut = await tamper('cut.jsonl', (ls) => {
      ls.pop();
    });
    for (const [f, key, code] of [
      [record, node.init.verifierKey, 'ERR_RECORD_MISMATCH'],
      [proof, node.init.verifierKey, 'ERR_ROOT_MISMATCH'],
      [cut, node.init.verifierKey, 'ERR_MALFORMED_EXPORT'],
      [file, other.init.verifierKey, 'ERR_UNKNOWN_KEY'],
    ] as const) {
      const r = await runCli(['verify', f, '--key', key, '--json']);
      expect({ f, code: r.code }).toEqual({ f, code: 1 });
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code } });
    }
  });

  it('bad input is a usage error (exit 2): no --since, no --out, since after until, unknown flag', async () => {
    for (const c of [
      ['--out', file],
      ['--since', '7d'],
      ['--since', '1d', '--until', '2d', '--out', file],
      ['--since', '7d', '--out', file, '--limit', '5'],
    ]) {
      const r = await cli('decisions', 'export', ...c);
      expect({ c, code: r.code }).toEqual({ c, code: 2 });
    }
    const help = await runCli(['decisions', 'export', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('100,000');
  });
});

describe('the search index after a restart', () => {
  /** Stops the daemon, edits its LevelDB, starts it again. */
  async function withStore(edit: (db: Level<string, Uint8Array>) => Promise<void>): Promise<void> {
    await daemon.stop();
    const db = new Level<string, Uint8Array>(path.join(node.home, 'data'), {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
    });
    await db.open();
    try {
      await edit(db);
    } finally {
      await db.close();
    }
    daemon = await DaemonProcess.start(node.home);
  }

  const allIds = async () => (await listJson('--limit', '1000')).items.map((i) => i.decisionId).sort();

  it('is rebuilt from the log when it was deleted', async () => {
    const before = await allIds();
    expect(before).toHaveLength(36);
    await withStore(async (db) => {
      const keys = await db.keys({ gte: 's/', lt: 's/~' }).all();
      expect(keys.length).toBeGreaterThan(36);
      await db.batch([...keys.map((key) => ({ type: 'del' as const, key })), { type: 'del', key: 'm/lookup' }]);
    });
    expect(await allIds()).toEqual(before);
    expect((await listJson('--denied')).items).toHaveLength(6);
  }, 120_000);

  it('is rebuilt when it is behind the log (the newest entries’ keys missing)', async () => {
    const before = await allIds();
    await withStore(async (db) => {
      const keys = (await db.keys({ gte: 's/', lt: 's/~' }).all()).filter((k) => k.includes('/2026-03-02T'));
      expect(keys.length).toBeGreaterThan(0);
      await db.batch(keys.map((key) => ({ type: 'del' as const, key })));
    });
    expect(await allIds()).toEqual(before);
    expect((await listJson('--model', 'risky')).items).toHaveLength(6);
    const fsck = await runCliJson<{ ok: boolean }>(['audit', 'fsck', '--home', node.home]);
    expect(fsck.ok).toBe(true);
  }, 120_000);
});
