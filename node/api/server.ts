import type { FastifyInstance } from 'fastify';
import { NodeError } from '../errors.ts';
import { formatApiAddress, parseApiAddress } from '../home/config.ts';
import type { LoadedHome } from '../home/load.ts';
import type { Startable } from '../lifecycle.ts';

/**
 * The HTTP API as a component: start() builds the app and listens on config.api; stop() stops
 * accepting, lets in-flight requests finish (each waits for its entries to be durable; new requests on
 * kept-alive connections get 503 ERR_SHUTTING_DOWN), and closes keep-alive connections as they fall
 * idle (Node's server.close() only closes the ones idle at the moment it is called, and a client's
 * keep-alive connection would otherwise hold shutdown until its timeout).
 */
export class ApiServer implements Startable {
  readonly #home: LoadedHome;
  readonly #build: () => Promise<FastifyInstance>;
  #app: FastifyInstance | undefined;
  /** HOST:PORT once listening. */
  address: string | undefined;

  constructor(home: LoadedHome, build: () => Promise<FastifyInstance>) {
    this.#home = home;
    this.#build = build;
  }

  async start(): Promise<void> {
    const app = await this.#build();
    this.#app = app;
    const { api } = this.#home.config;
    const { host, port } = parseApiAddress(api);
    try {
      await app.listen({ host, port });
    } catch (cause) {
      const inUse = (cause as NodeJS.ErrnoException).code === 'EADDRINUSE';
      const what = inUse
        ? 'is already in use (another program listens there)'
        : `cannot be listened on: ${(cause as Error).message}`;
      throw new NodeError(
        'ERR_INVALID_CONFIG',
        `the API address ${api} ${what}; choose another with govfed start --api HOST:PORT, or set "api" in ${this.#home.paths.config}`,
        { cause },
      );
    }
    const addr = app.server.address();
    const actual = addr !== null && typeof addr === 'object' ? { host: addr.address, port: addr.port } : { host, port };
    this.address = formatApiAddress(actual);
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    this.address = undefined;
    if (app === undefined) return;
    const timer = setInterval(() => app.server.closeIdleConnections(), 25);
    try {
      await app.close();
    } finally {
      clearInterval(timer);
    }
  }
}
