// Migrations are written once for both engines (Kysely's schema builder; engine differences via the dialect).
// A module adds its migration file here; names sort in the order they are applied.
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.ts';
import * as m0001 from './0001_foundation.ts';

export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
  down?(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const all: Record<string, DialectMigration> = {
  '0001_foundation': m0001,
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
