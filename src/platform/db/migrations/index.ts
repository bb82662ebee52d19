// Migrations are written once for both engines (Kysely's schema builder; engine differences via the dialect).
// A module adds its migration file here; names sort in the order they are applied.
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.ts';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_devices.ts';
import * as m0003 from './0003_cases.ts';
import * as m0004 from './0004_warning.ts';
import * as m0005 from './0005_notify.ts';
import * as m0006 from './0006_students.ts';
import * as m0007 from './0007_gat1400.ts';
import * as m0009 from './0009_warning_cursor.ts';
import * as m0020 from './0020_people.ts';
import * as m0010 from './0010_warning_keys.ts';
import * as m0011 from './0011_alert_commands.ts';
import * as m0030 from './0030_indicators.ts';
import * as m0040 from './0040_shared_state.ts';

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const all: Record<string, DialectMigration> = {
  '0001_foundation': m0001,
  '0002_devices': m0002,
  '0003_cases': m0003,
  '0004_warning': m0004,
  '0005_notify': m0005,
  '0006_students': m0006,
  '0007_gat1400': m0007,
  '0009_warning_cursor': m0009,
  '0020_people': m0020,
  '0010_warning_keys': m0010,
  '0011_alert_commands': m0011,
  '0030_indicators': m0030,
  '0040_shared_state': m0040,
};

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(all)) {
        out[name] = {
          up: (db) => m.up(db, dialect),
          ...(m.down ? { down: (db: Kysely<unknown>) => m.down!(db, dialect) } : {}),
        };
      }
      return out;
    },
  };
}
