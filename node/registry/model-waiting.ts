/**
 * Registry records that cannot be judged yet (an approval or a contract before its registration, a
 * contract before the versions between, a score under a policy version not yet here, a roster not yet
 * here): held, bounded (MAX_WAITING, the oldest goes first), for WAIT_TTL_MS, and handed back to be
 * tried again when anything is taken and every sync round (node/registry/models.ts).
 */
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { decodeEnvelope } from '../../protocol/dsse/index.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import type { RegistryRecord } from '../../protocol/registry/model-sync.ts';

/** How long a record that cannot be judged yet waits, and how many wait. */
export const WAIT_TTL_MS = 10 * 60_000;
export const MAX_WAITING = 1024;

export class WaitingRecords {
  readonly #waiting = new Map<string, { record: RegistryRecord; until: number }>();

  get size(): number {
    return this.#waiting.size;
  }

  clear(): void {
    this.#waiting.clear();
  }

  /** Holds `record` (again) until now + WAIT_TTL_MS. */
  add(record: RegistryRecord, now: number): void {
    const id = toHex(sha256(decodeEnvelope(record.envelope).payload));
    if (!this.#waiting.has(id) && this.#waiting.size >= MAX_WAITING) {
      const oldest = this.#waiting.keys().next().value;
      if (oldest !== undefined) this.#waiting.delete(oldest);
    }
    this.#waiting.set(id, { record, until: now + WAIT_TTL_MS });
  }

  /** Every record still within its time, removed from here (a record that must wait again is added back). */
  take(now: number): RegistryRecord[] {
    const out: RegistryRecord[] = [];
    for (const [id, w] of [...this.#waiting]) {
      this.#waiting.delete(id);
      if (w.until > now) out.push(w.record);
    }
    return out;
  }
}
