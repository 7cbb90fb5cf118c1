/**
 * The roles a person of an org's roster may hold (docs/registry.md "People, keys and roles"). Approval
 * rules (charter `approvals`) name them; an approval is believed only from a key that the approver org's
 * roster gives the role it claims.
 */
export const ROLES = ['model_owner', 'risk_officer', 'legal', 'security', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
