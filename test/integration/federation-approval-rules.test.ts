/**
 * `govfed federation set-approval-rule` with real daemons, the real CLI and real libp2p on 127.0.0.1
 * (node/federation/changes.ts setApprovalRule, protocol/federation/approval-rules.ts): the rule is a
 * charter change every member takes; a rule that could never be met is refused before anything is
 * proposed; at charter threshold 2 it waits for a co-signature; --clear removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir } from '../helpers/cli.ts';
import { killAllDaemons } from '../helpers/daemon.ts';
import {
  type FedNode,
  type FedStatus,
  fedCli,
  fedCliRaw,
  fedStatus,
  formFederation,
  startFedNode,
  waitForVersion,
} from '../helpers/federation.ts';

type Rules = Record<string, { roles: string[]; orgs: number }>;
type Status = FedStatus & { approvals?: Rules; proposals: { id: string }[] };

let a: FedNode;
let b: FedNode;

beforeAll(async () => {
  [a, b] = await Promise.all([startFedNode('a', 'DE'), startFedNode('b', 'FR')]);
  await formFederation([a, b]);
}, 120_000);

afterAll(async () => {
  await killAllDaemons();
  await Promise.all([a, b].map((n) => removeDir(n.tmp)));
});

const status = async (n: FedNode) => (await fedStatus(n)) as Status;

describe('federation set-approval-rule', () => {
  describe('when a sets the rule of tier high at charter threshold 1', () => {
    it('every member holds it in its charter', async () => {
      const v = (await status(a)).charterVersion as number;
      expect((await status(a)).approvals).toEqual({});
      await fedCli(a, [
        'set-approval-rule',
        '--tier',
        'high',
        '--roles',
        'risk_officer,legal',
        '--orgs',
        '2',
        '--json',
      ]);
      await waitForVersion([a, b], v + 1, 30_000);
      for (const n of [a, b])
        expect((await status(n)).approvals).toEqual({ high: { roles: ['risk_officer', 'legal'], orgs: 2 } });
      const text = await fedCliRaw(a, ['status']);
      expect(text.code).toBe(0);
    }, 60_000);
  });

  describe('when a rule could never be met, or is malformed', () => {
    it('is refused (exit 2) and nothing is proposed', async () => {
      const v = (await status(a)).charterVersion;
      const tooMany = await fedCliRaw(a, [
        'set-approval-rule',
        '--tier',
        'medium',
        '--roles',
        'legal,security,auditor',
        '--orgs',
        '3',
      ]);
      expect(tooMany.code).toBe(2);
      expect(JSON.parse(tooMany.stdout)).toMatchObject({ ok: false, code: 'ERR_INVALID_APPROVAL_RULE' });
      expect(JSON.parse(tooMany.stdout).message).toContain('2 members');
      const role = await fedCliRaw(a, ['set-approval-rule', '--tier', 'medium', '--roles', 'ceo']);
      expect(JSON.parse(role.stdout)).toMatchObject({ code: 'ERR_INVALID_APPROVAL_RULE' });
      expect(JSON.parse(role.stdout).message).toContain('risk_officer');
      for (const args of [
        ['--tier', 'extreme', '--roles', 'legal'],
        ['--tier', 'high'],
        ['--roles', 'legal'],
        ['--tier', 'high', '--roles', 'legal,'],
        ['--tier', 'high', '--clear', '--roles', 'legal'],
        ['--tier', 'high', '--roles', 'legal', '--orgs', '2'],
        ['--tier', 'high', '--roles', 'Legal'],
      ]) {
        const r = await fedCliRaw(a, ['set-approval-rule', ...args]);
        expect(r.code, args.join(' ')).toBe(2);
      }
      expect((await status(a)).charterVersion).toBe(v);
      expect((await status(a)).proposals).toEqual([]);
    }, 60_000);
  });

  describe('when the charter threshold is 2', () => {
    it('the rule waits for b; --clear then removes it at both', async () => {
      let v = (await status(a)).charterVersion as number;
      await fedCli(a, ['set-threshold', '--charter', '2', '--json']);
      await waitForVersion([a, b], ++v, 30_000);
      const r = await fedCli<{ proposal: { id: string } }>(a, [
        'set-approval-rule',
        '--tier',
        'low',
        '--roles',
        'model_owner',
        '--json',
      ]);
      expect((await status(a)).approvals?.low).toBeUndefined();
      await fedCli(b, ['sign', r.proposal.id, '--json']);
      await waitForVersion([a, b], ++v, 30_000);
      for (const n of [a, b]) expect((await status(n)).approvals?.low).toEqual({ roles: ['model_owner'], orgs: 1 });
      const clear = await fedCli<{ proposal: { id: string } }>(a, [
        'set-approval-rule',
        '--tier',
        'high',
        '--clear',
        '--json',
      ]);
      await fedCli(b, ['sign', clear.proposal.id, '--json']);
      await waitForVersion([a, b], ++v, 30_000);
      for (const n of [a, b]) expect((await status(n)).approvals).toEqual({ low: { roles: ['model_owner'], orgs: 1 } });
      const again = await fedCliRaw(a, ['set-approval-rule', '--tier', 'high', '--clear']);
      expect(JSON.parse(again.stdout)).toMatchObject({ code: 'ERR_INVALID_APPROVAL_RULE' });
    }, 90_000);
  });
});
