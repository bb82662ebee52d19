// What a node compares to learn that another node changed something it keeps in memory (cluster.sync.ts): one
// cheap fingerprint per kind of record, from columns every edit changes (a version, an update time, the row count).
import { sql } from 'kysely';
import type { Executor } from '../../platform/db/database.ts';

export type Fingerprints = Record<'rules' | 'zones' | 'devices' | 'faces', string>;

export const clusterRepo = {
  async fingerprints(db: Executor): Promise<Fingerprints> {
    const one = async (q: ReturnType<typeof sql<{ f: string | null }>>) => String((await q.execute(db)).rows[0]?.f ?? '');
    return {
      rules: await one(sql<{ f: string | null }>`SELECT count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at), '') AS f FROM rules`),
      zones: await one(sql<{ f: string | null }>`SELECT count(*) || ':' || coalesce(sum(version), 0) || ':' || coalesce(max(updated_at), '') AS f FROM zones`),
      devices: await one(sql<{ f: string | null }>`SELECT count(*) || ':' || coalesce(max(updated_at), '') AS f FROM devices`),
      faces: await one(sql<{ f: string | null }>`SELECT count(*) || ':' || coalesce(max(created_at), '') AS f FROM student_faces`),
    };
  },
};
