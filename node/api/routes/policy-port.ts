/** The policy service as the routes see it (node/policy's PolicyService). */
import { NodeError } from '../../errors.ts';
import type { PolicyService } from '../../policy/index.ts';
import type { ApiContext } from '../context.ts';

export type PolicyPort = Pick<
  PolicyService,
  'evaluate' | 'propose' | 'sign' | 'check' | 'setLocal' | 'local' | 'show' | 'policyStatus'
>;

export function requirePolicy(ctx: ApiContext): PolicyPort {
  if (ctx.policy === undefined) throw new NodeError('ERR_NO_POLICY', 'this node runs without a policy service');
  return ctx.policy;
}
