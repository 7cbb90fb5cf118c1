/** Monitoring as the routes see it (node/monitoring/service.ts). */
import type { MonitorService } from '../../monitoring/index.ts';

export type MonitoringPort = Pick<MonitorService, 'view' | 'history' | 'named' | 'observe'>;
