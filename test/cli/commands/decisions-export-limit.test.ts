/**
 * `govfed decisions export` past its limit, against a real daemon with more than MAX_EXPORT_RECORDS
 * (100,000) matching decisions: ERR_EXPORT_TOO_LARGE (exit 2), nothing written — no export file and no
 * temporary file beside it — and the same export narrowed with --until works.
 */

import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPORT_RECORDS } from '../../../protocol/audit/export.ts';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { DaemonProcess, initNode, killAllDaemons, type TestNode } from '../../helpers/daemon.ts';
import { postDecisions } from '../../helpers/records.ts';

const START = Date.parse('2026-03-01T00:00:00Z');
const BATCH = 1000;
const TOTAL = MAX_EXPORT_RECORDS + 1;

let node: TestNode;
let daemon: DaemonProcess;

beforeAll(async () => {
  node = await initNode('acme');
  daemon = await DaemonProcess.start(node.home);
  // One decision a second from START: decision i at START + i s.
  for (let from = 0; from < TOTAL; from += BATCH) {
    const n = Math.min(BATCH, TOTAL - from);
    const batch = Array.from({ length: n }, (_, k) => ({
      model: 'scorer',
      decisionId: `d-${from + k}`,
      timestamp: new Date(START + (from + k) * 1000).toISOString(),
      output: 'approve',
    }));
    await postDecisions(daemon.url, node.adminToken, batch);
  }
}, 300_000);

afterAll(async () => {
  await killAllDaemons();
  await removeDir(node.tmp);
});

describe('govfed decisions export past its limit', () => {
  it(`refuses more than ${MAX_EXPORT_RECORDS} matching decisions (ERR_EXPORT_TOO_LARGE, exit 2) and writes nothing`, async () => {
    const out = path.join(node.tmp, 'all.jsonl');
    const r = await runCli(
      ['decisions', 'export', '--home', node.home, '--since', new Date(START).toISOString(), '--out', out],
      { timeoutMs: 240_000 },
    ); // it pages through 100,001 decisions with their proofs before it refuses
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_EXPORT_TOO_LARGE');
    expect(r.stderr).toContain('narrow the search with --since/--until');
    const left = (await readdir(node.tmp)).filter((f) => f.startsWith('all.jsonl'));
    expect(left).toEqual([]);
  }, 300_000);

  it('exports the same search narrowed with --until', async () => {
    const out = path.join(node.tmp, 'first.jsonl');
    const until = new Date(START + 10 * 1000).toISOString(); // decisions 0..9 (--until is exclusive)
    const r = await runCliJson<{ count: number; verifierKey: string }>([
      'decisions',
      'export',
      '--home',
      node.home,
      '--since',
      new Date(START).toISOString(),
      '--until',
      until,
      '--out',
      out,
    ]);
    expect(r.count).toBe(10);
    expect((await runCli(['verify', out, '--key', r.verifierKey])).code).toBe(0);
  }, 120_000);
});
