/**
 * What the federation page derives from GET /v1/federation: one row per member and the alerts a person
 * should see first — this node stale (no majority confirms its charter version: issue 12's freshness),
 * a member whose log equivocated (verified evidence), a member on an older charter version, a member
 * not connected. Pure.
 */
import type { ApiOk, Item } from './api-types.ts';

type ApiFederation = ApiOk<'/v1/federation'>;

/** A member as GET /v1/federation shows it (the fields this page reads). */
export type FederationMember = Pick<
  Item<ApiFederation['members']>,
  'org' | 'peerId' | 'jurisdiction' | 'self' | 'connected' | 'lastSeen' | 'misbehaving' | 'statedVersion' | 'deployed'
>;

/** A pending charter change as GET /v1/federation shows it (the fields this page reads). */
export type FederationProposal = Pick<
  Item<ApiFederation['proposals']>,
  'id' | 'version' | 'rule' | 'required' | 'memberSignatures' | 'signedBy' | 'complete' | 'expiresAt'
>;

/** GET /v1/federation (the fields this page reads); `modules` as the page reads it, untyped per module. */
export type FederationStatus = Pick<ApiFederation, 'federated' | 'id' | 'name' | 'charterVersion' | 'lastSync'> & {
  members: FederationMember[];
  proposals: FederationProposal[];
  modules: Record<string, Record<string, unknown>>;
};

export interface Alert {
  level: 'critical' | 'warning';
  org?: string;
  text: string;
}

export function federationAlerts(s: FederationStatus): Alert[] {
  const alerts: Alert[] = [];
  const fresh = s.modules.freshness;
  if (fresh?.stale === true) {
    const reason = typeof fresh.reason === 'string' ? `: ${fresh.reason}` : '';
    alerts.push({
      level: 'critical',
      text: `this node is stale — no majority confirms charter version ${s.charterVersion}${reason}`,
    });
  }
  for (const m of s.members) {
    if (m.misbehaving === true) {
      alerts.push({ level: 'critical', org: m.org, text: `${m.org}'s log equivocated (this node holds the evidence)` });
    }
    if (
      !m.self &&
      typeof m.statedVersion === 'number' &&
      s.charterVersion !== undefined &&
      m.statedVersion < s.charterVersion
    ) {
      alerts.push({
        level: 'warning',
        org: m.org,
        text: `${m.org} states charter version ${m.statedVersion}, behind ${s.charterVersion}`,
      });
    }
    if (!m.self && !m.connected) alerts.push({ level: 'warning', org: m.org, text: `${m.org} is not connected` });
  }
  return alerts;
}
