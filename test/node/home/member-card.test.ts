import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { homePaths } from '../../../node/home/config.ts';
import { initHome } from '../../../node/home/init.ts';
import { cardAddresses, writeMemberCard } from '../../../node/home/member-card.ts';
import { verifyMemberCard } from '../../../protocol/federation/member-card.ts';

const PEER = '12D3KooWRARowzzcmEe1ai4Qj9HpBHSo54WDKohf23xtBER5Ukd5';
const code = (c: string) => expect.objectContaining({ code: c });

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'govfed-card-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cardAddresses', () => {
  describe('when libp2p listens on a concrete host and port', () => {
    it('gives that address with /p2p/<peer id>', () => {
      expect(cardAddresses('/ip4/203.0.113.5/tcp/7371', PEER)).toEqual([`/ip4/203.0.113.5/tcp/7371/p2p/${PEER}`]);
      expect(cardAddresses('/dns4/eu.example.org/tcp/4001', PEER)).toEqual([
        `/dns4/eu.example.org/tcp/4001/p2p/${PEER}`,
      ]);
    });
  });
  describe('when the address cannot be dialled by others', () => {
    it('gives none (wildcard host, port 0, not TCP)', () => {
      for (const listen of [
        '/ip4/0.0.0.0/tcp/7371',
        '/ip6/::/tcp/7371',
        '/ip4/127.0.0.1/tcp/0',
        '/ip4/1.2.3.4/udp/1/quic',
      ]) {
        expect(cardAddresses(listen, PEER), listen).toEqual([]);
      }
    });
  });
});

describe('writeMemberCard', () => {
  describe('when config.json changed since init', () => {
    it('re-signs the card from the current config', async () => {
      const dir = join(root, 'us');
      await initHome({ dir, org: 'us', jurisdiction: 'US' });
      const p = homePaths(dir);
      const config = JSON.parse(await readFile(p.config, 'utf8'));
      config.jurisdiction = 'US-NY';
      const w = await writeMemberCard(dir, config);
      expect(w.path).toBe(p.memberCard);
      expect(verifyMemberCard(new Uint8Array(await readFile(p.memberCard))).jurisdiction).toBe('US-NY');
      expect(w.card.jurisdiction).toBe('US-NY');
    });
  });
  describe('when keys/peer.key is readable by others', () => {
    it('refuses with ERR_INSECURE_PERMISSIONS and signs nothing', async () => {
      const dir = join(root, 'us');
      await initHome({ dir, org: 'us' });
      await chmod(homePaths(dir).peerKey, 0o644);
      await expect(writeMemberCard(dir)).rejects.toThrow(code('ERR_INSECURE_PERMISSIONS'));
    });
  });
  describe('when DIR is not a home', () => {
    it('throws ERR_HOME_NOT_FOUND', async () => {
      await expect(writeMemberCard(join(root, 'nothing'))).rejects.toThrow(code('ERR_HOME_NOT_FOUND'));
    });
  });
});
