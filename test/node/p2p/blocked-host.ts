/**
 * A child process for listen-backlog.test.ts: a real Host on 127.0.0.1 that prints `port N`, then, on a
 * line from stdin, blocks its event loop for 4 s (a node whose turns take seconds) and exits.
 */
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { MemberGate } from '../../../node/p2p/gate.ts';
import { Host } from '../../../node/p2p/host.ts';

const host = await Host.start({
  peerKey: privateKeyToProtobuf(await generateKeyPair('Ed25519')),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  federationId: 'ab'.repeat(32),
  gate: new MemberGate({ isMember: () => true }),
});
process.stdout.write(`port ${(host.addresses()[0] as string).split('/')[4]}\n`);
process.stdin.once('data', () => {
  const end = Date.now() + 4000;
  while (Date.now() < end) {}
  process.exit(0);
});
