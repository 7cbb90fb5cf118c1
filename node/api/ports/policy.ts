/** The policy service as the routes see it (node/policy's PolicyService). */
import { NodeError } from '../../errors.ts';
import type { PolicyService } from '../../policy/index.ts';

export type PolicyPort = Pick<
  PolicyService,
  'evaluate' | 'propose' | 'sign' | 'check' | 'setLocal' | 'local' | 'show' | 'policyStatus' | 'baselineAt'
>;

export function requirePolicy(ctx: { readonly policy?: PolicyPort | undefined }): PolicyPort {
  if (ctx.policy === undefined) throw new NodeError('ERR_NO_POLICY', 'this node runs without a policy service');
  return ctx.policy;
}
