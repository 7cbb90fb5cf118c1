/**
 * Lifecycles: one start/stop shape for every part of the node (js-libp2p's Startable), and the ordered
 * list the daemon starts in order and stops in reverse.
 *
 *   start(): each component's start(), in list order; then each afterStart(), in order.
 *            If a start() throws, the components started so far — and the one that threw, whose stop()
 *            must therefore be safe on a half-started component — are stopped as below, and the first
 *            error is rethrown.
 *   stop():  each beforeStop(), in reverse; each stop(), in reverse; each afterStop(), in reverse.
 *            Every step runs even when an earlier one threw; the first error is rethrown at the end.
 */

/** Something with a start and a stop (js-libp2p's Startable); the hooks are optional. */
export interface Startable {
  start(): void | Promise<void>;
  /** After every component of the list has started. */
  afterStart?(): void | Promise<void>;
  /** Before any component of the list stops. */
  beforeStop?(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** After every component of the list has stopped. */
  afterStop?(): void | Promise<void>;
}

/** A named entry of the list (the name is for errors and events). */
export interface Component {
  readonly name: string;
  readonly service: Startable;
}

/** Thrown when start() is called on a running list; never for a client's input. */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError';
}

export class Lifecycle {
  readonly #components: readonly Component[];
  /** How many components (from the front) were started, or were being started. */
  #reached = 0;
  #running = false;

  constructor(components: readonly Component[]) {
    const names = new Set<string>();
    for (const c of components) {
      if (names.has(c.name)) throw new LifecycleError(`two components named ${c.name}`);
      names.add(c.name);
    }
    this.#components = components;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The component names in start order. */
  get names(): string[] {
    return this.#components.map((c) => c.name);
  }

  async start(): Promise<void> {
    if (this.#running || this.#reached > 0) throw new LifecycleError('already started');
    try {
      for (const c of this.#components) {
        this.#reached++;
        await c.service.start();
      }
      for (const c of this.#components) await c.service.afterStart?.();
    } catch (err) {
      await this.#stopReached().catch(() => {});
      throw err;
    }
    this.#running = true;
  }

  /** Stops what was started, in reverse. Safe to call more than once (later calls do nothing). */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#stopReached();
  }

  async #stopReached(): Promise<void> {
    const started = this.#components.slice(0, this.#reached).reverse();
    this.#reached = 0;
    let first: { err: unknown } | undefined;
    const step = async (fn: (() => void | Promise<void>) | undefined) => {
      try {
        await fn?.();
      } catch (err) {
        first ??= { err };
      }
    };
    for (const c of started) await step(c.service.beforeStop?.bind(c.service));
    for (const c of started) await step(() => c.service.stop());
    for (const c of started) await step(c.service.afterStop?.bind(c.service));
    if (first !== undefined) throw first.err;
  }
}
