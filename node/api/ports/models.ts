/** The model registry's registrations, contracts and approvals as the routes see them (node/registry/models.ts). */
import { NodeError } from '../../errors.ts';
import type { ModelRegistry } from '../../registry/models.ts';

export type ModelsPort = Pick<
  ModelRegistry,
  | 'register'
  | 'approve'
  | 'attachContract'
  | 'revoke'
  | 'deploy'
  | 'undeploy'
  | 'deployments'
  | 'find'
  | 'rule'
  | 'book'
  | 'resolve'
>;

export function requireModels(ctx: { readonly models?: ModelsPort | undefined }): ModelsPort {
  if (ctx.models === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node runs without a model registry');
  return ctx.models;
}
