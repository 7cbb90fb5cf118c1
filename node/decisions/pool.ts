/**
 * IngestPool: POST /v1/decisions on every core. Worker threads (worker.ts) parse, check, evaluate and
 * seal whole requests; the main thread keeps what is state — the log (one appender), the model
 * registry, the clock and the CSPRNG — and hands each request what it needs:
 *
 *   1. record(raw body) → the least busy worker: parse + check (body.ts, sealer.check) → the distinct
 *      model references and the number of random bytes sealing takes;
 *   2. main: each reference resolved in the registry, the random bytes drawn, `now` read → the same
 *      worker: evaluate + seal (sealer.seal) → leaves and records in one transferred buffer;
 *   3. main: one append of the request's entries (contiguous and in request order, as on the
 *      single-threaded path; their leaf hashes and index keys made by the worker), resolved once
 *      durable; the answer is the worker's rendered entries with the log's indexes put in (reply.ts);
 *      what the decisions contribute to monitors (made by the worker) goes to onObserved.
 * The policy's enforced rules are copied into every worker when they change (PolicyService
 * onRulesChanged); messages to a worker are FIFO, so a request sealed after a change sees it.
 *
 * Bodies held at once (queued for a worker, being sealed or appended) are bounded by maxHeldBytes: past
 * it a request is refused with ERR_BACKPRESSURE (503 + Retry-After), as the appender refuses past its
 * pending limit — never queued without bound.
 *
 * A worker that dies fails only the requests it held (ERR_INGEST_UNAVAILABLE, 503: nothing of them was
 * appended) and is replaced. stop() fails what is in flight with ERR_SHUTTING_DOWN.
 */
import { Worker } from 'node:worker_threads';
import { GovfedError } from '../../protocol/errors.ts';
import type { ObservationRun } from '../../protocol/monitoring/observe.ts';
import type { Tally } from '../../protocol/report/counts.ts';
import { NodeError } from '../errors.ts';
import type { Appended, AppendItem } from '../log/index.ts';
import type { EnforcedRules } from '../policy/service.ts';
import type { ResolvedModel } from '../registry/model-book.ts';
import type { FromWorker, IngestWorkerData, ToWorker } from './ingest-messages.ts';
import { renderEntries } from './reply.ts';
import type { DecisionModels } from './sealer.ts';

/** The policy as the pool uses it (node/policy's PolicyService). */
export interface IngestPolicy {
  readonly enforced: EnforcedRules;
  onRulesChanged(fn: (rules: EnforcedRules) => void): void;
  countEvaluations(allowed: number, denied: number): void;
}

export interface IngestPoolOptions {
  /** Worker threads (≥ 1), started with the first request (or warm()). */
  workers: number;
  org: string;
  jurisdiction: string;
  log: { append(items: readonly AppendItem[]): Promise<Appended[]> };
  /** Absent: decisions are recorded without a verdict. */
  policy?: IngestPolicy | undefined;
  /** Absent: decisions are recorded without model facts or flags. */
  models?: DecisionModels | undefined;
  /** The kill-switch state's age as the federation vouches for it (ms); see sealer.ts SealEnv. */
  revocationAgeMs?: () => number;
  now: () => Date;
  /** A CSPRNG: n random bytes (ids and nonces). */
  random: (n: number) => Uint8Array;
  /** Called with the number of decisions recorded, once durable. */
  onRecorded?: (count: number) => void;
  /** Called, once durable, with what the decisions contribute to monitors (sealer.ts; none: not called). */
  onObserved?: (observations: ObservationRun[]) => void;
  /**
   * Called, once durable and in log order, with what the decisions add to their versions' rolling
   * counters (by model digest) and the log size after them (node/report).
   */
  onCounted?: (tallies: Record<string, Tally>, end: number) => void;
  /**
   * Most bytes of request bodies held at once (queued for, or being sealed by, the workers, or being
   * appended); a request past it is refused with ERR_BACKPRESSURE (503, Retry-After) unless it is the
   * only one. Default 64 MiB.
   */
  maxHeldBytes?: number;
}

const DEFAULT_MAX_HELD_BYTES = 64 * 1024 * 1024;

/** What POST /v1/decisions answers: the number of decisions recorded, and the answer as JSON text (reply.ts). */
export interface IngestAnswer {
  count: number;
  json: string;
}

