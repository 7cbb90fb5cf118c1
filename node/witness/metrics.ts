/** The witness's Prometheus metrics: govfed_witness_cosigned_total, govfed_witness_equivocations_total, govfed_witnessed_lag_seconds. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WitnessMetrics } from './deps.ts';

export function witnessMetrics(registry: Registry): WitnessMetrics {
  const registers = [registry];
  return {
    cosigned: new Counter({
      name: 'govfed_witness_cosigned_total',
      help: 'Checkpoints of other logs this node cosigned as a witness.',
      registers,
    }),
    equivocations: new Counter({
      name: 'govfed_witness_equivocations_total',
      help: 'Distinct equivocation alerts this node verified and recorded.',
      registers,
    }),
    lag: new Gauge({
      name: 'govfed_witnessed_lag_seconds',
      help: "Time from this node's checkpoint being signed to it being witnessed (k cosignatures), last one.",
      registers,
    }),
  };
}
