/**
 * The witness's Prometheus metrics: govfed_witness_cosigned_total, govfed_witness_equivocations_total,
 * govfed_witnessed_lag_seconds, govfed_witness_requests_total{result} (add-checkpoint requests this
 * node's log sent its witnesses) and govfed_witness_checkpoints_gossiped_total (witnessed checkpoints
 * gossiped): the two the benches count messages per checkpoint with.
 */
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
    requests: new Counter({
      name: 'govfed_witness_requests_total',
      help: 'add-checkpoint requests this node sent the witnesses of its logs, by result (cosigned, refused, failed).',
      labelNames: ['result'],
      registers,
    }),
    gossiped: new Counter({
      name: 'govfed_witness_checkpoints_gossiped_total',
      help: "This node's witnessed checkpoints gossiped to the federation (once each).",
      registers,
    }),
    lag: new Gauge({
      name: 'govfed_witnessed_lag_seconds',
      help: "Time from this node's checkpoint being signed to it being witnessed (k cosignatures), last one.",
      registers,
    }),
  };
}
