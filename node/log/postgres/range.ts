/**
 * A key range of the PostgreSQL store read page by page (keyset pagination: each page starts after the
 * last key of the one before), so an iterator holds no server cursor and no connection between pages.
 * Without a snapshot two pages may see different committed states; the log only ever adds keys beyond
 * its committed size and its readers bound themselves by that size, as they do on LevelDB.
 */
import type { LogIterator, RangeOptions } from '../store.ts';

/** Reads one page: rows with k in the range and beyond `after` (in the walk's direction), at most `n`. */
export type PageReader = (q: {
  gte?: Buffer;
  lt?: Buffer;
  after?: Buffer;
  reverse: boolean;
  n: number;
}) => Promise<{ k: Buffer; v?: Buffer }[]>;

export function keyBytes(key: string): Buffer {
  return Buffer.from(key, 'utf8');
}

export function plainBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const PAGE = 256;

export class PgRange<T> implements LogIterator<T> {
  readonly #read: PageReader;
  readonly #range: RangeOptions;
  readonly #map: (row: { k: Buffer; v?: Buffer }) => T;
  readonly #gte: Buffer | undefined;
  readonly #lt: Buffer | undefined;
  #after: Buffer | undefined;
  #remaining: number;
  #done = false;

  constructor(read: PageReader, range: RangeOptions, map: (row: { k: Buffer; v?: Buffer }) => T) {
    this.#read = read;
    this.#range = range;
    this.#map = map;
    this.#gte = range.gte === undefined ? undefined : keyBytes(range.gte);
    this.#lt = range.lt === undefined ? undefined : keyBytes(range.lt);
    this.#remaining = range.limit === undefined || range.limit < 0 ? Number.POSITIVE_INFINITY : range.limit;
  }

  async nextv(n: number): Promise<T[]> {
    if (this.#done || this.#remaining <= 0 || n <= 0) return [];
    const want = Math.min(n, this.#remaining);
    const rows = await this.#read({
      gte: this.#gte,
      lt: this.#lt,
      after: this.#after,
      reverse: this.#range.reverse === true,
      n: want,
    });
    if (rows.length < want) this.#done = true;
    this.#remaining -= rows.length;
    const last = rows[rows.length - 1];
    if (last !== undefined) this.#after = last.k;
    return rows.map(this.#map);
  }

  async all(): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      const page = await this.nextv(PAGE * 4);
      if (page.length === 0) return out;
      for (const x of page) out.push(x);
    }
  }

  async close(): Promise<void> {
    this.#done = true;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const page = await this.nextv(PAGE);
      if (page.length === 0) return;
      yield* page;
    }
  }
}
