// What every module's service is given: the platform, not fifty repositories.
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { AuditService } from '../modules/audit/audit.service.ts';
import type { EventBus } from './bus.ts';
import type { Clock } from './clock.ts';
import type { PiiProtector } from './crypto.ts';
import type { Db } from './db/database.ts';

export interface Platform {
  config: Config;
  db: Db;
  clock: Clock;
  bus: EventBus;
  pii: PiiProtector;
  audit: AuditService;
  log: Logger;
}
