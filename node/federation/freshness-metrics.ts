/**
 * Charter freshness gauges (node/federation/freshness.ts), read from the module when Prometheus scrapes:
 *
 *   govfed_charter_fresh          1 while a majority of the members confirms this node's charter version
 *   govfed_charter_stale          1 once that has not been so for longer than freshness.staleAfterMs (alert on it)
 *   govfed_charter_fresh_members  members (this node included) whose unexpired statement confirms it
 *   govfed_revocation_state_age_seconds  how old this node's kill-switch state is as a majority of the
 *                                 members vouches for it (+Inf: never confirmed); a contract's
 *                                 maxRevocationStaleness below it fails closed for high tiers
 * A node in no federation reports fresh 1, stale 0, members 0.
 */
import { Gauge, type Registry } from 'prom-client';

export interface FreshnessGaugeSource {
  fresh: boolean;
  stale: boolean;
  freshFrom: number;
  revocationAgeMs: number;
}

export function freshnessMetrics(registry: Registry, read: () => FreshnessGaugeSource): void {
  const registers = [registry];
  new Gauge({
    name: 'govfed_charter_fresh',
    help: "1 while a majority of the federation's members confirms the charter version this node holds.",
    registers,
    collect() {
      this.set(read().fresh ? 1 : 0);
    },
  });
  new Gauge({
    name: 'govfed_charter_stale',
    help: "1 once no majority has confirmed this node's charter version for longer than freshness.staleAfterMs.",
    registers,
    collect() {
      this.set(read().stale ? 1 : 0);
    },
  });
  new Gauge({
    name: 'govfed_charter_fresh_members',
    help: "Members (this node included) whose unexpired freshness statement confirms this node's charter version.",
    registers,
    collect() {
      this.set(read().freshFrom);
    },
  });
  new Gauge({
    name: 'govfed_revocation_state_age_seconds',
    help: "Seconds since a majority of the members last confirmed this node's kill-switch state (+Inf: never).",
    registers,
    collect() {
      this.set(read().revocationAgeMs / 1000);
    },
  });
}
