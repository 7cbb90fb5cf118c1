/**
 * GapPacer: runs a job at once when the last run is at least `gapMs` old, else once at last + gapMs —
 * however often it is asked meanwhile (the job then does what is current at its time). A clock set back
 * holds a run up by one gap at most. stop() drops a run that waits. `gapMs` may be a function, read at
 * each request (a gap that grows with the federation).
 */
export class GapPacer {
  readonly #gapMs: () => number;
  readonly #now: () => number;
  readonly #job: () => void;
  #lastAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(gapMs: number | (() => number), now: () => number, job: () => void) {
    this.#gapMs = typeof gapMs === 'number' ? () => gapMs : gapMs;
    this.#now = now;
    this.#job = job;
  }

  request(): void {
    if (this.#timer !== undefined) return; // one is due
    const gap = this.#gapMs();
    const wait = Math.min(this.#lastAt + gap - this.#now(), gap);
    if (wait <= 0) {
      this.#run();
      return;
    }
    this.#timer = setTimeout(() => this.#run(), wait);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #run(): void {
    this.#timer = undefined;
    this.#lastAt = this.#now();
    this.#job();
  }
}
