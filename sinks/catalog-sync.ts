// Copies what the analyst views need from the catalogue file into the database: each meter's
// kind, aggregation and unit, and the catalogue time zone (db/migrations/011_rollup_views.sql).
// Upserted at start by the roles that hold the catalogue; rows are never deleted, so views
// keep describing the rollups of a meter that a newer catalogue dropped.
import type pg from 'pg';
import type { Catalog } from '../catalog/types.js';

const UPSERT_METERS = `INSERT INTO rollup_meters (meter, kind, aggregation, unit, catalog_hash, updated_at)
  SELECT * , now() FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
  ON CONFLICT (meter) DO UPDATE SET kind = EXCLUDED.kind, aggregation = EXCLUDED.aggregation,
    unit = EXCLUDED.unit, catalog_hash = EXCLUDED.catalog_hash, updated_at = now()
  WHERE rollup_meters.catalog_hash IS DISTINCT FROM EXCLUDED.catalog_hash`;

const UPSERT_CATALOG = `INSERT INTO rollup_catalog (id, timezone, catalog_hash) VALUES (TRUE, $1, $2)
  ON CONFLICT (id) DO UPDATE SET timezone = EXCLUDED.timezone, catalog_hash = EXCLUDED.catalog_hash, updated_at = now()
  WHERE rollup_catalog.catalog_hash IS DISTINCT FROM EXCLUDED.catalog_hash`;

export async function syncCatalog(db: pg.Pool | pg.ClientBase, catalog: Catalog): Promise<void> {
  const meters = Object.values(catalog.meters);
  await db.query(UPSERT_METERS, [
    meters.map((m) => m.name),
    meters.map((m) => m.kind),
    meters.map((m) => m.aggregation),
    meters.map((m) => m.unit),
    meters.map(() => catalog.contentHash),
  ]);
  await db.query(UPSERT_CATALOG, [catalog.timezone, catalog.contentHash]);
}
