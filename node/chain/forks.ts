/**
 * ForkBook: fork evidence of one replicated chain — complete, validly signed rivals of versions the
 * chain holds (equivocation by members), each kept once, the newest `max` of them (each is a whole
 * proof; more adds nothing but memory), persisted with the chain's state.
 */
import type { Envelope } from '../../protocol/federation/index.ts';
import type { ReplicatedObject } from './object.ts';

/** One fork seen for the first time. */
export interface NewFork {
  version: number;
  digest: string;
}

export class ForkBook<O> {
  readonly #object: ReplicatedObject<O>;
  #forks: Envelope[] = [];

  constructor(object: ReplicatedObject<O>) {
    this.#object = object;
  }

  list(): readonly Envelope[] {
    return this.#forks;
  }

  restore(forks: readonly Envelope[]): void {
    this.#forks = [...forks];
  }

  /** Keeps `env` (a rival the chain refused as a fork); its version and digest when new, else undefined. */
  add(env: Envelope): NewFork | undefined {
    const o = this.#object;
    const object = o.decode(env);
    const digest = o.digestOf(object);
    if (this.#forks.some((f) => o.digestOf(o.decode(f)) === digest)) return undefined;
    this.#forks = [...this.#forks, env].slice(-o.maxForks);
    return { version: o.versionOf(object), digest };
  }
}
