import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyPolicyState, type PolicyState, PolicyStore } from '../../../node/policy/store.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const env = { payloadType: 'application/vnd.govfed.policy+json', payload: 'e30=', signatures: [] };
const state: PolicyState = {
  ...emptyPolicyState(),
  federationId: 'a'.repeat(64),
  bundles: [env],
  pending: [{ envelope: env, expiresAt: '2030-01-01T00:00:00Z' }],
  local: { type: 'govfed.policy-local/v1', version: 1, updatedAt: '2025-01-01T00:00:00Z', rules: [] },
  receipts: [env],
  forks: [env],
};

describe('PolicyStore', () => {
  describe('when nothing was saved', () => {
    it('loads undefined', async () => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-policy-'));
      expect(await new PolicyStore(dir).load()).toBeUndefined();
    });
  });

  describe('when states were saved', () => {
    it('loads the last one back, from a 0600 file', async () => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-policy-'));
      const store = new PolicyStore(dir);
      void store.save(emptyPolicyState());
      await store.save(state);
      await store.flush();
      expect(await new PolicyStore(dir).load()).toEqual(state);
      expect((await stat(store.where)).mode & 0o777).toBe(0o600);
    });
  });

  describe('when the file is not a policy state', () => {
    it.each([
      ['invalid JSON', '{'],
      ['another version', JSON.stringify({ ...state, version: 2 })],
      ['a missing list', JSON.stringify({ ...state, receipts: undefined })],
      ['a bad federation id', JSON.stringify({ ...state, federationId: 7 })],
      ['no local field', JSON.stringify({ ...state, local: undefined })],
    ])('throws ERR_INVALID_CONFIG for %s', async (_what, text) => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-policy-'));
      await mkdir(join(dir, 'policy'));
      await writeFile(join(dir, 'policy', 'state.json'), text);
      await expect(new PolicyStore(dir).load()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    });
  });
});
