/** Compliance reports as the routes see them (node/report/service.ts). */
import { NodeError } from '../../errors.ts';
import type { ReportService } from '../../report/index.ts';

export type ReportPort = Pick<ReportService, 'report' | 'subject' | 'counted'>;

export function requireReport(ctx: { readonly report?: ReportPort | undefined }): ReportPort {
  if (ctx.report === undefined) throw new NodeError('ERR_NO_FEDERATION', 'this node runs without compliance reports');
  return ctx.report;
}
