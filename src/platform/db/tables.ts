// The database as Kysely sees it: one interface per module's tables, joined here. A module that adds tables
// declares them in its own `x.tables.ts` and adds it to this list.
import type { AreaTables } from '../../modules/areas/areas.tables.ts';
import type { AccountTables } from '../../modules/accounts/accounts.tables.ts';
import type { AuditTables } from '../../modules/audit/audit.tables.ts';

export interface Database extends AreaTables, AccountTables, AuditTables {}
