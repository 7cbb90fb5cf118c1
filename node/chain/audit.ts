/**
 * The audit leaf of a replicated chain's step: an accepted version or a fork, in the module's words
 * (ReplicatedObject.auditItem, auditKinds). A failed append does not undo the step — the version is
 * taken, the log is what failed — so it is raised as the module's `auditFailed` event instead.
 */
import type { AuditLog } from '../log/index.ts';
import type { AuditStep, ChainEmit, ObjectEntry, ReplicatedObject } from './object.ts';
import { errorText } from './util.ts';

/** Appends the leaf; its log index, or undefined when the append failed (and was reported). */
export async function appendAuditLeaf<O>(
  ctx: { object: ReplicatedObject<O>; log: Pick<AuditLog, 'append'>; emit: ChainEmit; now: () => Date },
  kind: AuditStep,
  e: Omit<ObjectEntry<O>, 'object'>,
  federationId: string | undefined,
): Promise<number | undefined> {
  try {
    const [appended] = await ctx.log.append([
      ctx.object.auditItem(kind, {
        version: e.version,
        envelope: e.envelope,
        digest: e.digest,
        time: ctx.now(),
        ...(federationId === undefined ? {} : { federationId }),
      }),
    ]);
    return appended?.index;
  } catch (err) {
    ctx.emit(ctx.object.events.auditFailed, {
      kind: ctx.object.auditKinds[kind] ?? kind,
      version: e.version,
      error: errorText(err),
    });
    return undefined;
  }
}
