import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FederationState, FederationStore } from '../../../node/federation/store.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const state: FederationState = {
  version: 1,
  federationId: 'a'.repeat(64),
  charters: [{ payloadType: 't', payload: 'AA==', signatures: [] }],
  proposals: [],
  addresses: { p: ['/ip4/127.0.0.1/tcp/1/p2p/p'] },
};

describe('FederationStore', () => {
  describe('when nothing was saved', () => {
    it('loads undefined (no federation)', async () => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-fed-'));
      expect(await new FederationStore(dir).load()).toBeUndefined();
    });
  });

  describe('when a state was saved', () => {
    it('loads it back after every queued save', async () => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-fed-'));
      const store = new FederationStore(dir);
      void store.save({ ...state, addresses: {} });
      await store.save(state);
      await store.flush();
      expect(await new FederationStore(dir).load()).toEqual(state);
    });
  });

  describe('when the file is not a federation state', () => {
    it('throws ERR_INVALID_CONFIG', async () => {
      dir = await mkdtemp(join(tmpdir(), 'govfed-fed-'));
      await mkdir(join(dir, 'federation'));
      await writeFile(join(dir, 'federation', 'state.json'), '{"version":2}');
      await expect(new FederationStore(dir).load()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
      await writeFile(join(dir, 'federation', 'state.json'), '{');
      await expect(new FederationStore(dir).load()).rejects.toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    });
  });
});
