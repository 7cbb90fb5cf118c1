/**
 * A libp2p listen address in use becomes ERR_INVALID_CONFIG naming the address and `--listen` (issue 12),
 * from the real error libp2p's TCP transport raises on a port a real server holds.
 */
import { createServer } from 'node:net';
import { tcp } from '@libp2p/tcp';
import { createLibp2p } from 'libp2p';
import { describe, expect, it } from 'vitest';
import { listenError } from '../../../node/p2p/listen-error.ts';

describe('listenError', () => {
  it('turns libp2p EADDRINUSE into ERR_INVALID_CONFIG naming the address and --listen', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const listen = [`/ip4/127.0.0.1/tcp/${port}`];
    let raised: unknown;
    try {
      const node = await createLibp2p({ addresses: { listen }, transports: [tcp()] });
      await node.stop();
    } catch (err) {
      raised = err;
    } finally {
      blocker.close();
    }
    expect(raised).toBeDefined();
    const mapped = listenError(raised, listen) as Error & { code?: string };
    expect(mapped.code).toBe('ERR_INVALID_CONFIG');
    expect(mapped.message).toContain(`${listen[0]} is already in use`);
    expect(mapped.message).toContain('--listen');
  });

  it('leaves other errors alone', () => {
    const other = new Error('something else');
    expect(listenError(other, ['/ip4/127.0.0.1/tcp/1'])).toBe(other);
  });
});
