/**
 * `govfed init` (memberCard) and `govfed member card` as a user runs them: the real CLI on a real home.
 * The card follows `config set`; it is printed, written with --out, and described by --json.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMemberCard } from '../../../protocol/federation/member-card.ts';
import { removeDir, runCli, runCliJson } from '../../helpers/cli.ts';
import { initNode, type TestNode } from '../../helpers/daemon.ts';

let node: TestNode;

beforeAll(async () => {
  node = await initNode('us', ['--jurisdiction', 'US', '--listen', '/ip4/192.0.2.1/tcp/7371']);
}, 60_000);

afterAll(async () => {
  if (node !== undefined) await removeDir(node.tmp);
});

describe('govfed init', () => {
  it('reports the member card path as memberCard, and the file verifies', async () => {
    expect(node.init.memberCard).toBe(path.join(node.home, 'member-card.json'));
    const card = verifyMemberCard(new Uint8Array(await readFile(node.init.memberCard)));
    expect(card).toMatchObject({ org: 'us', jurisdiction: 'US', peerId: node.init.peerId });
    expect(card.addresses).toEqual([`/ip4/192.0.2.1/tcp/7371/p2p/${node.init.peerId}`]);
  });
});

describe('govfed member card', () => {
  describe('when asked for --help', () => {
    it('explains the card, --out and --json', async () => {
      const r = await runCli(['member', 'card', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: govfed member card --home DIR [--out FILE] [--json]');
      expect(r.stdout).toContain('federation invite --card');
    });
  });
  describe('without --out', () => {
    it('prints the card file, which verifies', async () => {
      const r = await runCli(['member', 'card', '--home', node.home]);
      expect(r.code, r.stderr).toBe(0);
      expect(verifyMemberCard(new TextEncoder().encode(r.stdout)).peerId).toBe(node.init.peerId);
    });
  });
  describe('with --out and --json', () => {
    it('writes the card there and describes it; the card follows config set', async () => {
      const set = await runCli(['config', 'set', '--home', node.home, 'jurisdiction', 'US-CA']);
      expect(set.code, set.stderr).toBe(0);
      const out = path.join(node.tmp, 'us.card.json');
      const r = await runCliJson<{ memberCard: string; out: string; card: Record<string, unknown> }>([
        'member',
        'card',
        '--home',
        node.home,
        '--out',
        out,
      ]);
      expect(r).toMatchObject({ memberCard: node.init.memberCard, out, card: { org: 'us', jurisdiction: 'US-CA' } });
      expect(verifyMemberCard(new Uint8Array(await readFile(out))).jurisdiction).toBe('US-CA');
      expect(verifyMemberCard(new Uint8Array(await readFile(node.init.memberCard))).jurisdiction).toBe('US-CA');
    });
  });
  describe('when --home is not a node home', () => {
    it('fails with ERR_HOME_NOT_FOUND (exit 4)', async () => {
      const r = await runCli(['member', 'card', '--home', path.join(node.tmp, 'none'), '--json']);
      expect(r.code).toBe(4);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'ERR_HOME_NOT_FOUND' });
    });
  });
});
