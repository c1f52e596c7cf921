/**
 * The Trino views of Stackable's demo data-lakehouse-iceberg-trino-spark over the tables its Spark
 * streaming job creates (stackabletech/demos release-26.7, demos/data-lakehouse-iceberg-trino-spark/
 * create-trino-tables.yaml, the four `create or replace view` statements after "At this point Spark
 * should have created the needed underlying tables"), and the columns of each table and view as
 * Trino reports them (what the dashboard's datasets declare; the e2e suite compares them with a
 * real Trino's DESCRIBE).
 */
import { TableColumn } from 'cdk8s-stackable-demos';

/** The tables of ingest_into_lakehouse.py that the views read, `<schema>.<table>`. */
export const VIEW_SOURCES = ['smart_city.shared_bikes_station_status', 'smart_city.shared_bikes_station_information', 'water_levels.measurements', 'water_levels.stations'] as const;

/** The four views, for catalog `catalog` (the reference's `lakehouse`). */
export function viewStatements(catalog: string): string[] {
  const c = catalog;
  return [
    `CREATE OR REPLACE VIEW ${c}.smart_city.shared_bikes_station_status_latest AS
SELECT * FROM ${c}.smart_city.shared_bikes_station_status
WHERE (station_id, last_reported) IN (SELECT station_id, max(last_reported) FROM ${c}.smart_city.shared_bikes_station_status GROUP BY station_id)`,
    `CREATE OR REPLACE VIEW ${c}.smart_city.shared_bikes_station_status_joined AS
SELECT i.name, s.*, i.latitude, i.longitude FROM ${c}.smart_city.shared_bikes_station_status AS s
LEFT JOIN ${c}.smart_city.shared_bikes_station_information AS i ON s.station_id = i.station_id`,
    `CREATE OR REPLACE VIEW ${c}.smart_city.shared_bikes_station_status_latest_joined AS
SELECT i.name, s.*, i.latitude, i.longitude FROM ${c}.smart_city.shared_bikes_station_status_latest AS s
LEFT JOIN ${c}.smart_city.shared_bikes_station_information AS i ON s.station_id = i.station_id`,
    `CREATE OR REPLACE VIEW ${c}.water_levels.measurements_joined AS
SELECT s.short_name, m.*, s.number, s.long_name, s.km, s.agency, s.latitude, s.longitude, s.water_short_name, s.water_long_name
FROM ${c}.water_levels.measurements AS m LEFT JOIN ${c}.water_levels.stations AS s ON m.station_uuid = s.station_uuid`,
  ];
}

// Spark's `timestamp` is Iceberg's timestamptz, Trino's `timestamp(6) with time zone`; `float` is
// `real`, `short` is Iceberg's `int` (Iceberg has no 16-bit type).
const TS = 'TIMESTAMP(6) WITH TIME ZONE';

/** Columns of the tables and views the dashboard reads, as Trino's DESCRIBE lists them. */
export const COLUMNS: Readonly<Record<string, readonly TableColumn[]>> = {
  'water_levels.measurements': [{ name: 'station_uuid', type: 'VARCHAR' }, { name: 'timestamp', type: TS }, { name: 'value', type: 'REAL' }],
  'water_levels.stations': [
    { name: 'station_uuid', type: 'VARCHAR' }, { name: 'number', type: 'BIGINT' }, { name: 'short_name', type: 'VARCHAR' }, { name: 'long_name', type: 'VARCHAR' },
    { name: 'km', type: 'REAL' }, { name: 'agency', type: 'VARCHAR' }, { name: 'latitude', type: 'DOUBLE' }, { name: 'longitude', type: 'DOUBLE' },
    { name: 'water_short_name', type: 'VARCHAR' }, { name: 'water_long_name', type: 'VARCHAR' },
  ],
  'water_levels.measurements_joined': [
    { name: 'short_name', type: 'VARCHAR' }, { name: 'station_uuid', type: 'VARCHAR' }, { name: 'timestamp', type: TS }, { name: 'value', type: 'REAL' },
    { name: 'number', type: 'BIGINT' }, { name: 'long_name', type: 'VARCHAR' }, { name: 'km', type: 'REAL' }, { name: 'agency', type: 'VARCHAR' },
    { name: 'latitude', type: 'DOUBLE' }, { name: 'longitude', type: 'DOUBLE' }, { name: 'water_short_name', type: 'VARCHAR' }, { name: 'water_long_name', type: 'VARCHAR' },
  ],
  'smart_city.shared_bikes_station_information': [
    { name: 'station_id', type: 'VARCHAR' }, { name: 'name', type: 'VARCHAR' }, { name: 'latitude', type: 'DOUBLE' }, { name: 'longitude', type: 'DOUBLE' },
  ],
  'smart_city.shared_bikes_station_status': [
    { name: 'station_id', type: 'VARCHAR' }, { name: 'num_bikes_available', type: 'INTEGER' }, { name: 'is_installed', type: 'BOOLEAN' },
    { name: 'is_renting', type: 'BOOLEAN' }, { name: 'is_returning', type: 'BOOLEAN' }, { name: 'last_reported', type: TS },
  ],
  'smart_city.shared_bikes_station_status_latest': [
    { name: 'station_id', type: 'VARCHAR' }, { name: 'num_bikes_available', type: 'INTEGER' }, { name: 'is_installed', type: 'BOOLEAN' },
    { name: 'is_renting', type: 'BOOLEAN' }, { name: 'is_returning', type: 'BOOLEAN' }, { name: 'last_reported', type: TS },
  ],
  'smart_city.shared_bikes_bike_status': [
    { name: 'bike_id', type: 'VARCHAR' }, { name: 'vehicle_type_id', type: 'VARCHAR' }, { name: 'latitude', type: 'DOUBLE' }, { name: 'longitude', type: 'DOUBLE' },
    { name: 'is_reserved', type: 'BOOLEAN' }, { name: 'is_disabled', type: 'BOOLEAN' }, { name: 'last_reported', type: TS },
  ],
};
