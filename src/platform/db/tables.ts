// The database as Kysely sees it: one interface per module's tables, joined here. A module that adds tables
// declares them in its own `x.tables.ts` and adds it to this list.
import type { AreaTables } from '../../modules/areas/areas.tables.ts';
import type { AccountTables } from '../../modules/accounts/accounts.tables.ts';
import type { AuditTables } from '../../modules/audit/audit.tables.ts';
import type { DeviceTables } from '../../modules/devices/devices.tables.ts';
import type { CaseTables } from '../../modules/cases/cases.tables.ts';
import type { WarningTables } from '../../modules/warning/warning.tables.ts';
import type { NotifyTables } from '../../modules/notify/notify.tables.ts';
import type { StudentTables } from '../../modules/students/students.tables.ts';
import type { PeopleTables } from '../../modules/people/people.tables.ts';
import type { IndicatorTables } from '../../modules/indicators/indicators.tables.ts';
import type { Gat1400Tables } from '../../modules/devices/gat1400/gat1400.tables.ts';
import type { SharedStateTables } from '../shared-state.ts';

export interface Database extends AreaTables, AccountTables, AuditTables, CaseTables, DeviceTables, WarningTables, NotifyTables, StudentTables, Gat1400Tables, SharedStateTables, IndicatorTables, PeopleTables {}