interface Waiter {
  resolve: (m: FromWorker) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Requests this worker holds, by id: the promise of its next answer. */
  waiting: Map<number, Waiter>;
}

const WORKER_URL = new URL('./worker.ts', import.meta.url);

export class IngestPool {
  readonly #o: IngestPoolOptions;
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #stopped = false;
  #ready: Promise<void> | undefined;
  /** Bytes of the request bodies being recorded now. */
  #held = 0;

  constructor(o: IngestPoolOptions) {
    if (!Number.isInteger(o.workers) || o.workers < 1) throw new Error('IngestPool: workers must be an integer ≥ 1');
    this.#o = o;
  }

  /** Worker threads running now. */
  get workers(): number {
    return this.#slots.length;
  }

  /** The worker threads (for their event-loop utilisation; a worker that exits is replaced). */
  get threads(): readonly Worker[] {
    return this.#slots.map((s) => s.worker);
  }

  /**
   * Starts listening for rule changes. The workers themselves start with the first request (a node
   * that never ingests — most of a federation's test and bench nodes — pays neither their ~0.2 s of
   * start-up nor their memory); warm() starts them now.
   */
  start(): void {
    this.#o.policy?.onRulesChanged((rules) => {
      for (const s of this.#slots) this.#send(s, { t: 'rules', rules });
    });
  }

  /** Starts the workers if they are not running; resolves once every one runs and holds the rules. */
  warm(): Promise<void> {
    this.#ready ??= Promise.all(Array.from({ length: this.#o.workers }, () => this.#spawn())).then(
      () => {},
      (err: unknown) => {
        this.#ready = undefined; // the next request tries again
        throw new NodeError('ERR_INGEST_UNAVAILABLE', `the ingest workers did not start (${String(err)})`, {
          cause: err,
        });
      },
    );
    return this.#ready;
  }

  /** Fails what is in flight (ERR_SHUTTING_DOWN) and stops the workers. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ready?.catch(() => {});
    const slots = this.#slots.splice(0);
    for (const s of slots) this.#failAll(s, new NodeError('ERR_SHUTTING_DOWN', 'the node is stopping'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Records every decision of one raw request body, or none (see the top). Throws typed errors. */
  async record(body: Uint8Array): Promise<IngestAnswer> {
    if (this.#stopped) throw new NodeError('ERR_SHUTTING_DOWN', 'the node is stopping');
    const size = body.byteLength;
    const max = this.#o.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
    if (this.#held > 0 && this.#held + size > max) {
      throw new NodeError(
        'ERR_BACKPRESSURE',
        `${this.#held} bytes of requests are being recorded; ${size} more would exceed ${max}`,
      );
    }
    this.#held += size;
    try {
      return await this.#record(body);
    } finally {
      this.#held -= size;
    }
  }

  async #record(body: Uint8Array): Promise<IngestAnswer> {
    if (this.#slots.length === 0) await this.warm(); // the first request, or every worker died
    if (this.#stopped) throw new NodeError('ERR_SHUTTING_DOWN', 'the node is stopping');
    const slot = this.#leastBusy();
    const id = this.#nextId++;
    const checked = await this.#ask(slot, id, { t: 'check', id, body });
    if (checked.t !== 'checked') throw unexpected(checked);
    let sealed: FromWorker;
    try {
      const { models, revocationAgeMs } = this.#o;
      const resolved: [string, ResolvedModel][] =
        models === undefined ? [] : checked.refs.map((ref) => [ref, models.resolve(ref)]);
      const seal: ToWorker = {
        t: 'seal',
        id,
        now: this.#o.now().getTime(),
        random: this.#o.random(checked.random),
        resolved,
        revocationAgeMs: revocationAgeMs?.() ?? 0,
      };
      sealed = await this.#ask(slot, id, seal);
    } catch (err) {
      this.#send(slot, { t: 'drop', id });
      throw err;
    }
    if (sealed.t !== 'sealed') throw unexpected(sealed);
    this.#o.policy?.countEvaluations(sealed.allowed, sealed.denied);
    const { bytes, ends, hashes, keys, keyEnds, entries } = sealed;
    const items: AppendItem[] = new Array(entries.length);
    let at = 0;
    let k = 0;
    for (let i = 0; i < entries.length; i++) {
      const leafEnd = ends[2 * i] as number;
      const recordEnd = ends[2 * i + 1] as number;
      const fixedEnd = keyEnds[2 * i] as number;
      const keysEnd = keyEnds[2 * i + 1] as number;
      items[i] = {
        leaf: bytes.subarray(at, leafEnd),
        record: bytes.subarray(leafEnd, recordEnd),
        leafHash: hashes.subarray(32 * i, 32 * i + 32),
        keys: { fixed: keys.slice(k, fixedEnd), positional: keys.slice(fixedEnd, keysEnd) },
      };
      at = recordEnd;
      k = keysEnd;
    }
    const appended = await this.#o.log.append(items);
    this.#o.onRecorded?.(appended.length);
    if (sealed.observations.length > 0) this.#o.onObserved?.(sealed.observations);
    const last = appended.at(-1);
    if (last !== undefined) this.#o.onCounted?.(sealed.tallies, last.index + 1);
    return {
      count: appended.length,
      json: renderEntries(
        appended.map((a) => a.index),
        entries,
      ),
    };
  }

  #leastBusy(): Slot {
    let best = this.#slots[0];
    if (best === undefined) throw new NodeError('ERR_INGEST_UNAVAILABLE', 'no ingest worker is running');
    for (const s of this.#slots) if (s.waiting.size < best.waiting.size) best = s;
    return best;
  }

  /** Sends `msg` about request `id` to `slot`'s worker; resolves with its answer, rejects with its typed error. */
  #ask(slot: Slot, id: number, msg: ToWorker): Promise<FromWorker> {
    return new Promise<FromWorker>((resolve, reject) => {
      slot.waiting.set(id, { resolve, reject });
      this.#send(slot, msg);
    }).then((answer) => {
      if (answer.t !== 'failed') return answer;
      throw answer.code === undefined
        ? new Error(`ingest worker: ${answer.message}`)
        : new GovfedError(answer.code, answer.message);
    });
  }

  #send(slot: Slot, msg: ToWorker): void {
    if (msg.t === 'check' && msg.body.byteOffset === 0 && msg.body.byteLength === msg.body.buffer.byteLength) {
      slot.worker.postMessage(msg, [msg.body.buffer as ArrayBuffer]); // a body of its own: moved, not copied
    } else {
      slot.worker.postMessage(msg);
    }
  }

  async #spawn(): Promise<void> {
    const data: IngestWorkerData = {
      org: this.#o.org,
      jurisdiction: this.#o.jurisdiction,
      policy: this.#o.policy !== undefined,
      models: this.#o.models !== undefined,
    };
    const worker = new Worker(WORKER_URL, { workerData: data });
    const slot: Slot = { worker, waiting: new Map() };
    worker.on('message', (m: FromWorker) => {
      const w = slot.waiting.get(m.id);
      slot.waiting.delete(m.id);
      w?.resolve(m);
    });
    worker.on('error', (err) => this.#lost(slot, err));
    worker.on('exit', (code) => this.#lost(slot, new Error(`exited with code ${code}`)));
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    if (this.#stopped) {
      await worker.terminate();
      return;
    }
    this.#slots.push(slot);
    const rules = this.#o.policy?.enforced;
    if (rules !== undefined) this.#send(slot, { t: 'rules', rules });
  }

  /** A worker died: its requests fail (nothing of them was appended) and a new one takes its place. */
  #lost(slot: Slot, err: unknown): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return; // already replaced, or stopping
    this.#slots.splice(i, 1);
    this.#failAll(
      slot,
      new NodeError(
        'ERR_INGEST_UNAVAILABLE',
        `an ingest worker stopped (${String(err)}); nothing of this request was recorded: retry`,
      ),
    );
    if (!this.#stopped) {
      this.#ready = this.#spawn().then(
        () => {},
        () => {
          this.#ready = undefined; // warm() starts them again with the next request
        },
      );
    }
  }

  #failAll(slot: Slot, err: Error): void {
    const waiting = [...slot.waiting.values()];
    slot.waiting.clear();
    for (const w of waiting) w.reject(err);
  }
}

function unexpected(m: FromWorker): Error {
  return new Error(`ingest worker: unexpected answer ${m.t}`);
}
