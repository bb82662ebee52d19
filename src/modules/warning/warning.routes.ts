// The HTTP surface of early warning: zones, rules, alerts (with the live stream), responders and dispatches.
import type { Platform } from '../../platform/context.ts';
import type { App } from '../../platform/http.ts';
import { alertsRoutes } from './alerts.routes.ts';
import { rulesRoutes } from './rules.routes.ts';
import type { WarningModule } from './warning.module.ts';
import { zonesRoutes } from './zones.routes.ts';

export function warningRoutes(app: App, w: WarningModule, p: Platform): void {
  zonesRoutes(app, w);
  rulesRoutes(app, w);
  alertsRoutes(app, w, p);
}
