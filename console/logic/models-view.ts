/**
 * The models page's types (GET /v1/models, /v1/models/:name/:version, /v1/deployments) and what it
 * derives: a version's state for people (suspended and revoked before approval status) and which orgs
 * run it. Pure.
 */
import type { ApiOk, Item } from './api-types.ts';

type ApiModel = Item<ApiOk<'/v1/models'>['models']>;
type ApiModelDetail = ApiOk<'/v1/models/{name}/{version}'>;

/** A version's kill-switch state as the API shows it. */
export type Kill = ApiModel['kill'];

/** A version in GET /v1/models (the fields this page reads). */
export type ModelSummary = Pick<
  ApiModel,
  | 'org'
  | 'name'
  | 'version'
  | 'digest'
  | 'status'
  | 'risk'
  | 'euAiActCategory'
  | 'submitter'
  | 'registeredAt'
  | 'contract'
  | 'kill'
  | 'approvals'
>;

/** GET /v1/models/{name}/{version} (the fields this page reads). */
export type ModelDetail = ModelSummary & Pick<ApiModelDetail, 'contract' | 'rule' | 'votes' | 'revocations'>;

/** A deployment in GET /v1/deployments (the fields this page reads). */
export type Deployment = Pick<
  Item<ApiOk<'/v1/deployments'>['deployments']>,
  'org' | 'model' | 'digest' | 'shadow' | 'since'
>;

export const modelKey = (m: { org: string; name: string; version: string }) => `${m.org}/${m.name}@${m.version}`;

/** The one word a person reads first: revoked, suspended, else the approval status. */
export function modelState(m: ModelSummary): { label: string; tone: 'ok' | 'warn' | 'bad' | 'info' } {
  if (m.kill.state === 'revoked') return { label: 'revoked', tone: 'bad' };
  if (m.kill.state === 'suspended') return { label: 'suspended', tone: 'bad' };
  if (m.status === 'approved') return { label: 'approved', tone: 'ok' };
  if (m.status === 'rejected') return { label: 'rejected', tone: 'bad' };
  return { label: 'pending approval', tone: 'warn' };
}

/** The orgs running each model version (`(shadow)` for shadow deployments), by modelKey. */
export function deploymentsByModel(list: readonly Deployment[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of list) {
    const k = modelKey(d.model);
    out.set(k, [...(out.get(k) ?? []), d.shadow ? `${d.org} (shadow)` : d.org]);
  }
  return out;
}
