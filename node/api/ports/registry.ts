/** The model registry as the routes see it (node/registry's RosterModule, more to come). */
import { NodeError } from '../../errors.ts';
import type { RosterModule } from '../../registry/rosters.ts';

export type RegistryPort = Pick<RosterModule, 'addPerson' | 'revoke' | 'roster' | 'versions'>;

export function requireRegistry(ctx: { readonly registry?: RegistryPort | undefined }): RegistryPort {
  if (ctx.registry === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node runs without a model registry');
  return ctx.registry;
}
