/**
 * Where the lease holder publishes the enforcement snapshot (enforcement.ts) and followers read it: one
 * named state of the org's database (node/home pg-state.ts, name `ha/enforcement`), written behind the
 * writer lease's fence — a process that lost the lease cannot publish — and read with its change version.
 */
export interface SnapshotStore {
  read(): Promise<{ body: Uint8Array; version: bigint } | undefined>;
  write(body: Uint8Array): Promise<void>;
}
