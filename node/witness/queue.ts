/**
 * The per-origin queue: every piece of work about one log (witnessing a checkpoint, collecting a
 * cosignature, recording an alert, an add-checkpoint request) runs after the earlier ones of that
 * origin. It is what makes "read the cosigned state, decide, store the new state" one step per origin.
 */
import { errorText } from './failures.ts';

export class OriginQueue {
  readonly #onError: (origin: string, error: string) => void;
  #tails = new Map<string, Promise<unknown>>();

  /** `onError` is told about a job that threw (the queue goes on). */
  constructor(onError: (origin: string, error: string) => void) {
    this.#onError = onError;
  }

  /** Runs `job` after every earlier job of `origin`. The promise resolves when it is done (never rejects). */
  enqueue(origin: string, job: () => Promise<unknown>): Promise<void> {
    const prev = this.#tails.get(origin) ?? Promise.resolve();
    const next = prev.then(job, job).then(
      () => {},
      (err: unknown) => this.#onError(origin, errorText(err)),
    );
    this.#tails.set(origin, next);
    void next.then(() => {
      if (this.#tails.get(origin) === next) this.#tails.delete(origin);
    });
    return next;
  }

  /** How many origins have work queued or running. */
  get busy(): number {
    return this.#tails.size;
  }

  /** Resolves when the work queued so far is done. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#tails.values()]);
  }
}
