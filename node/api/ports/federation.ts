/** The federation service as the routes see it (node/federation's FederationService). */
import { NodeError } from '../../errors.ts';
import type { FederationService, FreshnessModule } from '../../federation/index.ts';

export type FederationPort = Pick<
  FederationService,
  | 'status'
  | 'chain'
  | 'create'
  | 'setThreshold'
  | 'invite'
  | 'sign'
  | 'join'
  | 'remove'
  | 'leave'
  | 'withdraw'
  | 'rotateKey'
  | 'setApprovalRule'
>;

/** Charter freshness as GET /healthz sees it (node/federation's FreshnessModule). */
export type FreshnessPort = Pick<FreshnessModule, 'health'> & Partial<Pick<FreshnessModule, 'revocationAgeMs'>>;

export function requireFederation(ctx: { readonly federation?: FederationPort | undefined }): FederationPort {
  if (ctx.federation === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node runs without federation');
  return ctx.federation;
}

/** Wraps an operation's result: a status, or a pending proposal plus the status. */
export function operationResult(port: FederationPort, r: unknown): { status: unknown; proposal?: unknown } {
  const isStatus = typeof r === 'object' && r !== null && 'federated' in r;
  return isStatus ? { status: r } : { status: port.status(), proposal: r };
}
