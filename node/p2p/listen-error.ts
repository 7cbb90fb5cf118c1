/**
 * A libp2p listen failure, as an operator can act on it: libp2p reports "Some configured addresses failed
 * to be listened on … EADDRINUSE" (UnsupportedListenAddressesError); the node says which of its addresses
 * (config.json `listen`, set by `govfed init --listen`) is taken and what to change.
 */
import { NodeError } from '../errors.ts';

/** `err` (from createLibp2p/start) as ERR_INVALID_CONFIG naming `listen`, or `err` itself when unrelated. */
export function listenError(err: unknown, listen: readonly string[]): unknown {
  const e = err as { name?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : '';
  const listenFailed = e?.name === 'UnsupportedListenAddressesError' || /EADDRINUSE|EADDRNOTAVAIL|EACCES/.test(message);
  if (!listenFailed) return err;
  const why = /EADDRINUSE/.test(message)
    ? 'is already in use (another program listens there)'
    : /EADDRNOTAVAIL/.test(message)
      ? 'is not an address of this machine'
      : 'cannot be listened on';
  return new NodeError(
    'ERR_INVALID_CONFIG',
    `the federation (libp2p) listen address ${listen.join(', ')} ${why}; choose another with govfed init --listen MULTIADDR, or set "listen" in DIR/config.json`,
    { cause: err },
  );
}
