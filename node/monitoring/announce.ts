/**
 * What the operator hears of a monitoring window this node took (its own or a member's):
 * `monitoring:window` for every window, and `monitoring:breach` too when it breaches, with the contract's
 * on-breach action (`flag` when the monitor is not known here).
 */
import type { MonitorWindow } from '../../protocol/monitoring/statement.ts';
import type { RequiredMonitor } from '../../protocol/registry/contract-terms.ts';
import type { EventSink } from '../events.ts';

/** Emits the window's events; `name` is the monitor's name, `spec` the contract's monitor if held. */
export function announceWindow(
  events: EventSink,
  w: MonitorWindow,
  name: string,
  spec: RequiredMonitor | undefined,
  via: string,
): void {
  const model = `${w.model.org}/${w.model.name}@${w.model.version}`;
  events('monitoring:window', {
    windowOrg: w.org,
    model,
    monitor: name,
    seq: w.seq,
    decisions: w.decisions,
    value: w.value,
    breach: w.breach,
    via,
  });
  if (w.breach) {
    events('monitoring:breach', {
      windowOrg: w.org,
      model,
      monitor: name,
      value: w.value,
      threshold: w.threshold,
      onBreach: spec?.onBreach ?? 'flag',
      shadow: w.shadow,
    });
  }
}
