/**
 * The Trino objects of Stackable's trino-taxi-data demo over NYC TLC yellow trip records: the
 * external table `hive.demo.ny_taxi_data_raw` on the Parquet files and the view
 * `hive.demo.ny_taxi_data` the dashboard charts. Facts from stackabletech/demos branch release-26.7,
 * demos/trino-taxi-data/create-table-in-trino.yaml: the columns and their types, the schema at the
 * bucket root, the view's duration in minutes, the payment type names and the pickup-time window.
 * Two changes: the window is derived from the loaded months instead of written out, and payment
 * type 6 is "Voided trip" (the TLC data dictionary's name; the reference says "Voided trino").
 */
import { IS3Data } from 'cdk8s-stackable-demos';

/** A column of a Trino table or view. */
export interface Column { readonly name: string; readonly type: string }

/** The raw table's columns: the subset of the yellow trip record files the demo reads. */
export const RAW_COLUMNS: readonly Column[] = [
  { name: 'vendorid', type: 'BIGINT' },
  // TIMESTAMP is TIMESTAMP(3), the Hive connector's default precision (hive.timestamp-precision).
  { name: 'tpep_pickup_datetime', type: 'TIMESTAMP' },
  { name: 'tpep_dropoff_datetime', type: 'TIMESTAMP' },
  { name: 'passenger_count', type: 'DOUBLE' },
  { name: 'trip_distance', type: 'DOUBLE' },
  { name: 'payment_type', type: 'BIGINT' },
  { name: 'fare_amount', type: 'DOUBLE' },
  { name: 'tip_amount', type: 'DOUBLE' },
  { name: 'total_amount', type: 'DOUBLE' },
];

const PAYMENT_TYPES: Record<number, string> = { 1: 'Credit card', 2: 'Cash', 3: 'No charge', 4: 'Dispute', 6: 'Voided trip' };

/** The view's columns (name, type and the SQL over the raw table). */
export const VIEW_COLUMNS: ReadonlyArray<Column & { readonly sql: string }> = [
  { name: 'vendorid', type: 'BIGINT', sql: 'vendorid' },
  { name: 'tpep_pickup_datetime', type: 'TIMESTAMP(3)', sql: 'tpep_pickup_datetime' },
  { name: 'tpep_dropoff_datetime', type: 'TIMESTAMP(3)', sql: 'tpep_dropoff_datetime' },
  { name: 'duration_min', type: 'BIGINT', sql: "date_diff('minute', tpep_pickup_datetime, tpep_dropoff_datetime)" },
  { name: 'passenger_count', type: 'DOUBLE', sql: 'passenger_count' },
  { name: 'trip_distance', type: 'DOUBLE', sql: 'trip_distance' },
  {
    name: 'payment_type', type: 'VARCHAR(12)',
    sql: `CASE payment_type ${Object.entries(PAYMENT_TYPES).map(([k, v]) => `WHEN ${k} THEN '${v}'`).join(' ')} ELSE 'Unknown' END`,
  },
  { name: 'fare_amount', type: 'DOUBLE', sql: 'fare_amount' },
  { name: 'tip_amount', type: 'DOUBLE', sql: 'tip_amount' },
  { name: 'total_amount', type: 'DOUBLE', sql: 'total_amount' },
];

/** Where the objects are: catalog, schema, table and view names. */
export const TABLE = { catalog: 'hive', schema: 'demo', raw: 'ny_taxi_data_raw', view: 'ny_taxi_data' } as const;

/** First instant after the month `YYYY-MM`, as a Trino timestamp literal. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `TIMESTAMP '${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01 00:00:00'`;
}

/**
 * The statements of the table Job: schema, external table over the loaded files, a check that it
 * has rows (Trino's `fail` ends the statement, and so the Job, with the message), the view of the
 * trips picked up within the loaded months. Idempotent, so a retried Job does no harm.
 */
export function taxiTableStatements(data: IS3Data, months: readonly string[]): string[] {
  const sorted = [...months].sort();
  const raw = `${TABLE.catalog}.${TABLE.schema}.${TABLE.raw}`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${TABLE.catalog}.${TABLE.schema} WITH (location = 's3a://${data.bucket}/')`,
    `CREATE TABLE IF NOT EXISTS ${raw} (\n  ${RAW_COLUMNS.map(c => `${c.name} ${c.type}`).join(',\n  ')}\n) WITH (external_location = '${data.s3aUrl}', format = 'PARQUET')`,
    `SELECT CASE WHEN count(*) > 0 THEN count(*) ELSE fail('no rows in ${raw}: are the files under ${data.s3aUrl}?') END AS loaded_rows FROM ${raw}`,
    `CREATE OR REPLACE VIEW ${TABLE.catalog}.${TABLE.schema}.${TABLE.view} AS\nSELECT\n  ${VIEW_COLUMNS.map(c => (c.sql === c.name ? c.name : `${c.sql} AS ${c.name}`)).join(',\n  ')}\n`
      + `FROM ${raw}\nWHERE tpep_pickup_datetime >= TIMESTAMP '${sorted[0]}-01 00:00:00' AND tpep_pickup_datetime < ${monthEnd(sorted[sorted.length - 1])}`,
  ];
}
