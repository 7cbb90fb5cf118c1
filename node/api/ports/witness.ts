/** What the witness and cross-org proof routes need from node/witness (WitnessService). */
import { NodeError } from '../../errors.ts';
import type { WitnessService } from '../../witness/index.ts';

export type WitnessPort = Pick<
  WitnessService,
  | 'addCheckpoint'
  | 'checkpointWithCosignatures'
  | 'proveInclusion'
  | 'lookup'
  | 'proveConsistency'
  | 'externalLogs'
  | 'setExternalLogs'
  | 'origins'
>;

/** The witness service, or ERR_NO_WITNESS. */
export function requireWitness(ctx: { readonly witness?: WitnessPort | undefined }): WitnessPort {
  if (ctx.witness === undefined) throw new NodeError('ERR_NO_WITNESS', 'this node runs without a witness service');
  return ctx.witness;
}
